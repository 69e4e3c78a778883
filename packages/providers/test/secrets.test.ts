import { OAuthClient, TokenSet } from "@effect-oauth/core"
import { Facebook, Google } from "@effect-oauth/providers"
import { Spans } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { inspect } from "node:util"
import { jsonResponse, stub } from "./helpers/http.js"

// The provider operations put credentials in query strings (as Google and Meta
// document): no span attribute and no rendering of an error may show them.

const userToken = "EAAG-user-token-value-0123456789"
const appSecret = "app-secret-value-0123456789"

const renderings = (error: unknown) => [
  error instanceof Error ? error.message : "",
  String(error),
  JSON.stringify(error),
  inspect(error, { depth: 10 })
]

describe("secrets / provider operations", () => {
  it.effect("keeps the token and the app secret out of every span of debug_token, tokeninfo and fb_exchange_token", () =>
    Effect.gen(function*() {
      const { layer } = stub((seen) =>
        seen.url.pathname.endsWith("/debug_token")
          ? jsonResponse({ data: { app_id: "138483919580948", is_valid: true, expires_at: 0, scopes: [] } })
          : seen.url.pathname.endsWith("/tokeninfo")
          ? jsonResponse({ aud: "client-id", exp: "99999999999", scope: "openid" })
          : jsonResponse({ access_token: "EAAG-long", token_type: "bearer", expires_in: 5183944 })
      )
      const operations = Effect.gen(function*() {
        yield* Facebook.debugToken(Redacted.make(userToken), { appId: "138483919580948", appSecret: Redacted.make(appSecret) })
        yield* Google.tokenInfo(Redacted.make(userToken), { audience: "client-id" })
        yield* Facebook.exchangeForLongLived(TokenSet.make({ accessToken: userToken, issuedAt: 0 })).pipe(
          Effect.provide(OAuthClient.layer({
            provider: Facebook.make(),
            client: { clientId: "138483919580948", clientSecret: Redacted.make(appSecret) }
          }))
        )
      })
      const { spans } = yield* Spans.record(operations.pipe(Effect.provide(layer)))
      expect(spans.map((span) => span.name)).toEqual(
        expect.arrayContaining(["Facebook.debugToken", "Google.tokenInfo", "OAuthClient.grant"])
      )
      const attributes = JSON.stringify(Spans.attributes(spans))
      expect(attributes).not.toContain(userToken)
      expect(attributes).not.toContain(appSecret)
    }))

  it.effect("renders no credential in the errors of debug_token when Graph echoes them", () =>
    Effect.gen(function*() {
      const { layer } = stub(() =>
        jsonResponse({
          error: {
            message: `Invalid OAuth access token: ${userToken} for 138483919580948|${appSecret}`,
            type: "OAuthException",
            code: 190,
            fbtrace_id: "AoV2Yh8tQ9M"
          }
        }, 400)
      )
      const error = yield* Effect.flip(
        Facebook.debugToken(Redacted.make(userToken), { appId: "138483919580948", appSecret: Redacted.make(appSecret) })
          .pipe(Effect.provide(layer))
      )
      expect(error._tag).toBe("OAuthError")
      for (const shown of renderings(error)) {
        expect(shown).not.toContain(userToken)
        expect(shown).not.toContain(appSecret)
      }
    }))

  it.effect("masks the inspected token when debug_token's data.error echoes it", () =>
    Effect.gen(function*() {
      const { layer } = stub(() =>
        jsonResponse({
          data: {
            app_id: "138483919580948",
            error: { code: 190, message: `Malformed access token ${userToken}`, subcode: 0 },
            is_valid: false,
            scopes: []
          }
        })
      )
      const error = yield* Effect.flip(
        Facebook.debugToken(Redacted.make(userToken), { appId: "138483919580948", appSecret: Redacted.make(appSecret) })
          .pipe(Effect.provide(layer))
      )
      expect(error).toMatchObject({ _tag: "InvalidToken", description: "Malformed access token <redacted>" })
      for (const shown of renderings(error)) expect(shown).not.toContain(userToken)
    }))
})
