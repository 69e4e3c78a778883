import { Cognito } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"
import { discoveryStub } from "./helpers/http.js"

const docs = "https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html"
const options = { region: "eu-west-1", userPoolId: "eu-west-1_AbCdEf123", domain: "example.auth.eu-west-1.amazoncognito.com" }

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: ID, access and refresh tokens",
    source: `${docs}#post-token-positive-exchanging-an-authorization-code-for-tokens`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "eyJra1example", id_token: "eyJra2example", refresh_token: "eyJj3example", token_type: "Bearer", expires_in: 3600 }),
    expected: { _tag: "TokenSet", accessToken: "eyJra1example", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "eyJj3example", idToken: "eyJra2example", scopes: [], extra: {} }
  },
  {
    name: "refresh without rotation: no refresh token (the first is kept)",
    source: `${docs}#post-token-positive-exchanging-a-refresh-token-for-tokens`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "eyJra1example", id_token: "eyJra2example", token_type: "Bearer", expires_in: 3600 }),
    expected: { _tag: "TokenSet", accessToken: "eyJra1example", tokenType: "Bearer", expiresAt: after(3600), idToken: "eyJra2example", scopes: [], extra: {} }
  },
  oauthError({ name: "an expired or used code, or a revoked refresh token", source: `${docs}#post-token-negative`, status: 400, headers: json, error: "invalid_grant", remedy: "reauthorize" }),
  oauthError({ name: "a client not allowed the grant", source: `${docs}#post-token-negative`, status: 400, headers: json, error: "unauthorized_client", remedy: "fixConfiguration" })
]

shapeSuite("Cognito / documented token responses", Cognito.make(options), rows)

describe("Cognito", () => {
  it("puts the endpoints on the pool's domain and the issuer on cognito-idp", () => {
    const provider = Cognito.make(options)
    expect([provider.issuer, provider.tokenEndpoint, provider.revocationEndpoint]).toEqual([
      "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
      "https://example.auth.eu-west-1.amazoncognito.com/oauth2/token",
      "https://example.auth.eu-west-1.amazoncognito.com/oauth2/revoke"
    ])
  })

  it.effect("discovers the pool at its issuer", () =>
    Effect.gen(function*() {
      const issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
      const { layer } = discoveryStub(issuer, { token_endpoint: "https://example.auth.eu-west-1.amazoncognito.com/oauth2/token" })
      const found = yield* Cognito.discover(options).pipe(Effect.provide(layer))
      expect([found.issuer, found.tokenEndpoint, found.defaultScopes]).toEqual([issuer, "https://example.auth.eu-west-1.amazoncognito.com/oauth2/token", ["openid", "email", "profile"]])
    }))
})
