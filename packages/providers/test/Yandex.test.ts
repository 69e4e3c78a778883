import { Yandex } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://yandex.com/dev/id/doc/en/codes/code-url"
const refresh = "https://yandex.com/dev/id/doc/en/tokens/refresh-client"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: a year-long token and a refresh token",
    source: `${docs}#token-response`,
    status: 200,
    headers: json,
    body: JSON.stringify({ token_type: "bearer", access_token: "AQAAAACy1C6ZAAAAfa6vDLuItEy8pg-iIpnDxIs", expires_in: 31536000, refresh_token: "1:GN686QVt0mmakDd9:A4pYuW9LGk0_UnlrMIWklkAuJkUWbq27loFekJVmSYrdfzdePBy7:A-2dHOmBxiXgajnD-kYOwQ", scope: "login:info login:email login:avatar" }),
    expected: { _tag: "TokenSet", accessToken: "AQAAAACy1C6ZAAAAfa6vDLuItEy8pg-iIpnDxIs", tokenType: "Bearer", expiresAt: after(31536000), refreshToken: "1:GN686QVt0mmakDd9:A4pYuW9LGk0_UnlrMIWklkAuJkUWbq27loFekJVmSYrdfzdePBy7:A-2dHOmBxiXgajnD-kYOwQ", scopes: ["login:info", "login:email", "login:avatar"], extra: {} }
  },
  {
    name: "a wrong or expired code: bad_verification_code read as invalid_grant",
    source: `${docs}#token-response`,
    status: 400,
    headers: json,
    body: JSON.stringify({ error_description: "Code has expired", error: "bad_verification_code" }),
    expected: { _tag: "OAuthError", error: "invalid_grant", description: "Code has expired", status: 400, remedy: "reauthorize", details: { provider_error: "bad_verification_code" } }
  },
  oauthError({ name: "an expired refresh token", source: refresh, status: 400, headers: json, error: "invalid_grant", description: "Refresh token expired", remedy: "reauthorize" }),
  oauthError({ name: "a wrong application password", source: `${docs}#token-response`, status: 401, headers: json, error: "invalid_client", description: "Client not found", remedy: "fixConfiguration" })
]

shapeSuite("Yandex / documented token responses", Yandex.make(), rows)

describe("Yandex.make", () => {
  it("passes force_confirm", () => {
    expect(Yandex.make({ forceConfirm: true }).requests?.authorizationParams).toEqual({ force_confirm: "yes" })
  })
})
