import { Zitadel } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"
import { discoveryStub } from "./helpers/http.js"

const docs = "https://zitadel.com/docs/apis/openidoauth/endpoints"
const errors = "https://zitadel.com/docs/apis/errors"
const options = { instanceUrl: "https://example-abc123.zitadel.cloud" }

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with offline_access",
    source: `${docs}#token_endpoint`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "MtjHodGy4zxKylDOhg6kW90WeEQs2q3ZUadYTq0Kb9Mm", token_type: "Bearer", refresh_token: "tIcYI8vc9Jz1b0gu-O1RPz3cw_2GyrCahRaE2KcHKFRzRZ1GPL7xU_9dApSzlZU2", expires_in: 43199, id_token: "eyJhbGciOiJSUzI1NiIsImtpZCI6IjE2ODA0In0.e30.c2ln" }),
    expected: { _tag: "TokenSet", accessToken: "MtjHodGy4zxKylDOhg6kW90WeEQs2q3ZUadYTq0Kb9Mm", tokenType: "Bearer", expiresAt: after(43199), refreshToken: "tIcYI8vc9Jz1b0gu-O1RPz3cw_2GyrCahRaE2KcHKFRzRZ1GPL7xU_9dApSzlZU2", idToken: "eyJhbGciOiJSUzI1NiIsImtpZCI6IjE2ODA0In0.e30.c2ln", scopes: [], extra: {} }
  },
  // ZITADEL documents that /oauth/v2/token errors follow RFC 6749 §5.2, with no example body or texts:
  // the row is the RFC shape, without a description.
  oauthError({ name: "an invalid or used refresh token", source: errors, status: 400, headers: json, error: "invalid_grant", remedy: "reauthorize" })
]

shapeSuite("ZITADEL / documented token responses", Zitadel.make(options), rows)

describe("Zitadel", () => {
  it("builds the instance's endpoints", () => {
    const provider = Zitadel.make(options)
    expect([provider.issuer, provider.tokenEndpoint, provider.userinfoEndpoint]).toEqual([
      "https://example-abc123.zitadel.cloud",
      "https://example-abc123.zitadel.cloud/oauth/v2/token",
      "https://example-abc123.zitadel.cloud/oidc/v1/userinfo"
    ])
  })

  it.effect("discovers the instance", () =>
    Effect.gen(function*() {
      const { layer } = discoveryStub(options.instanceUrl, { token_endpoint: `${options.instanceUrl}/oauth/v2/token` })
      const found = yield* Zitadel.discover(options).pipe(Effect.provide(layer))
      expect([found.name, found.tokenEndpoint]).toEqual(["zitadel", `${options.instanceUrl}/oauth/v2/token`])
    }))
})
