import { Callback, OAuthClient, TokenSet } from "@effect-oauth/core"
import { Facebook } from "@effect-oauth/providers"
import { SessionError } from "@effect-oauth/session"
import type { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock } from "effect"
import { after, type Fixture, json, shapeSuite, text } from "./helpers/fixtures.js"
import { jsonResponse, sessionOver, stub } from "./helpers/http.js"

const manualFlow = "https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#exchangecode"
const longLived = "https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived"
const errorHandling = "https://developers.facebook.com/docs/graph-api/guides/error-handling"
const debugging = "https://developers.facebook.com/docs/facebook-login/guides/%20access-tokens/debugging"

/** A Graph error row: read as the RFC 6749 code it means (`code`), the Graph fields (with `type`) in details. */
const graphError = (
  name: string,
  source: string,
  status: number,
  error: Record<string, unknown>,
  remedy: "retry" | "reauthorize" | "fixConfiguration",
  code: string
): Fixture => {
  const { message, ...details } = error
  return {
    name,
    source,
    status,
    headers: json,
    body: JSON.stringify({ error }),
    expected: { _tag: "OAuthError", error: code, description: message as string, status, remedy, details }
  }
}

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange answered as JSON (no refresh token)",
    source: manualFlow,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "EAAGm0PX4ZCpsBAKZAjKw1ZBQZCZB7ZB4ZCZA8example", token_type: "bearer", expires_in: 5183944 }),
    requestedScopes: ["public_profile", "email"],
    expected: {
      _tag: "TokenSet",
      accessToken: "EAAGm0PX4ZCpsBAKZAjKw1ZBQZCZB7ZB4ZCZA8example",
      tokenType: "Bearer",
      expiresAt: after(5183944),
      scopes: ["public_profile", "email"],
      extra: {}
    }
  },
  {
    name: "legacy access_token=…&expires=… as text/plain",
    source: "https://developers.facebook.com/docs/graph-api/changelog/archive#v2_3",
    status: 200,
    headers: text,
    body: "access_token=CAAGm0PX4ZCpsBAKZAjKw1ZBQZCZB7ZB4ZCZA8legacy&expires=5183999",
    expected: {
      _tag: "TokenSet",
      accessToken: "CAAGm0PX4ZCpsBAKZAjKw1ZBQZCZB7ZB4ZCZA8legacy",
      tokenType: "Bearer",
      expiresAt: after(5183999),
      scopes: [],
      extra: {}
    }
  },
  {
    name: "long-lived token from fb_exchange_token",
    source: longLived,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "EAAGm0PX4ZCpsBA-long-lived", token_type: "bearer", expires_in: 5183944 }),
    expected: {
      _tag: "TokenSet",
      accessToken: "EAAGm0PX4ZCpsBA-long-lived",
      tokenType: "Bearer",
      expiresAt: after(5183944),
      scopes: [],
      extra: {}
    }
  },
  graphError("used authorization code: code 100, subcode 36009 → reauthorize", errorHandling, 400, {
    message: "This authorization code has been used.",
    type: "OAuthException",
    code: 100,
    error_subcode: 36009,
    fbtrace_id: "EJplcsCHuLu"
  }, "reauthorize", "invalid_grant"),
  graphError("expired authorization code: code 100, subcode 36007 → reauthorize", errorHandling, 400, {
    message: "This authorization code has expired.",
    type: "OAuthException",
    code: 100,
    error_subcode: 36007,
    fbtrace_id: "A3dxuH2RYZGbqQvPM5bUgsN"
  }, "reauthorize", "invalid_grant"),
  graphError("redirect_uri differs from the dialog's: code 100 → fixConfiguration", manualFlow, 400, {
    message:
      "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
    type: "OAuthException",
    code: 100,
    fbtrace_id: "AbCdEfGhIjK"
  }, "fixConfiguration", "invalid_request"),
  graphError("redirect_uri not absolute: code 191 → fixConfiguration", errorHandling, 400, {
    message: "redirect_uri isn't an absolute URI. Check RFC 3986.",
    type: "OAuthException",
    code: 191,
    fbtrace_id: "EZFTzmDgE0w"
  }, "fixConfiguration", "invalid_request"),
  graphError("invalid app id: code 101 → fixConfiguration", errorHandling, 400, {
    message: "Error validating application. Invalid application ID.",
    type: "OAuthException",
    code: 101,
    fbtrace_id: "BwDGv5rbD2N"
  }, "fixConfiguration", "invalid_client"),
  graphError("expired session on exchange: code 190, subcode 463 → reauthorize", debugging, 400, {
    message:
      "Error validating access token: Session has expired on Wednesday, 14-Feb-18 18:00:00 PST. The current time is Thursday, 15-Feb-18 13:46:35 PST.",
    type: "OAuthException",
    code: 190,
    error_subcode: 463,
    fbtrace_id: "H2il2t5bn4e"
  }, "reauthorize", "invalid_grant"),
  graphError("password changed: code 190, subcode 460 → reauthorize", debugging, 400, {
    message:
      "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
    type: "OAuthException",
    code: 190,
    error_subcode: 460,
    fbtrace_id: "AaB3pTV8k2v"
  }, "reauthorize", "invalid_grant"),
  graphError("transient service error: code 2, is_transient → retry", errorHandling, 500, {
    message: "An unexpected error has occurred. Please retry your request later.",
    type: "OAuthException",
    is_transient: true,
    code: 2,
    fbtrace_id: "AmFGcW_3hwDB7qFbl_QdebZ"
  }, "retry", "temporarily_unavailable"),
  graphError("application request limit: code 4 → retry", errorHandling, 403, {
    message: "(#4) Application request limit reached",
    type: "OAuthException",
    is_transient: true,
    code: 4,
    fbtrace_id: "Fz54k3GZrio"
  }, "retry", "temporarily_unavailable")
]

