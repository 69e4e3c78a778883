import { Strava } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://developers.strava.com/docs/authentication/"
// Members named `code` are kept Redacted in `details` (a code is a credential
// elsewhere), Strava's error `code` too.
const athlete = { id: 134815, username: "marianne_t", firstname: "Marianne", lastname: "Teutenberg" }

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: expires_in and expires_at, the athlete kept",
    source: `${docs}#tokenexchange`,
    status: 200,
    headers: json,
    body: JSON.stringify({ token_type: "Bearer", expires_at: 1736963600, expires_in: 21600, refresh_token: "e5n567567...", access_token: "a4b945687g...", athlete }),
    expected: { _tag: "TokenSet", accessToken: "a4b945687g...", tokenType: "Bearer", expiresAt: after(21600), refreshToken: "e5n567567...", scopes: [], extra: { expires_at: 1736963600, athlete } }
  },
  {
    name: "refresh: expires_at alone still gives the expiry",
    source: `${docs}#refreshingexpiredaccesstokens`,
    status: 200,
    headers: json,
    body: JSON.stringify({ token_type: "Bearer", access_token: "a9b723...", expires_at: 1736949600, refresh_token: "b5c569..." }),
    expected: { _tag: "TokenSet", accessToken: "a9b723...", tokenType: "Bearer", expiresAt: 1736949600 * 1000, refreshToken: "b5c569...", scopes: [], extra: {} }
  },
  {
    name: "an invalid refresh token: errors[] read as invalid_grant",
    source: `${docs}#refreshingexpiredaccesstokens`,
    status: 400,
    headers: json,
    body: JSON.stringify({ message: "Bad Request", errors: [{ resource: "RefreshToken", field: "refresh_token", code: "invalid" }] }),
    expected: { _tag: "OAuthError", error: "invalid_grant", description: "Bad Request", status: 400, remedy: "reauthorize", details: { errors: [{ resource: "RefreshToken", field: "refresh_token", code: { redacted: "invalid" } }] } }
  },
  {
    name: "a wrong client secret: Application read as invalid_client",
    source: `${docs}#tokenexchange`,
    status: 401,
    headers: json,
    body: JSON.stringify({ message: "Authorization Error", errors: [{ resource: "Application", field: "client_secret", code: "invalid" }] }),
    expected: { _tag: "OAuthError", error: "invalid_client", description: "Authorization Error", status: 401, remedy: "fixConfiguration", details: { errors: [{ resource: "Application", field: "client_secret", code: { redacted: "invalid" } }] } }
  },
  {
    name: "rate limited: read as temporarily_unavailable",
    source: "https://developers.strava.com/docs/rate-limits/",
    status: 429,
    headers: json,
    body: JSON.stringify({ message: "Rate Limit Exceeded", errors: [{ resource: "Application", field: "rate limit", code: "exceeded" }] }),
    expected: { _tag: "OAuthError", error: "temporarily_unavailable", description: "Rate Limit Exceeded", status: 429, remedy: "retry", details: { errors: [{ resource: "Application", field: "rate limit", code: { redacted: "exceeded" } }] } }
  }
]

shapeSuite("Strava / documented token responses", Strava.make(), rows)

describe("Strava.grantedScopes", () => {
  it("reads the comma-separated scopes the athlete granted from the callback", () => {
    // https://developers.strava.com/docs/authentication/#detailsaboutrequestingaccess
    const callback = new URL("https://app.example/exchange_token?state=&code=75e251e3ff8fff&scope=read,activity:read")
    expect(Strava.grantedScopes(callback)).toEqual(["read", "activity:read"])
    expect(Strava.grantedScopes(new URL("https://app.example/exchange_token?code=x"))).toEqual([])
  })
})
