import { OAuthClient, TokenSet } from "@effect-oauth/core"
import { Reddit } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"
import { jsonResponse, stub } from "./helpers/http.js"

const docs = "https://github.com/reddit-archive/reddit/wiki/OAuth2"
const userAgent = "web:com.example.app:v1.0 (by /u/example)"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with duration=permanent: a refresh token",
    source: `${docs}#retrieving-the-access-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "J1qK1c18UUGJFAzz9xnH56584l4", token_type: "bearer", expires_in: 3600, scope: "identity read", refresh_token: "J1qK1c18UUGJFAzz9xnH56584l4r" }),
    expected: { _tag: "TokenSet", accessToken: "J1qK1c18UUGJFAzz9xnH56584l4", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "J1qK1c18UUGJFAzz9xnH56584l4r", scopes: ["identity", "read"], extra: {} }
  },
  {
    name: "refresh: no refresh token (the first is kept)",
    source: `${docs}#refreshing-the-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "J1qK1c18UUGJFAzz9xnH56584l5", token_type: "bearer", expires_in: 3600, scope: "identity read" }),
    expected: { _tag: "TokenSet", accessToken: "J1qK1c18UUGJFAzz9xnH56584l5", tokenType: "Bearer", expiresAt: after(3600), scopes: ["identity", "read"], extra: {} }
  },
  oauthError({ name: "a used code, inside HTTP 200", source: `${docs}#retrieving-the-access-token`, status: 200, headers: json, error: "invalid_grant", remedy: "reauthorize" }),
  {
    name: "a wrong Basic credential: numeric error 401 read as invalid_client",
    source: `${docs}#retrieving-the-access-token`,
    status: 401,
    headers: json,
    body: JSON.stringify({ message: "Unauthorized", error: 401 }),
    expected: { _tag: "OAuthError", error: "invalid_client", description: "Unauthorized", status: 401, remedy: "fixConfiguration", details: { provider_error: 401 } }
  },
  {
    name: "too many requests: numeric error 429 read as temporarily_unavailable",
    source: "https://support.reddithelp.com/hc/en-us/articles/16160319875092-Reddit-Data-API-Wiki",
    status: 429,
    headers: json,
    body: JSON.stringify({ message: "Too Many Requests", error: 429 }),
    expected: { _tag: "OAuthError", error: "temporarily_unavailable", description: "Too Many Requests", status: 429, remedy: "retry", details: { provider_error: 429 } }
  }
]

shapeSuite("Reddit / documented token responses", Reddit.make({ userAgent }), rows)

describe("Reddit.make", () => {
  it.effect("sends the User-Agent and the Basic credential with every token request", () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => jsonResponse({ access_token: "a", token_type: "bearer", expires_in: 3600 }))
      const oauth = yield* OAuthClient.make({
        provider: Reddit.make({ userAgent }),
        client: { clientId: "p-jcoLKBynTLew", clientSecret: Redacted.make("gko_LXELoV07ZBNUXrvWZfzE3aI") }
      }).pipe(Effect.provide(layer))
      yield* oauth.refresh(TokenSet.make({ accessToken: "old", issuedAt: 0, refreshToken: "J1qK1c18UUGJFAzz9xnH56584l4r" }))
      expect(seen[0]?.headers["user-agent"]).toBe(userAgent)
      expect(seen[0]?.headers["authorization"]).toMatch(/^Basic /)
    }))

  it("asks for duration=permanent unless told temporary", () => {
    expect(Reddit.make({ userAgent }).requests?.authorizationParams).toEqual({ duration: "permanent" })
    expect(Reddit.make({ userAgent, duration: "temporary" }).requests?.authorizationParams).toEqual({ duration: "temporary" })
  })
})