shapeSuite("Facebook / documented token responses", Facebook.make(), rows)

const appSecret = Redacted.make("fb-app-secret-0123456789abcdef")
const client = { clientId: "138483919580948", clientSecret: appSecret, redirectUri: "https://app.example/oauth/facebook" }

describe("Facebook.make", () => {
  it.effect("exchanges the code with GET: redirect_uri, client_id and client_secret in the query, no Authorization", () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => jsonResponse({ access_token: "EAAG-short", token_type: "bearer", expires_in: 5400 }))
      const oauth = yield* OAuthClient.make({ provider: Facebook.make({ version: "v25.0", authType: "rerequest" }), client })
        .pipe(Effect.provide(layer))
      const request = yield* oauth.authorizationUrl()
      const url = new URL(request.url)
      expect(`${url.origin}${url.pathname}`).toBe("https://www.facebook.com/v25.0/dialog/oauth")
      expect(url.searchParams.get("auth_type")).toBe("rerequest")
      expect(url.searchParams.get("scope")).toBe("public_profile email")
      // Facebook appends "#_=_" to the redirect.
      const callback = `${client.redirectUri}?code=AQD-example-code&state=${Redacted.value(request.state)}#_=_`
      const tokens = yield* oauth.exchangeCode(yield* Callback.parse(callback, request))
      expect(tokens.refreshToken).toBeUndefined()
      expect(tokens.scopes).toEqual(["public_profile", "email"])
      const sent = seen[0]!
      expect(sent.method).toBe("GET")
      expect(`${sent.url.origin}${sent.url.pathname}`).toBe(Facebook.endpoints("v25.0").token)
      expect(sent.params.get("redirect_uri")).toBe(client.redirectUri)
      expect(sent.params.get("client_id")).toBe(client.clientId)
      expect(sent.params.get("client_secret")).toBe(Redacted.value(appSecret))
      expect(sent.params.get("code")).toBe("AQD-example-code")
      expect(sent.headers["authorization"]).toBeUndefined()
    }))

  it.effect("keeps the Graph error object in the OAuthError and prints neither secret nor code", () =>
    Effect.gen(function*() {
      const { layer } = stub(() =>
        jsonResponse({
          error: {
            message: "This authorization code has been used.",
            type: "OAuthException",
            code: 100,
            error_subcode: 36009,
            fbtrace_id: "EJplcsCHuLu"
          }
        }, 400)
      )
      const oauth = yield* OAuthClient.make({ provider: Facebook.make(), client }).pipe(Effect.provide(layer))
      const request = yield* oauth.authorizationUrl()
      const callback = `${client.redirectUri}?code=AQD-example-code&state=${Redacted.value(request.state)}`
      const error = yield* Effect.flip(oauth.exchangeCode(yield* Callback.parse(callback, request)))
      expect(error).toMatchObject({
        _tag: "OAuthError",
        error: "invalid_grant",
        remedy: "reauthorize",
        details: { type: "OAuthException", code: 100, error_subcode: 36009, fbtrace_id: "EJplcsCHuLu" }
      })
      expect(error.message).toBe(
        `invalid_grant: This authorization code has been used. (HTTP 400 from ${Facebook.endpoints().token}; remedy: reauthorize)`
      )
      for (const shown of [error.message, String(error), JSON.stringify(error)]) {
        expect(shown).not.toContain("fb-app-secret")
        expect(shown).not.toContain("AQD-example-code")
      }
    }))

  it.scoped("a session whose Facebook token expires goes to unauthorized: no refresh token, authorize again", () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => jsonResponse({ access_token: "EAAG-short", token_type: "bearer", expires_in: 5400 }))
      const session = yield* (yield* sessionOver(layer, Facebook.make(), client, { key: "page-owner" })).make
      const request = yield* session.authorize()
      yield* session.completeAuthorization(`${client.redirectUri}?code=AQD-example-code&state=${Redacted.value(request.state)}#_=_`)
      expect(Redacted.value(yield* session.accessToken)).toBe("EAAG-short")
      yield* TestClock.adjust("90 minutes")
      const error = yield* Effect.flip(session.accessToken)
      expect(error).toBeInstanceOf(SessionError.Unauthorized)
      expect(error._tag === "Unauthorized" && error.reason).toBe("NoRefreshToken")
      expect(error.remedy).toBe("reauthorize")
      expect(error.message).toBe("the access token expired and the grant has no refresh token: authorize again")
      expect(yield* session.state).toBe("unauthorized")
      expect(seen).toHaveLength(1)
    }))
})

