import { Okta } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"
import { discoveryStub } from "./helpers/http.js"

const api = "https://developer.okta.com/docs/api/openapi/okta-oauth/oauth/tag/CustomAS/#tag/CustomAS/operation/tokenCustomAS"
const oauthErrors = "https://developer.okta.com/docs/reference/error-codes/"
const custom = { domain: "example.okta.com", authorizationServerId: "default" }

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with offline_access",
    source: api,
    status: 200,
    headers: json,
    body: JSON.stringify({ token_type: "Bearer", expires_in: 3600, access_token: "eyJraWQiOiJ3bE1rY3pNNE9qZ3ZYYmxaMU", scope: "openid offline_access", refresh_token: "a9VpZDRCeFh3Nkk2VdY", id_token: "eyJraWQiOiJ3bE1rY3pN.e30.c2ln" }),
    expected: { _tag: "TokenSet", accessToken: "eyJraWQiOiJ3bE1rY3pNNE9qZ3ZYYmxaMU", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "a9VpZDRCeFh3Nkk2VdY", idToken: "eyJraWQiOiJ3bE1rY3pN.e30.c2ln", scopes: ["openid", "offline_access"], extra: {} }
  },
  {
    name: "refresh with rotation: a new refresh token",
    source: "https://developer.okta.com/docs/guides/refresh-tokens/main/#refresh-token-rotation",
    status: 200,
    headers: json,
    body: JSON.stringify({ token_type: "Bearer", expires_in: 3600, access_token: "eyJraWQiOiJ3bE1rY3pNNE9qZ3ZYYmxaMU2", scope: "openid offline_access", refresh_token: "b8VpZDRCeFh3Nkk2VdZ" }),
    expected: { _tag: "TokenSet", accessToken: "eyJraWQiOiJ3bE1rY3pNNE9qZ3ZYYmxaMU2", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "b8VpZDRCeFh3Nkk2VdZ", scopes: ["openid", "offline_access"], extra: {} }
  },
  // Okta's OAuth 2.0 error catalogue (data/oauth2-error-codes.json of its developer documentation) gives
  // each error's status, code and description.
  oauthError({ name: "an invalid or expired refresh token", source: oauthErrors, status: 400, headers: json, error: "invalid_grant", description: "The refresh token is invalid or expired.", remedy: "reauthorize" }),
  oauthError({ name: "an invalid or expired code", source: oauthErrors, status: 400, headers: json, error: "invalid_grant", description: "The authorization code is invalid or has expired.", remedy: "reauthorize" }),
  {
    name: "a user rate limit: 429 invalid_grant read as temporarily_unavailable",
    source: oauthErrors,
    status: 429,
    headers: json,
    body: JSON.stringify({ error: "invalid_grant", error_description: "API call exceeded rate limit due to too many requests." }),
    expected: { _tag: "OAuthError", error: "temporarily_unavailable", description: "API call exceeded rate limit due to too many requests.", status: 429, remedy: "retry", details: { provider_error: "invalid_grant" } }
  }
]

shapeSuite("Okta / documented token responses", Okta.make(custom), rows)

describe("Okta", () => {
  it("tells the org server from a custom one", () => {
    const org = Okta.make({ domain: "example.okta.com" })
    const server = Okta.make(custom)
    expect([org.issuer, org.tokenEndpoint]).toEqual(["https://example.okta.com", "https://example.okta.com/oauth2/v1/token"])
    expect([server.issuer, server.tokenEndpoint]).toEqual(["https://example.okta.com/oauth2/default", "https://example.okta.com/oauth2/default/v1/token"])
  })

  it.effect("discovers a custom server with Okta's quirks", () =>
    Effect.gen(function*() {
      const { layer } = discoveryStub("https://example.okta.com/oauth2/default", { token_endpoint: "https://example.okta.com/oauth2/default/v1/token" })
      const found = yield* Okta.discover(custom).pipe(Effect.provide(layer))
      expect([found.tokenEndpoint, found.tokenResponse]).toEqual(["https://example.okta.com/oauth2/default/v1/token", Okta.tokenResponse])
    }))
})
