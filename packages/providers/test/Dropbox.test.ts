import { Dropbox } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://www.dropbox.com/developers/documentation/http/documentation#oauth2-token"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "offline code exchange: a refresh token, account_id and uid kept",
    source: docs,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "sl.AbX9y6Fe3AuH5o66-gmJpR032jwAwQPIVVzWXZNkdzcYT02akC2de219dZi6gxYPVnYPrpvISRSf9lxKWJzYLjtMPH", expires_in: 14400, token_type: "bearer", scope: "account_info.read files.content.read", refresh_token: "nBiM85CZALsAAAAAAAAAAQXHBoNpNutK4ngsXHsqW4iGz9tisb3JyjGqikMJIYbd", account_id: "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", uid: "12345" }),
    expected: { _tag: "TokenSet", accessToken: "sl.AbX9y6Fe3AuH5o66-gmJpR032jwAwQPIVVzWXZNkdzcYT02akC2de219dZi6gxYPVnYPrpvISRSf9lxKWJzYLjtMPH", tokenType: "Bearer", expiresAt: after(14400), refreshToken: "nBiM85CZALsAAAAAAAAAAQXHBoNpNutK4ngsXHsqW4iGz9tisb3JyjGqikMJIYbd", scopes: ["account_info.read", "files.content.read"], extra: { account_id: "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", uid: "12345" } }
  },
  {
    name: "refresh: no refresh token (the long-lived one is kept)",
    source: docs,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "sl.u.AbX9y6Fe3AuH5o66-gmJpR032jwAwQPIVVzWXZNkdzcYT02akC2de219dZi6gxYPVnYP", expires_in: 14400, token_type: "bearer" }),
    expected: { _tag: "TokenSet", accessToken: "sl.u.AbX9y6Fe3AuH5o66-gmJpR032jwAwQPIVVzWXZNkdzcYT02akC2de219dZi6gxYPVnYP", tokenType: "Bearer", expiresAt: after(14400), scopes: [], extra: {} }
  },
  // Dropbox's HTTP documentation of /oauth2/token shows no error body: no error rows.
]

shapeSuite("Dropbox / documented token responses", Dropbox.make(), rows)

describe("Dropbox.make", () => {
  it("asks for token_access_type=offline unless told online", () => {
    expect(Dropbox.make().requests?.authorizationParams).toEqual({ token_access_type: "offline" })
    expect(Dropbox.make({ tokenAccessType: "online" }).requests?.authorizationParams).toEqual({ token_access_type: "online" })
  })
})
