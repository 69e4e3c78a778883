import { Linear } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://linear.app/developers/oauth-2-0-authentication"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: scope as a JSON array, a refresh token (apps since October 2025)",
    source: `${docs}#4-exchange-code-for-an-access-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "lin_oauth_00a21d8b0c4e2375114e49c067dfb81e", token_type: "Bearer", expires_in: 86399, scope: ["read", "write"], refresh_token: "lin_refresh_8f2a91c44b0e" }),
    expected: { _tag: "TokenSet", accessToken: "lin_oauth_00a21d8b0c4e2375114e49c067dfb81e", tokenType: "Bearer", expiresAt: after(86399), refreshToken: "lin_refresh_8f2a91c44b0e", scopes: ["read", "write"], extra: {} }
  },
  {
    name: "older apps: a ten-year token (read at the ten-year cap) and no refresh token",
    source: `${docs}#4-exchange-code-for-an-access-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "00a21d8b0c4e2375114e49c067dfb81eb0d2076f48354714cd5df984d87b67cc", token_type: "Bearer", expires_in: 315705599, scope: "read,write" }),
    expected: { _tag: "TokenSet", accessToken: "00a21d8b0c4e2375114e49c067dfb81eb0d2076f48354714cd5df984d87b67cc", tokenType: "Bearer", expiresAt: after(10 * 365 * 24 * 60 * 60), scopes: ["read", "write"], extra: {} }
  },
  oauthError({ name: "a used or expired code", source: docs, status: 400, headers: json, error: "invalid_grant", remedy: "reauthorize" })
]

shapeSuite("Linear / documented token responses", Linear.make(), rows)

describe("Linear.make", () => {
  it("revokes at Linear's endpoint and passes actor", () => {
    const provider = Linear.make({ actor: "app" })
    expect(provider.revocationEndpoint).toBe("https://api.linear.app/oauth/revoke")
    expect(provider.requests?.authorizationParams).toEqual({ actor: "app" })
  })
})
