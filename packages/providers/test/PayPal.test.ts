import { PayPal } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const login = "https://developer.paypal.com/docs/log-in-with-paypal/integrate/"
const auth = "https://developer.paypal.com/api/rest/authentication/"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: a refresh token and nonce",
    source: `${login}#link-exchangeauthorizationcodeforaccesstoken`,
    status: 200,
    headers: json,
    body: JSON.stringify({ token_type: "Bearer", expires_in: "28800", refresh_token: "R23AAFV3EU4Lq0Q2tVHEZc", access_token: "A23AAH7kqYUBxPFTfdNtMd", nonce: "2020-04-03T15:35:36ZaYZlGvEkV4yVSz8g6bAKFoGSEzuy3CQcz3ljhibkOHg" }),
    expected: { _tag: "TokenSet", accessToken: "A23AAH7kqYUBxPFTfdNtMd", tokenType: "Bearer", expiresAt: after(28800), refreshToken: "R23AAFV3EU4Lq0Q2tVHEZc", scopes: [], extra: { nonce: "2020-04-03T15:35:36ZaYZlGvEkV4yVSz8g6bAKFoGSEzuy3CQcz3ljhibkOHg" } }
  },
  {
    name: "client credentials: app_id and scope URLs",
    source: auth,
    status: 200,
    headers: json,
    body: JSON.stringify({ scope: "https://uri.paypal.com/services/invoicing https://uri.paypal.com/services/payments/payment", access_token: "A21AAFEpH4PsADK7qSS7pSRsgzfENtu", token_type: "Bearer", app_id: "APP-80W284485P519543T", expires_in: 31668, nonce: "2020-04-03T15:35:36ZaYZlGvEkV4yVSz8g6bAKFoGSEzuy3CQcz3ljhibkOHg" }),
    expected: { _tag: "TokenSet", accessToken: "A21AAFEpH4PsADK7qSS7pSRsgzfENtu", tokenType: "Bearer", expiresAt: after(31668), scopes: ["https://uri.paypal.com/services/invoicing", "https://uri.paypal.com/services/payments/payment"], extra: { app_id: "APP-80W284485P519543T", nonce: "2020-04-03T15:35:36ZaYZlGvEkV4yVSz8g6bAKFoGSEzuy3CQcz3ljhibkOHg" } }
  },
  // PayPal's documentation shows no error body of /v1/oauth2/token: its identity error catalogue names
  // INVALID_CLIENT ("Invalid client credentials") without the body's fields or status, and nothing is
  // documented for a dead refresh token. No error rows until it does.
]

shapeSuite("PayPal / documented token responses", PayPal.make(), rows)

describe("PayPal.make", () => {
  it("uses the sandbox hosts when asked", () => {
    expect(PayPal.make({ sandbox: true }).tokenEndpoint).toBe("https://api-m.sandbox.paypal.com/v1/oauth2/token")
    expect(PayPal.make().authorizationEndpoint).toBe("https://www.paypal.com/signin/authorize")
  })
})
