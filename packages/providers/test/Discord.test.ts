import { Discord } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://discord.com/developers/docs/topics/oauth2"
const limits = "https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange",
    source: `${docs}#authorization-code-grant-access-token-response`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "6qrZcUqja7812RVdnEKjpzOL4CvHBFG", token_type: "Bearer", expires_in: 604800, refresh_token: "D43f5y0ahjqew82jZ4NViEr2YafMKhue", scope: "identify" }),
    expected: { _tag: "TokenSet", accessToken: "6qrZcUqja7812RVdnEKjpzOL4CvHBFG", tokenType: "Bearer", expiresAt: after(604800), refreshToken: "D43f5y0ahjqew82jZ4NViEr2YafMKhue", scopes: ["identify"], extra: {} }
  },
  {
    name: "client credentials: no refresh token",
    source: `${docs}#client-credentials-grant`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "6qrZcUqja7812RVdnEKjpzOL4CvHBFG", token_type: "Bearer", expires_in: 604800, scope: "identify connections" }),
    expected: { _tag: "TokenSet", accessToken: "6qrZcUqja7812RVdnEKjpzOL4CvHBFG", tokenType: "Bearer", expiresAt: after(604800), scopes: ["identify", "connections"], extra: {} }
  },
  // Discord's OAuth2 page shows no error body for a used or expired code: no row for it. The rate-limit
  // page shows the 429 body below.
  {
    name: "rate limited: read as temporarily_unavailable with Retry-After",
    source: limits,
    status: 429,
    headers: { ...json, "retry-after": "65" },
    body: JSON.stringify({ message: "You are being rate limited.", retry_after: 64.57, global: false }),
    expected: { _tag: "OAuthError", error: "temporarily_unavailable", description: "You are being rate limited.", status: 429, remedy: "retry", retryAfter: 65, details: { retry_after: 64.57, global: false } }
  }
]

shapeSuite("Discord / documented token responses", Discord.make(), rows)

describe("Discord.make", () => {
  it("revokes at Discord's RFC 7009 endpoint and passes prompt", () => {
    const provider = Discord.make({ prompt: "none" })
    expect(provider.revocationEndpoint).toBe("https://discord.com/api/oauth2/token/revoke")
    expect(provider.requests?.authorizationParams).toEqual({ prompt: "none" })
  })
})
