import { OAuthClient, TokenSet } from "@effect-oauth/core"
import { Twitch } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"
import { jsonResponse, stub } from "./helpers/http.js"

const tokens = "https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/"
const refresh = "https://dev.twitch.tv/docs/authentication/refresh-tokens/"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with scope as a JSON array",
    source: `${tokens}#authorization-code-grant-flow`,
    status: 200,
    headers: json,
    body: JSON.stringify({
      access_token: "rfx2uswqe8l4g1mkagrvg5tv0ks3",
      expires_in: 14124,
      refresh_token: "5b93chm6hdve3mycz05zfzatkfdenfspp1h1ar2xxdalen01",
      scope: ["channel:moderate", "chat:edit", "chat:read"],
      token_type: "bearer"
    }),
    expected: {
      _tag: "TokenSet",
      accessToken: "rfx2uswqe8l4g1mkagrvg5tv0ks3",
      tokenType: "Bearer",
      expiresAt: after(14124),
      refreshToken: "5b93chm6hdve3mycz05zfzatkfdenfspp1h1ar2xxdalen01",
      scopes: ["channel:moderate", "chat:edit", "chat:read"],
      extra: {}
    }
  },
  {
    name: "client credentials token without scope",
    source: `${tokens}#client-credentials-grant-flow`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "jostpf5q0uzmxmkba9iyug38kjtgh", expires_in: 5011271, token_type: "bearer" }),
    expected: {
      _tag: "TokenSet",
      accessToken: "jostpf5q0uzmxmkba9iyug38kjtgh",
      tokenType: "Bearer",
      expiresAt: after(5011271),
      scopes: [],
      extra: {}
    }
  },
  {
    name: "refresh: Invalid refresh token read as invalid_grant → reauthorize",
    source: refresh,
    status: 400,
    headers: json,
    body: JSON.stringify({ error: "Bad Request", status: 400, message: "Invalid refresh token" }),
    expected: { _tag: "OAuthError", error: "invalid_grant", description: "Invalid refresh token", status: 400, remedy: "reauthorize" }
  },
  {
    name: "code exchange: Invalid authorization code read as invalid_grant → reauthorize",
    source: `${tokens}#authorization-code-grant-flow`,
    status: 400,
    headers: json,
    body: JSON.stringify({ status: 400, message: "Invalid authorization code" }),
    expected: {
      _tag: "OAuthError",
      error: "invalid_grant",
      description: "Invalid authorization code",
      status: 400,
      remedy: "reauthorize"
    }
  },
  {
    name: "invalid client secret read as invalid_client → fixConfiguration",
    source: `${tokens}#client-credentials-grant-flow`,
    status: 403,
    headers: json,
    body: JSON.stringify({ status: 403, message: "invalid client secret" }),
    expected: {
      _tag: "OAuthError",
      error: "invalid_client",
      description: "invalid client secret",
      status: 403,
      remedy: "fixConfiguration"
    }
  }
]

shapeSuite("Twitch / documented token responses", Twitch.make(), rows)

describe("Twitch.make", () => {
  it.effect("refreshes with the secret in the body; a dead refresh token is a reauthorize error", () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => jsonResponse({ error: "Bad Request", status: 400, message: "Invalid refresh token" }, 400))
      const oauth = yield* OAuthClient.make({
        provider: Twitch.make({ forceVerify: true }),
        client: { clientId: "hof5gwx0su6owfnys0yan9c87zr6t", clientSecret: Redacted.make("41vpdji4e9gif29md0ouet6fktd2") }
      }).pipe(Effect.provide(layer))
      const error = yield* Effect.flip(oauth.refresh(TokenSet.make({ accessToken: "rfx2uswqe8l4g1mkagrvg5tv0ks3", issuedAt: 0, refreshToken: "5b93chm6hdve3mycz05zfzatkfdenfspp1h1ar2xxdalen01" })))
      expect(error._tag === "OAuthError" && [error.error, error.remedy]).toEqual(["invalid_grant", "reauthorize"])
      expect(seen[0]?.params.get("client_secret")).toBe("41vpdji4e9gif29md0ouet6fktd2")
      expect(seen[0]?.headers["authorization"]).toBeUndefined()
    }))
})
