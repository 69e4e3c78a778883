import { X } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

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
  // X's OAuth 2.0 and rate-limit pages as found show no error body of /2/oauth2/token: no error rows,
  // and no X body is read specially.
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
