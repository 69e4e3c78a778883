import { GitLab } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://docs.gitlab.com/api/oauth2/"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with created_at",
    source: `${docs}#authorization-code-with-proof-key-for-code-exchange-pkce`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "de6780bc506a0446309bd9362820ba8aed28aa506c71eedbe1c5c4f9dd350e54", token_type: "bearer", expires_in: 7200, refresh_token: "8257e65c97202ed1726cf9571600918f3bffb2544b26e00a61df9897668c33a1", created_at: 1607635748 }),
    expected: { _tag: "TokenSet", accessToken: "de6780bc506a0446309bd9362820ba8aed28aa506c71eedbe1c5c4f9dd350e54", tokenType: "Bearer", expiresAt: after(7200), refreshToken: "8257e65c97202ed1726cf9571600918f3bffb2544b26e00a61df9897668c33a1", scopes: [], extra: { created_at: 1607635748 } }
  },
  {
    name: "refresh: a new refresh token replaces the old",
    source: `${docs}#authorization-code-with-proof-key-for-code-exchange-pkce`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "c97d1fe52119f38c7f67f0a14db68d60caa35ddc86fd12401718b649dcfa9c68", token_type: "bearer", expires_in: 7200, refresh_token: "803c1fd487fec35562c205dac93e9d8e08f9d3652a24079d704df3039df1158f", created_at: 1628711391 }),
    expected: { _tag: "TokenSet", accessToken: "c97d1fe52119f38c7f67f0a14db68d60caa35ddc86fd12401718b649dcfa9c68", tokenType: "Bearer", expiresAt: after(7200), refreshToken: "803c1fd487fec35562c205dac93e9d8e08f9d3652a24079d704df3039df1158f", scopes: [], extra: { created_at: 1628711391 } }
  },
  // GitLab's OAuth 2.0 page shows error bodies only for the device flow (RFC 8628 codes, texts elided as
  // "..."); none for a used code or a dead refresh token: no error row.
]

shapeSuite("GitLab / documented token responses", GitLab.make(), rows)

describe("GitLab.make", () => {
  it("puts every endpoint on a self-managed base URL", () => {
    const provider = GitLab.make({ baseUrl: "https://gitlab.example.com/" })
    expect([provider.issuer, provider.tokenEndpoint, provider.revocationEndpoint]).toEqual([
      "https://gitlab.example.com",
      "https://gitlab.example.com/oauth/token",
      "https://gitlab.example.com/oauth/revoke"
    ])
  })
})
