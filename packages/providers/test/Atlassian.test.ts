import { Atlassian } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/"
const refreshTokens = "https://developer.atlassian.com/cloud/oauth/getting-started/refresh-tokens/"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with offline_access: a refresh token",
    source: `${docs}#2--exchange-authorization-code-for-access-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20", expires_in: 3600, token_type: "Bearer", refresh_token: "eyJraWQiOiI1MWE2YjE2MjRlMTQ5ZDFiYTdhM2VmZjciL", scope: "read:jira-work offline_access" }),
    expected: { _tag: "TokenSet", accessToken: "eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "eyJraWQiOiI1MWE2YjE2MjRlMTQ5ZDFiYTdhM2VmZjciL", scopes: ["read:jira-work", "offline_access"], extra: {} }
  },
  {
    name: "rotating refresh: a new refresh token replaces the old",
    source: `${docs}#use-a-refresh-token-to-get-another-access-token-and-refresh-token-pair`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20tYWNjZXNz", refresh_token: "eyJraWQiOiI1MWE2YjE2MjRlMTQ5ZDFiYTdhM2VmZjciLnew", expires_in: 3600, scope: "read:jira-work offline_access", token_type: "Bearer" }),
    expected: { _tag: "TokenSet", accessToken: "eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20tYWNjZXNz", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "eyJraWQiOiI1MWE2YjE2MjRlMTQ5ZDFiYTdhM2VmZjciLnew", scopes: ["read:jira-work", "offline_access"], extra: {} }
  },
  // The refresh-token page documents one error: 403 with invalid_grant "Unknown or invalid refresh token.".
  oauthError({ name: "an unknown, expired or reused refresh token", source: refreshTokens, status: 403, headers: json, error: "invalid_grant", description: "Unknown or invalid refresh token.", remedy: "reauthorize" })
]

shapeSuite("Atlassian / documented token responses", Atlassian.make(), rows)

describe("Atlassian.make", () => {
  it("sends audience=api.atlassian.com and prompt=consent", () => {
    expect(Atlassian.make().requests?.authorizationParams).toEqual({ audience: "api.atlassian.com", prompt: "consent" })
  })
})
