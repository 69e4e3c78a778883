import { X } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with offline.access",
    source: docs,
    status: 200,
    headers: json,
    body: JSON.stringify({ token_type: "bearer", expires_in: 7200, access_token: "VGNibzFWSWREZm01bjN1N3dicWlNUG1oa2xRRVNNdmVHelJGY2hPWGxNd2dxOjE2MjIxNjA4MjE3MjU6MToxOmF0OjE", scope: "tweet.read users.read offline.access", refresh_token: "bWRWa3gzdnk3WHRGU1o0bmRRcTJ5VUxWX1lZTDdJSUtmaWcxbTVxdEFXcW5tOjE2MjIxNDc3NDM5MTQ6MToxOnJ0OjE" }),
    expected: { _tag: "TokenSet", accessToken: "VGNibzFWSWREZm01bjN1N3dicWlNUG1oa2xRRVNNdmVHelJGY2hPWGxNd2dxOjE2MjIxNjA4MjE3MjU6MToxOmF0OjE", tokenType: "Bearer", expiresAt: after(7200), refreshToken: "bWRWa3gzdnk3WHRGU1o0bmRRcTJ5VUxWX1lZTDdJSUtmaWcxbTVxdEFXcW5tOjE2MjIxNDc3NDM5MTQ6MToxOnJ0OjE", scopes: ["tweet.read", "users.read", "offline.access"], extra: {} }
  },
  {
    name: "a used refresh token (rotation): invalid_request read as invalid_grant",
    source: docs,
    status: 400,
    headers: json,
    body: JSON.stringify({ error: "invalid_request", error_description: "Value passed for the token was invalid." }),
    expected: { _tag: "OAuthError", error: "invalid_grant", description: "Value passed for the token was invalid.", status: 400, remedy: "reauthorize", details: { provider_error: "invalid_request" } }
  },
  oauthError({ name: "a missing parameter stays invalid_request", source: docs, status: 400, headers: json, error: "invalid_request", description: "Missing required parameter [code_verifier].", remedy: "fixConfiguration" }),
  {
    name: "rate limited: the problem body read as temporarily_unavailable",
    source: "https://docs.x.com/x-api/fundamentals/rate-limits",
    status: 429,
    headers: { ...json, "x-rate-limit-reset": "1736943300" },
    body: JSON.stringify({ title: "Too Many Requests", detail: "Too Many Requests", type: "about:blank", status: 429 }),
    expected: { _tag: "OAuthError", error: "temporarily_unavailable", description: "Too Many Requests", status: 429, remedy: "retry", details: { type: "about:blank", title: "Too Many Requests", status: 429 } }
  }
]

shapeSuite("X / documented token responses", X.make(), rows)

describe("X.make", () => {
  it("requires PKCE and revokes at X's endpoint", () => {
    const provider = X.make()
    expect(provider.requests?.pkce).not.toBe(false)
    expect(provider.codeChallengeMethodsSupported).toContain("S256")
    expect(provider.revocationEndpoint).toBe("https://api.x.com/2/oauth2/revoke")
  })
})
