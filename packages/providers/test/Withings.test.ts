import { OAuthClient, TokenSet } from "@effect-oauth/core"
import { Withings } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"
import { jsonResponse, stub } from "./helpers/http.js"

const api = "https://developer.withings.com/api-reference/#tag/oauth2/operation/oauth2-getaccesstoken"
const statuses = "https://developer.withings.com/api-reference/#section/Response-status"
const body = { userid: "363", access_token: "a075f8c14fb8df40b08ebc8508533dc332a6910a", refresh_token: "f631236f02b991810feb774765b6ae8e6c6839ca", expires_in: 10800, scope: "user.info,user.metrics", csrf_token: "PACnnxwHTaBQOzF7bQqwFUUotIuvtzSM", token_type: "Bearer" }

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: the wrapped body, userid kept, comma-separated scope",
    source: api,
    status: 200,
    headers: json,
    body: JSON.stringify({ status: 0, body }),
    expected: { _tag: "TokenSet", accessToken: body.access_token, tokenType: "Bearer", expiresAt: after(10800), refreshToken: body.refresh_token, scopes: ["user.info", "user.metrics"], extra: { userid: "363", csrf_token: body.csrf_token } }
  },
  {
    name: "refresh: a new refresh token replaces the old",
    source: "https://developer.withings.com/developer-guide/v3/integration-guide/dropship-cellular/get-access/access-and-refresh-tokens/",
    status: 200,
    headers: json,
    body: JSON.stringify({ status: 0, body: { userid: "363", access_token: "05544b41da038f65e3f2d1dd15560b61d1ef3fbf", refresh_token: "9bf5fa16e8b4c1d1cd5ba3c1a8f3a81b3d2a5a1c", expires_in: 10800, scope: "user.info,user.metrics", token_type: "Bearer" } }),
    expected: { _tag: "TokenSet", accessToken: "05544b41da038f65e3f2d1dd15560b61d1ef3fbf", tokenType: "Bearer", expiresAt: after(10800), refreshToken: "9bf5fa16e8b4c1d1cd5ba3c1a8f3a81b3d2a5a1c", scopes: ["user.info", "user.metrics"], extra: { userid: "363" } }
  },
  {
    name: "invalid params inside HTTP 200: status 503 read as invalid_request",
    source: statuses,
    status: 200,
    headers: json,
    body: JSON.stringify({ status: 503, body: {}, error: "Invalid Params: invalid client id" }),
    expected: { _tag: "OAuthError", error: "invalid_request", description: "Invalid Params: invalid client id", status: 200, remedy: "fixConfiguration", details: { provider_error: 503 } }
  },
  {
    name: "a failed authentication inside HTTP 200: status 401 read as invalid_grant",
    source: statuses,
    status: 200,
    headers: json,
    body: JSON.stringify({ status: 401, body: {}, error: "Authentication failed" }),
    expected: { _tag: "OAuthError", error: "invalid_grant", description: "Authentication failed", status: 200, remedy: "reauthorize", details: { provider_error: 401 } }
  },
  {
    name: "too many requests inside HTTP 200: status 601 read as temporarily_unavailable",
    source: statuses,
    status: 200,
    headers: json,
    body: JSON.stringify({ status: 601, body: {}, error: "Too Many Request" }),
    expected: { _tag: "OAuthError", error: "temporarily_unavailable", description: "Too Many Request", status: 200, remedy: "retry", details: { provider_error: 601 } }
  }
]

shapeSuite("Withings / documented token responses", Withings.make(), rows)

describe("Withings.make", () => {
  it.effect("sends action=requesttoken and the secret in the body with every token request", () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => jsonResponse({ status: 0, body }))
      const oauth = yield* OAuthClient.make({
        provider: Withings.make(),
        client: { clientId: "9c1b8e1f", clientSecret: Redacted.make("b1f2e3d4c5") }
      }).pipe(Effect.provide(layer))
      const tokens = yield* oauth.refresh(TokenSet.make({ accessToken: "old", issuedAt: 0, refreshToken: "f631236f02b991810feb774765b6ae8e6c6839ca" }))
      const sent = seen[0]?.params
      expect([sent?.get("action"), sent?.get("grant_type"), sent?.get("client_secret")]).toEqual(["requesttoken", "refresh_token", "b1f2e3d4c5"])
      expect(Redacted.value(tokens.accessToken)).toBe(body.access_token)
    }))
})