describe(`Facebook.exchangeForLongLived (shapes: ${longLived})`, () => {
  const short = TokenSet.make({
    accessToken: "EAAG-short-lived",
    issuedAt: after(0),
    expiresAt: after(5400),
    scopes: ["public_profile", "pages_show_list"]
  })

  it.effect(`sends grant_type=fb_exchange_token with GET and keeps the permissions (${longLived})`, () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() =>
        jsonResponse({ access_token: "EAAG-long-lived", token_type: "bearer", expires_in: 5183944 })
      )
      yield* TestClock.setTime(after(0))
      const long = yield* Facebook.exchangeForLongLived(short).pipe(
        Effect.provide(OAuthClient.layer({ provider: Facebook.make(), client })),
        Effect.provide(layer)
      )
      expect(Redacted.value(long.accessToken)).toBe("EAAG-long-lived")
      expect(long.expiresAt).toBe(after(5183944))
      expect(long.scopes).toEqual(["public_profile", "pages_show_list"])
      expect(long.refreshToken).toBeUndefined()
      const sent = seen[0]!
      expect(sent.method).toBe("GET")
      expect(Object.fromEntries(sent.params)).toEqual({
        grant_type: "fb_exchange_token",
        fb_exchange_token: "EAAG-short-lived",
        client_id: client.clientId,
        client_secret: Redacted.value(appSecret)
      })
    }))

  it.effect("fails with a reauthorize OAuthError when the short-lived token has expired (code 190), token masked", () =>
    Effect.gen(function*() {
      const { layer } = stub(() =>
        jsonResponse({
          error: {
            message: "Error validating access token: Session has expired on Wednesday, 14-Feb-18 18:00:00 PST.",
            type: "OAuthException",
            code: 190,
            error_subcode: 463,
            fbtrace_id: "H2il2t5bn4e"
          }
        }, 400)
      )
      const error = yield* Effect.flip(
        Facebook.exchangeForLongLived(Redacted.make("EAAG-short-lived")).pipe(
          Effect.provide(OAuthClient.layer({ provider: Facebook.make(), client })),
          Effect.provide(layer)
        )
      )
      expect(error).toMatchObject({ _tag: "OAuthError", remedy: "reauthorize", details: { code: 190, error_subcode: 463 } })
      expect(JSON.stringify(error)).not.toContain("EAAG-short-lived")
    }))
})

