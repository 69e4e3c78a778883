import { Yahoo } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://developer.yahoo.com/oauth2/guide/flows_authcode/"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with xoauth_yahoo_guid and an ID token",
    source: `${docs}#step-4-exchange-authorization-code-for-access-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "Jzxbkqqcvjqik2IMxGFEE1cuaos--", token_type: "bearer", expires_in: 3600, refresh_token: "AOiRUlJn_qOmByVGTmUpwcMKW3XDcipToOoHx2wRoyLgJC_RFlA-", xoauth_yahoo_guid: "JT4FACLQZI2OCE", id_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.e30.c2ln" }),
    expected: { _tag: "TokenSet", accessToken: "Jzxbkqqcvjqik2IMxGFEE1cuaos--", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "AOiRUlJn_qOmByVGTmUpwcMKW3XDcipToOoHx2wRoyLgJC_RFlA-", idToken: "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.e30.c2ln", scopes: [], extra: { xoauth_yahoo_guid: "JT4FACLQZI2OCE" } }
  },
  {
    name: "refresh: the same refresh token comes back",
    source: `${docs}#refresh-token-label`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "Jzxbkqqcvjqik2IMxGFEE1cuaos--2", token_type: "bearer", expires_in: 3600, refresh_token: "AOiRUlJn_qOmByVGTmUpwcMKW3XDcipToOoHx2wRoyLgJC_RFlA-", xoauth_yahoo_guid: "JT4FACLQZI2OCE" }),
    expected: { _tag: "TokenSet", accessToken: "Jzxbkqqcvjqik2IMxGFEE1cuaos--2", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "AOiRUlJn_qOmByVGTmUpwcMKW3XDcipToOoHx2wRoyLgJC_RFlA-", scopes: [], extra: { xoauth_yahoo_guid: "JT4FACLQZI2OCE" } }
  }
  // Yahoo's OAuth 2.0 guide as found shows no error body of get_token: no error row.
]

shapeSuite("Yahoo / documented token responses", Yahoo.make(), rows)

describe("Yahoo.make", () => {
  it("names Yahoo's issuer and key set", () => {
    const provider = Yahoo.make()
    expect([provider.issuer, provider.jwksUri]).toEqual(["https://api.login.yahoo.com", "https://api.login.yahoo.com/openid/v1/certs"])
  })
})
