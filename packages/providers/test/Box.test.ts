import { Box } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const token = "https://developer.box.com/reference/post-oauth2-token/"
const refresh = "https://developer.box.com/guides/authentication/tokens/refresh/"
const oauth2Error = "https://developer.box.com/reference/resources/oauth2-error/"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with restricted_to",
    source: token,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "c3FIOG9vSGV4VHz8QzlR3MOyjuVXxfJs", expires_in: 3600, restricted_to: [], refresh_token: "c3FIOG9vSGV4VHz8QzlR3MOyjuVXxfJs1", token_type: "bearer" }),
    expected: { _tag: "TokenSet", accessToken: "c3FIOG9vSGV4VHz8QzlR3MOyjuVXxfJs", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "c3FIOG9vSGV4VHz8QzlR3MOyjuVXxfJs1", scopes: [], extra: { restricted_to: [] } }
  },
  {
    name: "refresh: a new single-use refresh token replaces the old",
    source: refresh,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "T9cE5asGnuyYCCqIZFoWjFHvNbvVqHjl", expires_in: 3600, restricted_to: [], refresh_token: "J7rxTiWOHMoSC1isKZKBZWizoRXjkQzig5C6jFgCVJ9bUnsUfGMinKBDLZWP9BgR", token_type: "bearer" }),
    expected: { _tag: "TokenSet", accessToken: "T9cE5asGnuyYCCqIZFoWjFHvNbvVqHjl", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "J7rxTiWOHMoSC1isKZKBZWizoRXjkQzig5C6jFgCVJ9bUnsUfGMinKBDLZWP9BgR", scopes: [], extra: { restricted_to: [] } }
  },
  // Box documents one OAuth 2.0 error example (its `oauth2_error` resource), answered with status 400 by
  // POST /oauth2/token. Its documentation shows no body for a used or expired refresh token: no row for it.
  oauthError({ name: "a wrong client secret", source: oauth2Error, status: 400, headers: json, error: "invalid_client", description: "The client credentials are not valid", remedy: "fixConfiguration" })
]

shapeSuite("Box / documented token responses", Box.make(), rows)

describe("Box.make", () => {
  it("revokes at the RFC 7009 endpoint", () => {
    expect(Box.make().revocationEndpoint).toBe("https://api.box.com/oauth2/revoke")
  })
})
