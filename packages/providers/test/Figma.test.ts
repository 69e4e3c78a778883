import { Figma } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const docs = "https://developers.figma.com/docs/rest-api/authentication/"

// Figma's page shows no error body for the token endpoint: no error row is
// written for it (see Figma.about.quirks).
const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with user_id_string",
    source: `${docs}#returning-an-access-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ user_id_string: "1234567890", access_token: "figu_AbCdEfGhIjKlMnOpQrStUvWxYz", token_type: "bearer", expires_in: 7776000, refresh_token: "figur_AbCdEfGhIjKlMnOpQrStUvWxYz" }),
    expected: { _tag: "TokenSet", accessToken: "figu_AbCdEfGhIjKlMnOpQrStUvWxYz", tokenType: "Bearer", expiresAt: after(7776000), refreshToken: "figur_AbCdEfGhIjKlMnOpQrStUvWxYz", scopes: [], extra: { user_id_string: "1234567890" } }
  },
  {
    name: "refresh: no refresh token",
    source: `${docs}#refreshing-oauth-tokens`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "figu_ZyXwVuTsRqPoNmLkJiHgFeDcBa", token_type: "bearer", expires_in: 7776000 }),
    expected: { _tag: "TokenSet", accessToken: "figu_ZyXwVuTsRqPoNmLkJiHgFeDcBa", tokenType: "Bearer", expiresAt: after(7776000), scopes: [], extra: {} }
  }
]

shapeSuite("Figma / documented token responses", Figma.make(), rows)

describe("Figma.make", () => {
  it("sends the secret in the Basic header", () => {
    expect(Figma.make().tokenEndpointAuthMethodsSupported).toEqual(["client_secret_basic"])
  })
})
