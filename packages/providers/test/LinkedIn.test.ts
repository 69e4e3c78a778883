import { LinkedIn } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const flow = "https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow"
const refresh = "https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: comma-separated scope, an ID token",
    source: "https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2#response-body-schema",
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "AQUvlL_DYEzvT2wz1QJiEPeLioeA", expires_in: 5184000, scope: "email,openid,profile", token_type: "Bearer", id_token: "eyJ6aXAiOiJERUYiLCJraWQiOiJkOTI5NjY4YS1iYWI.e30.c2ln" }),
    expected: { _tag: "TokenSet", accessToken: "AQUvlL_DYEzvT2wz1QJiEPeLioeA", tokenType: "Bearer", expiresAt: after(5184000), idToken: "eyJ6aXAiOiJERUYiLCJraWQiOiJkOTI5NjY4YS1iYWI.e30.c2ln", scopes: ["email", "openid", "profile"], extra: {} }
  },
  {
    name: "refresh (partners): refresh_token_expires_in counts down, not extended",
    source: `${refresh}#step-2-exchanging-a-refresh-token-for-a-new-access-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "BBBB2302Be_ZrQ", expires_in: 5184000, refresh_token: "BBBB28SNp1wV", refresh_token_expires_in: 525600, scope: "r_basicprofile" }),
    expected: { _tag: "TokenSet", accessToken: "BBBB2302Be_ZrQ", tokenType: "Bearer", expiresAt: after(5184000), refreshToken: "BBBB28SNp1wV", refreshTokenExpiresAt: after(525600), scopes: ["r_basicprofile"], extra: {} }
  },
  {
    name: "an expired code: invalid_request read as invalid_grant",
    source: `${flow}#step-3-exchange-authorization-code-for-an-access-token`,
    status: 400,
    headers: json,
    body: JSON.stringify({ error: "invalid_request", error_description: "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists" }),
    expected: { _tag: "OAuthError", error: "invalid_grant", description: "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists", status: 400, remedy: "reauthorize", details: { provider_error: "invalid_request" } }
  },
  oauthError({ name: "a missing parameter stays invalid_request", source: `${flow}#step-3-exchange-authorization-code-for-an-access-token`, status: 400, headers: json, error: "invalid_request", description: "A required parameter \"client_id\" is missing", remedy: "fixConfiguration" }),
  oauthError({ name: "an expired refresh token", source: refresh, status: 400, headers: json, error: "invalid_grant", description: "The provided authorization grant or refresh token is invalid, expired or revoked.", remedy: "reauthorize" })
]

shapeSuite("LinkedIn / documented token responses", LinkedIn.make(), rows)

describe("LinkedIn.make", () => {
  it("revokes and introspects at LinkedIn's endpoints", () => {
    const provider = LinkedIn.make()
    expect([provider.revocationEndpoint, provider.introspectionEndpoint]).toEqual([
      "https://www.linkedin.com/oauth/v2/revoke",
      "https://www.linkedin.com/oauth/v2/introspectToken"
    ])
  })
})
