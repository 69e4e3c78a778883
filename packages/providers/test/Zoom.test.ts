import { Zoom } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://developers.zoom.us/docs/integrations/oauth/"
const errors = "https://developers.zoom.us/docs/integrations/oauth-error-messages/"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with api_url",
    source: `${docs}#step-2-request-access-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "eyJhbGciOiJIUzUxMiIsInYiOiIyLjAiLCJraWQiOiI8S0lEPiJ9", token_type: "bearer", refresh_token: "eyJhbGciOiJIUzUxMiIsInYiOiIyLjAiLCJraWQiOiI8S0lEPiJ9r", expires_in: 3599, scope: "user:read:user", api_url: "https://api.zoom.us" }),
    expected: { _tag: "TokenSet", accessToken: "eyJhbGciOiJIUzUxMiIsInYiOiIyLjAiLCJraWQiOiI8S0lEPiJ9", tokenType: "Bearer", expiresAt: after(3599), refreshToken: "eyJhbGciOiJIUzUxMiIsInYiOiIyLjAiLCJraWQiOiI8S0lEPiJ9r", scopes: ["user:read:user"], extra: { api_url: "https://api.zoom.us" } }
  },
  {
    name: "refresh: a new refresh token replaces the old",
    source: `${docs}#refreshing-an-access-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "eyJhbGciOiJIUzUxMiIsInYiOiIyLjAiLCJraWQiOiI8S0lEPiJ9n", token_type: "bearer", refresh_token: "eyJhbGciOiJIUzUxMiIsInYiOiIyLjAiLCJraWQiOiI8S0lEPiJ9m", expires_in: 3599, scope: "user:read:user", api_url: "https://api.zoom.us" }),
    expected: { _tag: "TokenSet", accessToken: "eyJhbGciOiJIUzUxMiIsInYiOiIyLjAiLCJraWQiOiI8S0lEPiJ9n", tokenType: "Bearer", expiresAt: after(3599), refreshToken: "eyJhbGciOiJIUzUxMiIsInYiOiIyLjAiLCJraWQiOiI8S0lEPiJ9m", scopes: ["user:read:user"], extra: { api_url: "https://api.zoom.us" } }
  },
  {
    name: "an invalid code: reason read as the description",
    source: errors,
    status: 400,
    headers: json,
    body: JSON.stringify({ reason: "Invalid authorization code", error: "invalid_grant" }),
    expected: { _tag: "OAuthError", error: "invalid_grant", description: "Invalid authorization code", status: 400, remedy: "reauthorize", details: { provider_error: "invalid_grant" } }
  },
  {
    name: "a used refresh token: Invalid Token! invalid_request read as invalid_grant",
    source: errors,
    status: 400,
    headers: json,
    body: JSON.stringify({ reason: "Invalid Token!", error: "invalid_request" }),
    expected: { _tag: "OAuthError", error: "invalid_grant", description: "Invalid Token!", status: 400, remedy: "reauthorize", details: { provider_error: "invalid_request" } }
  },
  {
    name: "a wrong client: invalid_client with its reason",
    source: errors,
    status: 401,
    headers: json,
    body: JSON.stringify({ reason: "Invalid client_id or client_secret", error: "invalid_client" }),
    expected: { _tag: "OAuthError", error: "invalid_client", description: "Invalid client_id or client_secret", status: 401, remedy: "fixConfiguration", details: { provider_error: "invalid_client" } }
  }
]

shapeSuite("Zoom / documented token responses", Zoom.make(), rows)

describe("Zoom.make", () => {
  it("sends the secret in the Basic header and revokes at Zoom's endpoint", () => {
    const provider = Zoom.make()
    expect([provider.tokenEndpointAuthMethodsSupported, provider.revocationEndpoint]).toEqual([["client_secret_basic"], "https://zoom.us/oauth/revoke"])
  })
})
