import { Box } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const token = "https://developer.box.com/reference/post-oauth2-token/"
const refresh = "https://developer.box.com/reference/post-oauth2-token--refresh/"
const oauth2Error = "https://developer.box.com/reference/resources/oauth2-error/"

// The reference's example body, the same for the code exchange and the refresh.
const documented = {
  access_token: "c3FIOG9vSGV4VHo4QzAyg5T1JvNnJoZ3ExaVNyQWw6WjRsanRKZG5lQk9qUE1BVQ",
  expires_in: 3600,
  token_type: "bearer",
  restricted_to: [{ scope: "item_download", object: { id: "12345", type: "folder", etag: "1", sequence_id: "3", name: "Contracts" } }],
  refresh_token: "c3FIOG9vSGV4VHo4QzAyg5T1JvNnJoZ3ExaVNyQWw6WjRsanRKZG5lQk9qUE1BVQ",
  issued_token_type: "urn:ietf:params:oauth:token-type:access_token"
}
const tokens = {
  _tag: "TokenSet",
  accessToken: documented.access_token,
  tokenType: "Bearer",
  expiresAt: after(3600),
  refreshToken: documented.refresh_token,
  scopes: [],
  extra: { restricted_to: documented.restricted_to, issued_token_type: documented.issued_token_type }
} as const

const rows: ReadonlyArray<Fixture> = [
  { name: "code exchange with restricted_to and issued_token_type", source: token, status: 200, headers: json, body: JSON.stringify(documented), expected: tokens },
  { name: "refresh: a new single-use refresh token replaces the old", source: refresh, status: 200, headers: json, body: JSON.stringify(documented), expected: tokens },
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
