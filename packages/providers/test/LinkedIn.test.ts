import { LinkedIn } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

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
  // The LinkedIn pages as found show no error body of /oauth/v2/accessToken: no error rows, and no
  // LinkedIn body is read specially.
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
