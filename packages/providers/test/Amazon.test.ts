import { Amazon } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const code = "https://developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html"
const refresh = "https://developer.amazon.com/docs/login-with-amazon/refresh-token.html"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with Atza| and Atzr| tokens",
    source: `${code}#access-token-response`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "Atza|IQEBLjAsAhRmHjNgHpi0U-Dme37rR6CuUpSR", token_type: "bearer", expires_in: 3600, refresh_token: "Atzr|IQEBLzAtAhRPpMJxdwVz2Nn6f2y-tpJX2DeX" }),
    expected: { _tag: "TokenSet", accessToken: "Atza|IQEBLjAsAhRmHjNgHpi0U-Dme37rR6CuUpSR", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "Atzr|IQEBLzAtAhRPpMJxdwVz2Nn6f2y-tpJX2DeX", scopes: [], extra: {} }
  },
  {
    name: "refresh returns a refresh token",
    source: refresh,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "Atza|IQEBLjAsAhRHj83hc-rEvdc8kp6fnSS", token_type: "bearer", expires_in: 3600, refresh_token: "Atzr|IQEBLzAtAhRPpMJxdwVz2Nn6f2y-tpJX2DeX" }),
    expected: { _tag: "TokenSet", accessToken: "Atza|IQEBLjAsAhRHj83hc-rEvdc8kp6fnSS", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "Atzr|IQEBLzAtAhRPpMJxdwVz2Nn6f2y-tpJX2DeX", scopes: [], extra: {} }
  },
  oauthError({ name: "expired or used code", source: `${code}#access-token-errors`, status: 400, headers: json, error: "invalid_grant", description: "The authorization code is invalid or has expired.", remedy: "reauthorize" }),
  oauthError({ name: "wrong client secret", source: `${code}#access-token-errors`, status: 401, headers: json, error: "invalid_client", description: "Client authentication failed", remedy: "fixConfiguration" }),
  {
    name: "ServerError read as server_error",
    source: `${code}#access-token-errors`,
    status: 500,
    headers: json,
    body: JSON.stringify({ error: "ServerError", error_description: "The server encountered a runtime error." }),
    expected: { _tag: "OAuthError", error: "server_error", description: "The server encountered a runtime error.", status: 500, remedy: "retry", details: { provider_error: "ServerError" } }
  },
  {
    name: "TemporarilyUnavailable read as temporarily_unavailable",
    source: `${code}#access-token-errors`,
    status: 503,
    headers: json,
    body: JSON.stringify({ error: "TemporarilyUnavailable", error_description: "The server is temporarily unavailable." }),
    expected: { _tag: "OAuthError", error: "temporarily_unavailable", description: "The server is temporarily unavailable.", status: 503, remedy: "retry", details: { provider_error: "TemporarilyUnavailable" } }
  }
]

shapeSuite("Amazon / documented token responses", Amazon.make(), rows)

describe("Amazon.make", () => {
  it("uses the regional token host", () => {
    expect(Amazon.make({ region: "eu" }).tokenEndpoint).toBe("https://api.amazon.co.uk/auth/o2/token")
    expect(Amazon.make().tokenEndpoint).toBe("https://api.amazon.com/auth/o2/token")
  })
})