describe(`Facebook.debugToken (shapes: ${debugging})`, () => {
  const token = Redacted.make("EAAG-user-token")
  const options = { appId: "138483919580948", appSecret }
  const run = <A, E>(layer: Layer.Layer<HttpClient.HttpClient>, effect: Effect.Effect<A, E, HttpClient.HttpClient>) =>
    TestClock.setTime(after(0)).pipe(Effect.zipRight(effect), Effect.provide(layer))
  const valid = {
    app_id: "138483919580948",
    type: "USER",
    application: "Social Cafe",
    data_access_expires_at: after(7776000) / 1000,
    expires_at: after(5183944) / 1000,
    is_valid: true,
    issued_at: after(0) / 1000,
    scopes: ["pages_show_list", "public_profile"],
    granular_scopes: [{ scope: "pages_show_list", target_ids: ["1234567890", "2345678901"] }],
    user_id: "10215241773831025"
  }

  it.effect(`reads a valid token's app, user, expiry and permissions (${debugging})`, () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => jsonResponse({ data: valid }))
      const info = yield* run(layer, Facebook.debugToken(token, options))
      expect(info).toBeInstanceOf(Facebook.DebugToken)
      expect(info).toMatchObject({
        appId: "138483919580948",
        type: "USER",
        userId: "10215241773831025",
        expiresAt: after(5183944),
        dataAccessExpiresAt: after(7776000),
        issuedAt: after(0),
        scopes: ["pages_show_list", "public_profile"],
        extra: {}
      })
      expect(info.granularScopes.map((entry) => ({ ...entry }))).toEqual([
        { scope: "pages_show_list", targetIds: ["1234567890", "2345678901"] }
      ])
      const sent = seen[0]!
      expect(`${sent.url.origin}${sent.url.pathname}`).toBe(Facebook.endpoints().debugToken)
      expect(sent.params.get("input_token")).toBe("EAAG-user-token")
      expect(sent.params.get("access_token")).toBe(`138483919580948|${Redacted.value(appSecret)}`)
    }))

  it.effect("reads a page token that never expires (expires_at 0) without an expiry", () =>
    Effect.gen(function*() {
      const { layer } = stub(() => jsonResponse({ data: { ...valid, type: "PAGE", expires_at: 0, profile_id: "1234567890" } }))
      const info = yield* run(layer, Facebook.debugToken(token, options))
      expect(info.expiresAt).toBeUndefined()
      expect(info.extra).toEqual({ profile_id: "1234567890" })
    }))

  it.effect("refuses a token of another app (AudienceMismatch)", () =>
    Effect.gen(function*() {
      const { layer } = stub(() => jsonResponse({ data: { ...valid, app_id: "999999999" } }))
      const error = yield* Effect.flip(run(layer, Facebook.debugToken(token, options)))
      expect(error).toMatchObject({ _tag: "InvalidToken", reason: "AudienceMismatch", expected: "138483919580948", received: "999999999" })
    }))

  it.effect("reports is_valid false with subcode 463 as Expired, with Graph's code and message", () =>
    Effect.gen(function*() {
      const { layer } = stub(() =>
        jsonResponse({
          data: {
            app_id: "138483919580948",
            type: "USER",
            application: "Social Cafe",
            error: { code: 190, message: "Error validating access token: Session has expired on Wednesday, 14-Feb-18 18:00:00 PST.", subcode: 463 },
            expires_at: after(-60) / 1000,
            is_valid: false,
            scopes: ["public_profile"],
            user_id: "10215241773831025"
          }
        })
      )
      const error = yield* Effect.flip(run(layer, Facebook.debugToken(token, options)))
      expect(error).toMatchObject({ _tag: "InvalidToken", reason: "Expired", code: "190/463" })
      expect(error.message).toBe(
        "facebook reports the token expired 190/463: Error validating access token: Session has expired on Wednesday, 14-Feb-18 18:00:00 PST. (remedy: reauthorize)"
      )
    }))

  it.effect("reports is_valid false for another reason as Rejected", () =>
    Effect.gen(function*() {
      const { layer } = stub(() =>
        jsonResponse({
          data: {
            app_id: "138483919580948",
            error: { code: 190, message: "Error validating access token: The user has not authorized application 138483919580948.", subcode: 458 },
            is_valid: false,
            scopes: []
          }
        })
      )
      const error = yield* Effect.flip(run(layer, Facebook.debugToken(token, options)))
      expect(error).toMatchObject({ _tag: "InvalidToken", reason: "Rejected", code: "190/458" })
    }))

  it.effect("turns a Graph error for the call (a wrong app secret) into an OAuthError, secret masked", () =>
    Effect.gen(function*() {
      const { layer } = stub(() =>
        jsonResponse({
          error: {
            message: `Invalid OAuth access token signature for 138483919580948|${Redacted.value(appSecret)}.`,
            type: "OAuthException",
            code: 190,
            fbtrace_id: "AoV2Yh8tQ9M"
          }
        }, 400)
      )
      const error = yield* Effect.flip(run(layer, Facebook.debugToken(token, options)))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_grant", details: { type: "OAuthException", code: 190 } })
      expect(error.message).toContain("<redacted>")
      expect(JSON.stringify(error) + error.message).not.toContain(Redacted.value(appSecret))
    }))

  it.effect("reports an answer without data as InvalidField", () =>
    Effect.gen(function*() {
      const { layer } = stub(() => jsonResponse({ something: "else" }))
      const error = yield* Effect.flip(run(layer, Facebook.debugToken(token, options)))
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "InvalidField", field: "data" })
    }))
})
