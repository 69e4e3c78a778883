import { OAuthClient, TokenResponse, TokenSet } from "@effect-oauth/core"
import type { Provider } from "@effect-oauth/core"
import { HttpStub } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"

// The quirks for providers whose answers are not RFC 6749 shaped at the top
// level: a wrapped body (`wrappedIn`), their own token types (`tokenTypes`) and
// a parameter every token request carries (`requests.tokenParams`).

const parse = (body: unknown, quirks: Provider.TokenResponseQuirks) =>
  Effect.either(
    TokenResponse.parse(
      { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
      { requestedAt: 0, quirks }
    )
  )

describe("TokenResponse.parse / quirks.wrappedIn", () => {
  it.effect("reads the token response from the named member", () =>
    Effect.gen(function*() {
      const result = yield* parse({ status: 0, body: { access_token: "at", token_type: "Bearer", expires_in: 10, userid: "1" } }, { wrappedIn: "body" })
      expect(result._tag === "Right" && [Redacted.value(result.right.accessToken), result.right.expiresAt, Redacted.value(result.right.extra)]).toEqual(["at", 10_000, { userid: "1" }])
    }))

  it.effect("without the quirk the wrapped body has no access token", () =>
    Effect.gen(function*() {
      const result = yield* parse({ status: 0, body: { access_token: "at" } }, {})
      expect(result._tag === "Left" && result.left._tag === "InvalidTokenResponse" && result.left.reason).toBe("MissingAccessToken")
    }))

  it.effect("lets readError see the outer object first", () =>
    Effect.gen(function*() {
      const result = yield* parse({ status: 601, body: {}, error: "Too many requests" }, {
        wrappedIn: "body",
        readError: (fields) => fields["status"] === 0 ? undefined : { error: "temporarily_unavailable" }
      })
      expect(result._tag === "Left" && result.left._tag === "OAuthError" && result.left.remedy).toBe("retry")
    }))
})

describe("TokenResponse.parse / quirks.tokenTypes", () => {
  it.effect("reads a provider's own token type as the type it names, case-insensitively", () =>
    Effect.gen(function*() {
      const result = yield* parse({ access_token: "xoxb-1", token_type: "Bot" }, { tokenTypes: { bot: "Bearer" } })
      expect(result._tag === "Right" && result.right.tokenType).toBe("Bearer")
    }))
})

describe("OAuthClient / requests.tokenParams", () => {
  it.effect("adds the provider's parameters to every token request; the grant's own win", () =>
    Effect.gen(function*() {
      const { layer, seen } = HttpStub.make(() => new Response(JSON.stringify({ access_token: "at", token_type: "Bearer" }), { status: 200 }))
      const client = yield* OAuthClient.make({
        provider: { name: "as", tokenEndpoint: "https://as.example/token", requests: { tokenParams: { action: "requesttoken", grant_type: "x" } } },
        client: { clientId: "c", clientSecret: Redacted.make("s") }
      }).pipe(Effect.provide(layer))
      yield* client.refresh(TokenSet.make({ accessToken: "old", issuedAt: 0, refreshToken: "rt" }))
      const sent = new URLSearchParams(seen[0]?.body)
      expect([sent.get("action"), sent.get("grant_type")]).toEqual(["requesttoken", "refresh_token"])
    }))
})
