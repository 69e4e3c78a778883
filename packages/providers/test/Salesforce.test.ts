import { TokenSet } from "@effect-oauth/core"
import { Salesforce } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const flow = "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm"
const errors = "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_flow_errors.htm"
const refresh = "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm"
const instance = { instance_url: "https://yourInstance.salesforce.com", id: "https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P", issued_at: "1278448832702", signature: "0CmxinZir53Yex7nE0TD+zMpvIWYGb/bdJh6XfOH6EQ=" }

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: instance_url, id, issued_at and signature kept; no expires_in",
    source: flow,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "00Dx0000000BV7z!AR8AQP0jITN80ESEsj5EbaZTFG0RNBaT1cyWk7T", refresh_token: "5Aep8614iLM.Dq661ePDmPEgaAW9Oh_L3JKkDpB4xReb54_pZebnUG0h6Sb4KUVDpNtWEofWM39yg==", signature: instance.signature, scope: "refresh_token api", id_token: "eyJraWQiOiIyMjAiLCJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2ln", instance_url: instance.instance_url, id: instance.id, token_type: "Bearer", issued_at: instance.issued_at }),
    expected: { _tag: "TokenSet", accessToken: "00Dx0000000BV7z!AR8AQP0jITN80ESEsj5EbaZTFG0RNBaT1cyWk7T", tokenType: "Bearer", refreshToken: "5Aep8614iLM.Dq661ePDmPEgaAW9Oh_L3JKkDpB4xReb54_pZebnUG0h6Sb4KUVDpNtWEofWM39yg==", idToken: "eyJraWQiOiIyMjAiLCJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.c2ln", scopes: ["refresh_token", "api"], extra: instance }
  },
  {
    name: "refresh: no refresh token, instance_url again",
    source: refresh,
    status: 200,
    headers: json,
    body: JSON.stringify({ id: instance.id, issued_at: instance.issued_at, instance_url: instance.instance_url, signature: instance.signature, access_token: "00Dx0000000BV7z!AR8AQP0jITN80ESEsj5EbaZTFG0RNBaT1cyWk7TrqoDjoNIWQ2ME", token_type: "Bearer", scope: "id api refresh_token" }),
    expected: { _tag: "TokenSet", accessToken: "00Dx0000000BV7z!AR8AQP0jITN80ESEsj5EbaZTFG0RNBaT1cyWk7TrqoDjoNIWQ2ME", tokenType: "Bearer", scopes: ["id", "api", "refresh_token"], extra: instance }
  },
  // The OAuth error page shows this refresh body (its status, 400, is the one its JWT and SAML examples
  // show). Its own codes (inactive_user, rate_limit_exceeded and the like) are not shown with a body in
  // the pages found: no rows for them, and no mapping.
  oauthError({ name: "an expired or revoked refresh token", source: errors, status: 400, headers: json, error: "invalid_grant", description: "expired access/refresh token", remedy: "reauthorize" })
]

shapeSuite("Salesforce / documented token responses", Salesforce.make(), rows)

describe("Salesforce.instanceUrl", () => {
  it("reads the org's https instance URL, and nothing else", () => {
    const tokens = (extra: Record<string, unknown>) => TokenSet.make({ accessToken: "a", issuedAt: 0, extra })
    expect(Salesforce.instanceUrl(tokens({ instance_url: "https://yourInstance.salesforce.com" }))).toBe("https://yourInstance.salesforce.com")
    expect(Salesforce.instanceUrl(tokens({ instance_url: "http://yourInstance.salesforce.com" }))).toBeUndefined()
    expect(Salesforce.instanceUrl(tokens({}))).toBeUndefined()
  })
})
