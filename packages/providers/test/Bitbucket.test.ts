import { Bitbucket } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://developer.atlassian.com/cloud/bitbucket/oauth-2/"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: granted scopes in `scopes`, kept as an extra field",
    source: docs,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "c2lnbmVkLWFjY2Vzcy10b2tlbg==", scopes: "account repository", expires_in: 7200, refresh_token: "dGhlLXJlZnJlc2gtdG9rZW4", token_type: "bearer", state: "authorization_code" }),
    expected: { _tag: "TokenSet", accessToken: "c2lnbmVkLWFjY2Vzcy10b2tlbg==", tokenType: "Bearer", expiresAt: after(7200), refreshToken: "dGhlLXJlZnJlc2gtdG9rZW4", scopes: [], extra: { scopes: "account repository", state: "authorization_code" } }
  },
  {
    name: "refresh: a refresh token comes back",
    source: docs,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "bmV3LWFjY2Vzcy10b2tlbg==", scopes: "account", expires_in: 7200, refresh_token: "dGhlLXJlZnJlc2gtdG9rZW4", token_type: "bearer", state: "refresh_token" }),
    expected: { _tag: "TokenSet", accessToken: "bmV3LWFjY2Vzcy10b2tlbg==", tokenType: "Bearer", expiresAt: after(7200), refreshToken: "dGhlLXJlZnJlc2gtdG9rZW4", scopes: [], extra: { scopes: "account", state: "refresh_token" } }
  },
  // Bitbucket's OAuth 2.0 page shows no error body of /site/oauth2/access_token: no error row.
]

shapeSuite("Bitbucket / documented token responses", Bitbucket.make(), rows)

describe("Bitbucket.make", () => {
  it("sends the secret in the Basic header and has no revocation endpoint", () => {
    const provider = Bitbucket.make()
    expect([provider.tokenEndpointAuthMethodsSupported, provider.revocationEndpoint]).toEqual([["client_secret_basic"], undefined])
  })
})
