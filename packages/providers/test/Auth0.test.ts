import { Auth0 } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"
import { discoveryStub } from "./helpers/http.js"

const api = "https://auth0.com/docs/api/authentication"
const mfa = "https://auth0.com/docs/secure/multi-factor-authentication/authenticate-using-ropg-flow-with-mfa"
const provider = Auth0.make({ domain: "example.us.auth0.com" })

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with offline_access",
    source: `${api}/authorization-code-flow/get-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "eyJz93a...k4laUWw", refresh_token: "GEbRxBN...edjnXbL", id_token: "eyJ0XAi...4faeEoQ", token_type: "Bearer", expires_in: 86400 }),
    expected: { _tag: "TokenSet", accessToken: "eyJz93a...k4laUWw", tokenType: "Bearer", expiresAt: after(86400), refreshToken: "GEbRxBN...edjnXbL", idToken: "eyJ0XAi...4faeEoQ", scopes: [], extra: {} }
  },
  {
    name: "refresh without rotation: no refresh token, scope echoed",
    source: `${api}/refresh-token/refresh-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "eyJ...MoQ", expires_in: 86400, scope: "openid offline_access", id_token: "eyJ...0NE", token_type: "Bearer" }),
    expected: { _tag: "TokenSet", accessToken: "eyJ...MoQ", tokenType: "Bearer", expiresAt: after(86400), idToken: "eyJ...0NE", scopes: ["openid", "offline_access"], extra: {} }
  },
  oauthError({ name: "unknown or revoked refresh token", source: "https://support.auth0.com/center/s/article/troubleshoot-refresh-token-unknown-or-invalid-before-expiry-403-unknown-or-invalid-refresh-token", status: 403, headers: json, error: "invalid_grant", description: "Unknown or invalid refresh token.", remedy: "reauthorize" }),
  {
    name: "mfa_required read as interaction_required, mfa_token kept redacted",
    source: mfa,
    status: 403,
    headers: json,
    body: JSON.stringify({ error: "mfa_required", error_description: "Multifactor authentication required", mfa_token: "Fe26...Ha" }),
    expected: { _tag: "OAuthError", error: "interaction_required", description: "Multifactor authentication required", status: 403, remedy: "reauthorize", details: { mfa_token: { redacted: "Fe26...Ha" }, provider_error: "mfa_required" } }
  }
  // The MFA page shows the mfa_required body, not its status (403 here). Auth0's error list names
  // too_many_attempts and invalid_user_password without a token endpoint body or status: no rows for them.
]

shapeSuite("Auth0 / documented token responses", provider, rows)

describe("Auth0", () => {
  it("builds the tenant's endpoints from its domain", () => {
    expect([provider.issuer, provider.tokenEndpoint, provider.revocationEndpoint]).toEqual([
      "https://example.us.auth0.com/",
      "https://example.us.auth0.com/oauth/token",
      "https://example.us.auth0.com/oauth/revoke"
    ])
    expect(Auth0.make({ domain: "example.us.auth0.com", audience: "https://api.example" }).requests?.authorizationParams).toEqual({ audience: "https://api.example" })
  })

  it.effect("discovers the tenant and adds Auth0's quirks", () =>
    Effect.gen(function*() {
      const { layer, seen } = discoveryStub("https://example.us.auth0.com/", {
        authorization_endpoint: "https://example.us.auth0.com/authorize",
        token_endpoint: "https://example.us.auth0.com/oauth/token",
        scopes_supported: ["openid", "profile"]
      })
      const found = yield* Auth0.discover({ domain: "example.us.auth0.com" }).pipe(Effect.provide(layer))
      expect(seen[0]?.url.href).toBe("https://example.us.auth0.com/.well-known/openid-configuration")
      expect([found.tokenEndpoint, found.tokenResponse, found.defaultScopes]).toEqual([provider.tokenEndpoint, Auth0.tokenResponse, provider.defaultScopes])
    }))
})
