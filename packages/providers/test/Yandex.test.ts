import { Yandex } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://yandex.com/dev/id/doc/en/codes/code-url"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: a year-long token and a refresh token",
    source: `${docs}#token-response`,
    status: 200,
    headers: json,
    body: JSON.stringify({ token_type: "bearer", access_token: "AQAAAACy1C6ZAAAAfa6vDLuItEy8pg-iIpnDxIs", expires_in: 31536000, refresh_token: "1:GN686QVt0mmakDd9:A4pYuW9LGk0_UnlrMIWklkAuJkUWbq27loFekJVmSYrdfzdePBy7:A-2dHOmBxiXgajnD-kYOwQ", scope: "login:info login:email login:avatar" }),
    expected: { _tag: "TokenSet", accessToken: "AQAAAACy1C6ZAAAAfa6vDLuItEy8pg-iIpnDxIs", tokenType: "Bearer", expiresAt: after(31536000), refreshToken: "1:GN686QVt0mmakDd9:A4pYuW9LGk0_UnlrMIWklkAuJkUWbq27loFekJVmSYrdfzdePBy7:A-2dHOmBxiXgajnD-kYOwQ", scopes: ["login:info", "login:email", "login:avatar"], extra: {} }
  },
  // The Yandex ID pages (code exchange, refresh) as found show no error body of /token: no error rows,
  // and no Yandex code is read as an RFC 6749 one until its documentation shows them.
]

shapeSuite("Yandex / documented token responses", Yandex.make(), rows)

describe("Yandex.make", () => {
  it("passes force_confirm", () => {
    expect(Yandex.make({ forceConfirm: true }).requests?.authorizationParams).toEqual({ force_confirm: "yes" })
  })
})
