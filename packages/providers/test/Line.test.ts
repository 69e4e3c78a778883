import { Line } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://developers.line.biz/en/reference/line-login/"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with an ID token",
    source: `${docs}#issue-token-response`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "bNl4YEFPI/hjFWhTqexp4MuEw5YPs", expires_in: 2592000, id_token: "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", refresh_token: "Aa1FdeggRhTnPNNpxr8p", scope: "profile", token_type: "Bearer" }),
    expected: { _tag: "TokenSet", accessToken: "bNl4YEFPI/hjFWhTqexp4MuEw5YPs", tokenType: "Bearer", expiresAt: after(2592000), refreshToken: "Aa1FdeggRhTnPNNpxr8p", idToken: "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", scopes: ["profile"], extra: {} }
  },
  {
    name: "refresh: a refresh token comes back",
    source: `${docs}#refresh-access-token-response`,
    status: 200,
    headers: json,
    body: JSON.stringify({ token_type: "Bearer", scope: "profile", access_token: "bNl4YEFPI/hjFWhTqexp4MuEw8YPs", expires_in: 2591977, refresh_token: "8iFFRdyxNVNLWYeteMMJ" }),
    expected: { _tag: "TokenSet", accessToken: "bNl4YEFPI/hjFWhTqexp4MuEw8YPs", tokenType: "Bearer", expiresAt: after(2591977), refreshToken: "8iFFRdyxNVNLWYeteMMJ", scopes: ["profile"], extra: {} }
  }
  // The LINE Login reference as found lists the status codes (400 for a bad request) but shows no error
  // body of /oauth2/v2.1/token: no error row.
]

shapeSuite("LINE / documented token responses", Line.make(), rows)

describe("Line.make", () => {
  it("revokes at LINE's endpoint and passes bot_prompt", () => {
    const provider = Line.make({ botPrompt: "aggressive" })
    expect(provider.revocationEndpoint).toBe("https://api.line.me/oauth2/v2.1/revoke")
    expect(provider.requests?.authorizationParams).toEqual({ bot_prompt: "aggressive" })
  })
})
