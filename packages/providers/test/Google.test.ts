import { Callback, OAuthClient, TokenSet } from "@effect-oauth/core"
import { Google, ProviderError } from "@effect-oauth/providers"
import { SessionError } from "@effect-oauth/session"
import type { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, TestClock } from "effect"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"
import { jsonResponse, type Seen, sessionOver, stub } from "./helpers/http.js"
import { generateKeyPairSync, sign } from "node:crypto"

const webServer = "https://developers.google.com/identity/protocols/oauth2/web-server"
const device = "https://developers.google.com/identity/protocols/oauth2/limited-input-device"
const tokeninfoDoc = "https://developers.google.com/identity/sign-in/web/backend-auth#calling-the-tokeninfo-endpoint"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with a refresh token (access_type=offline, first consent)",
    source: `${webServer}#exchange-authorization-code`,
    status: 200,
    headers: json,
    body: JSON.stringify({
      access_token: "1/fFAGRNJru1FTz70BzhT3Zg",
      expires_in: 3920,
      token_type: "Bearer",
      scope: "https://www.googleapis.com/auth/drive.metadata.readonly https://www.googleapis.com/auth/calendar.readonly",
      refresh_token: "1//xEoDL4iW3cxlI7yDbSRFYNG01kVKM2C-259HOF2aQbI"
    }),
    expected: {
      _tag: "TokenSet",
      accessToken: "1/fFAGRNJru1FTz70BzhT3Zg",
      tokenType: "Bearer",
      expiresAt: after(3920),
      refreshToken: "1//xEoDL4iW3cxlI7yDbSRFYNG01kVKM2C-259HOF2aQbI",
      scopes: [
        "https://www.googleapis.com/auth/drive.metadata.readonly",
        "https://www.googleapis.com/auth/calendar.readonly"
      ],
      extra: {}
    }
  },
  {
    name: "time-based access: refresh_token_expires_in bounds the refresh token",
    source: `${webServer}#exchange-authorization-code`,
    status: 200,
    headers: json,
    body: JSON.stringify({
      access_token: "1/fFAGRNJru1FTz70BzhT3Zg",
      expires_in: 3920,
      token_type: "Bearer",
      scope: "https://www.googleapis.com/auth/calendar.readonly",
      refresh_token: "1//xEoDL4iW3cxlI7yDbSRFYNG01kVKM2C-259HOF2aQbI",
      refresh_token_expires_in: 86400
    }),
    expected: {
      _tag: "TokenSet",
      accessToken: "1/fFAGRNJru1FTz70BzhT3Zg",
      tokenType: "Bearer",
      expiresAt: after(3920),
      refreshToken: "1//xEoDL4iW3cxlI7yDbSRFYNG01kVKM2C-259HOF2aQbI",
      refreshTokenExpiresAt: after(86400),
      scopes: ["https://www.googleapis.com/auth/calendar.readonly"],
      extra: {}
    }
  },
  {
    name: "refresh response without a new refresh token",
    source: `${webServer}#offline`,
    status: 200,
    headers: json,
    body: JSON.stringify({
      access_token: "1/fFAGRNJru1FTz70BzhT3Zg",
      expires_in: 3920,
      scope: "https://www.googleapis.com/auth/drive.metadata.readonly",
      token_type: "Bearer"
    }),
    expected: {
      _tag: "TokenSet",
      accessToken: "1/fFAGRNJru1FTz70BzhT3Zg",
      tokenType: "Bearer",
      expiresAt: after(3920),
      scopes: ["https://www.googleapis.com/auth/drive.metadata.readonly"],
      extra: {}
    }
  },
  {
    name: "OpenID Connect code exchange with an ID token",
    source: "https://developers.google.com/identity/openid-connect/openid-connect#exchangecode",
    status: 200,
    headers: json,
    body: JSON.stringify({
      access_token: "ya29.a0AfH6SMBx-example-access-token",
      expires_in: 3599,
      id_token: "eyJhbGciOiJSUzI1NiIsImtpZCI6IjFlOWdkazcifQ.eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20ifQ.sig",
      scope: "openid https://www.googleapis.com/auth/userinfo.email",
      token_type: "Bearer"
    }),
    expected: {
      _tag: "TokenSet",
      accessToken: "ya29.a0AfH6SMBx-example-access-token",
      tokenType: "Bearer",
      expiresAt: after(3599),
      idToken: "eyJhbGciOiJSUzI1NiIsImtpZCI6IjFlOWdkazcifQ.eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20ifQ.sig",
      scopes: ["openid", "https://www.googleapis.com/auth/userinfo.email"],
      extra: {}
    }
  },
  oauthError({
    name: "invalid_grant: Token has been expired or revoked (refresh) → reauthorize",
    source: `${webServer}#exchange-errors-invalid-grant`,
    status: 400,
    headers: json,
    error: "invalid_grant",
    description: "Token has been expired or revoked.",
    remedy: "reauthorize"
  }),
  oauthError({
    name: "invalid_grant: a used or malformed authorization code",
    source: `${webServer}#exchange-errors-invalid-grant`,
    status: 400,
    headers: json,
    error: "invalid_grant",
    description: "Bad Request",
    remedy: "reauthorize"
  }),
  oauthError({
    name: "invalid_client with HTTP 401 → fixConfiguration",
    source: `${webServer}#exchange-errors`,
    status: 401,
    headers: json,
    error: "invalid_client",
    description: "Unauthorized",
    remedy: "fixConfiguration"
  }),
  {
    name: "device flow success with a refresh token",
    source: `${device}#step-6:-handle-responses-to-polling-requests`,
    status: 200,
    headers: json,
    body: JSON.stringify({
      access_token: "1/fFAGRNJru1FTz70BzhT3Zg",
      expires_in: 3920,
      scope: "openid https://www.googleapis.com/auth/userinfo.profile https://www.googleapis.com/auth/userinfo.email",
      token_type: "Bearer",
      refresh_token: "1/xEoDL4iW3cxlI7yDbSRFYNG01kVKM2C-259HOF2aQbI"
    }),
    expected: {
      _tag: "TokenSet",
      accessToken: "1/fFAGRNJru1FTz70BzhT3Zg",
      tokenType: "Bearer",
      expiresAt: after(3920),
      refreshToken: "1/xEoDL4iW3cxlI7yDbSRFYNG01kVKM2C-259HOF2aQbI",
      scopes: ["openid", "https://www.googleapis.com/auth/userinfo.profile", "https://www.googleapis.com/auth/userinfo.email"],
      extra: {}
    }
  },
  oauthError({
    name: "device flow authorization_pending with HTTP 428 → retry",
    source: `${device}#step-6:-handle-responses-to-polling-requests`,
    status: 428,
    headers: json,
    error: "authorization_pending",
    description: "Precondition Required",
    remedy: "retry"
  }),
  oauthError({
    name: "device flow slow_down with HTTP 403 → retry",
    source: `${device}#step-6:-handle-responses-to-polling-requests`,
    status: 403,
    headers: json,
    error: "slow_down",
    description: "Forbidden",
    remedy: "retry"
  }),
  oauthError({
    name: "device flow access_denied with HTTP 403 → reauthorize",
    source: `${device}#step-6:-handle-responses-to-polling-requests`,
    status: 403,
    headers: json,
    error: "access_denied",
    description: "Forbidden",
    remedy: "reauthorize"
  }),
  {
    name: "service account JWT bearer grant: no refresh token",
    source: "https://developers.google.com/identity/protocols/oauth2/service-account#handlingtheresponse",
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "1/8xbJqaOZXSUZbHLl5EOtu1pxz3fmmetKx9W8CV4t79M", scope: "https://www.googleapis.com/auth/prediction", token_type: "Bearer", expires_in: 3600 }),
    expected: {
      _tag: "TokenSet",
      accessToken: "1/8xbJqaOZXSUZbHLl5EOtu1pxz3fmmetKx9W8CV4t79M",
      tokenType: "Bearer",
      expiresAt: after(3600),
      scopes: ["https://www.googleapis.com/auth/prediction"],
      extra: {}
    }
  }
]

shapeSuite("Google / documented token responses", Google.make({ accessType: "offline", prompt: "consent" }), rows)

const client = {
  clientId: "407408718192.apps.googleusercontent.com",
  clientSecret: Redacted.make("GOCSPX-example-secret"),
  redirectUri: "https://app.example/oauth/google"
}

// Google signs its ID tokens (RS256) with the keys at `Google.endpoints.jwks`; the
// client validates them. A test key stands in for Google's, served at that URL.
const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
const googleJwks = { keys: [{ ...signingKey.publicKey.export({ format: "jwk" }), kid: "google-test", alg: "RS256", use: "sig" }] }

/** The nonce of the authorization request being answered: Google puts it into the ID token. */
let pendingNonce: string | undefined

/**
 * An ID token as Google issues it for `client` (header, claims, RS256 signature),
 * issued at the test clock's start (epoch 0, where these tests run).
 */
const idToken = (sub: string) => {
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString("base64url")
  const input = [
    encode({ alg: "RS256", kid: "google-test", typ: "JWT" }),
    encode({
      iss: "https://accounts.google.com",
      azp: client.clientId,
      aud: client.clientId,
      sub,
      iat: 0,
      exp: 3600,
      ...(pendingNonce === undefined ? {} : { nonce: pendingNonce })
    })
  ].join(".")
  return `${input}.${sign("sha256", Buffer.from(input), signingKey.privateKey).toString("base64url")}`
}

/** A stub that also serves Google's key set. */
const google = (respond: (seen: Seen) => Response) =>
  stub((seen) => seen.url.toString() === Google.endpoints.jwks ? jsonResponse(googleJwks) : respond(seen))

/** A Google token endpoint: the code exchange issues a refresh token, each refresh answers `refresh`. */
const tokenEndpoint = (refresh: () => Response) =>
  google((seen) =>
    seen.params.get("grant_type") === "authorization_code"
      ? jsonResponse({
        access_token: "ya29.first",
        expires_in: 3599,
        token_type: "Bearer",
        scope: "openid https://www.googleapis.com/auth/calendar",
        refresh_token: "1//refresh-from-consent",
        id_token: idToken("110169484474386276334")
      })
      : refresh()
  )

/**
 * Authorizes as Google would answer: the callback carries `code`, `state`, `iss`,
 * `scope`, `authuser`, `prompt`; the ID token of the exchange will carry the
 * request's nonce.
 */
const callbackFor = (request: { readonly state: Redacted.Redacted<string>; readonly nonce?: Redacted.Redacted<string> | undefined }) => {
  pendingNonce = request.nonce === undefined ? undefined : Redacted.value(request.nonce)
  return `${client.redirectUri}?state=${Redacted.value(request.state)}&iss=https%3A%2F%2Faccounts.google.com` +
    "&code=4%2F0AX4XfWh-example&scope=openid+https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar&authuser=0&prompt=consent"
}

describe("Google.make", () => {
  it.effect("builds authorization URLs with access_type=offline and prompt=consent", () =>
    Effect.gen(function*() {
      const { layer } = stub(() => jsonResponse({}))
      const oauth = yield* OAuthClient.make({ provider: Google.make({ accessType: "offline", prompt: "consent" }), client })
        .pipe(Effect.provide(layer))
      const request = yield* oauth.authorizationUrl({ params: Google.authorizationParams({ loginHint: "alice@example.com" }) })
      const url = new URL(request.url)
      expect(`${url.origin}${url.pathname}`).toBe(Google.endpoints.authorization)
      expect(url.searchParams.get("access_type")).toBe("offline")
      expect(url.searchParams.get("prompt")).toBe("consent")
      expect(url.searchParams.get("login_hint")).toBe("alice@example.com")
      expect(url.searchParams.get("scope")).toBe("openid email profile")
      expect(url.searchParams.get("code_challenge_method")).toBe("S256")
    }))

  it("writes typed options as Google's parameters and leaves unset ones out", () => {
    expect(Google.authorizationParams({ prompt: ["consent", "select_account"], includeGrantedScopes: true, hostedDomain: "example.com" }))
      .toEqual({ prompt: "consent select_account", include_granted_scopes: "true", hd: "example.com" })
    expect(Google.make().requests?.authorizationParams).toBeUndefined()
    expect(Google.make({ scopes: ["openid"] }).defaultScopes).toEqual(["openid"])
  })

  it.effect("accepts Google's callback with iss, scope, authuser and prompt, and exchanges the code", () =>
    Effect.gen(function*() {
      const { layer, seen } = tokenEndpoint(() => jsonResponse({}))
      const oauth = yield* OAuthClient.make({ provider: Google.make({ accessType: "offline" }), client }).pipe(Effect.provide(layer))
      const request = yield* oauth.authorizationUrl()
      const tokens = yield* oauth.exchangeCode(yield* Callback.parse(callbackFor(request), request))
      expect(tokens.refreshToken && Redacted.value(tokens.refreshToken)).toBe("1//refresh-from-consent")
      expect(seen[0]?.url.toString()).toBe(Google.endpoints.token)
      expect(seen[0]?.params.get("redirect_uri")).toBe(client.redirectUri)
    }))

  it.effect("keeps the stored refresh token when a refresh or a later consent omits it", () =>
    Effect.gen(function*() {
      const { layer } = tokenEndpoint(() =>
        jsonResponse({ access_token: "ya29.second", expires_in: 3599, token_type: "Bearer", scope: "openid" })
      )
      const oauth = yield* OAuthClient.make({ provider: Google.make({ accessType: "offline" }), client }).pipe(Effect.provide(layer))
      const request = yield* oauth.authorizationUrl()
      const first = yield* oauth.exchangeCode(yield* Callback.parse(callbackFor(request), request))
      const refreshed = yield* oauth.refresh(first)
      expect(Redacted.value(refreshed.accessToken)).toBe("ya29.second")
      expect(refreshed.refreshToken && Redacted.value(refreshed.refreshToken)).toBe("1//refresh-from-consent")
      // A later consent without prompt=consent answers without refresh_token.
      const laterConsent = TokenSet.make({ accessToken: "ya29.third", issuedAt: after(10), expiresAt: after(3610) })
      const merged = TokenSet.merge(refreshed, laterConsent)
      expect(Redacted.value(merged.accessToken)).toBe("ya29.third")
      expect(merged.refreshToken && Redacted.value(merged.refreshToken)).toBe("1//refresh-from-consent")
    }))

  it.effect(`revokes the grant at Google's revocation endpoint with the refresh token (${webServer}#tokenrevoke)`, () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => new Response(null, { status: 200 }))
      const oauth = yield* OAuthClient.make({ provider: Google.make(), client }).pipe(Effect.provide(layer))
      yield* oauth.revoke(TokenSet.make({ accessToken: "ya29.first", issuedAt: 0, refreshToken: "1//refresh-from-consent" }))
      expect(seen[0]?.method).toBe("POST")
      expect(seen[0]?.url.toString()).toBe(Google.endpoints.revocation)
      expect(seen[0]?.params.get("token")).toBe("1//refresh-from-consent")
      expect(seen[0]?.params.get("token_type_hint")).toBe("refresh_token")
    }))

  // Google documents HTTP 400 with an error code for a revocation it does not
  // process (${webServer}#tokenrevoke); for a token that is already expired or
  // revoked the body is {"error": "invalid_token", "error_description": "Token
  // expired or revoked"}, as recorded in
  // https://github.com/mrdulin/nodejs-googleapis (README, "oauth scenarios").
  it.effect(`counts Google's 400 invalid_token for an already invalid token as revoked (${webServer}#tokenrevoke)`, () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() =>
        jsonResponse({ error: "invalid_token", error_description: "Token expired or revoked" }, 400)
      )
      const oauth = yield* OAuthClient.make({ provider: Google.make(), client }).pipe(Effect.provide(layer))
      yield* oauth.revoke(TokenSet.make({ accessToken: "ya29.gone", issuedAt: 0, refreshToken: "1//already-revoked" }))
      expect(seen).toHaveLength(1)
      expect(seen[0]?.url.toString()).toBe(Google.endpoints.revocation)
    }))

  it.effect("still fails a revocation Google refuses for another reason (invalid_request)", () =>
    Effect.gen(function*() {
      const { layer } = stub(() => jsonResponse({ error: "invalid_request", error_description: "Bad Request" }, 400))
      const oauth = yield* OAuthClient.make({ provider: Google.make(), client }).pipe(Effect.provide(layer))
      const error = yield* Effect.flip(oauth.revoke(TokenSet.make({ accessToken: "ya29.x", issuedAt: 0 })))
      expect(error._tag).toBe("OAuthError")
    }))

  it.scoped("a session whose refresh Google refuses with invalid_grant ends in revoked, store cleared", () =>
    Effect.gen(function*() {
      const { layer, seen } = tokenEndpoint(() =>
        jsonResponse({ error: "invalid_grant", error_description: "Token has been expired or revoked." }, 400)
      )
      const { make, store } = yield* sessionOver(layer, Google.make({ accessType: "offline", prompt: "consent" }), client, {
        key: "alice"
      })
      const session = yield* make
      const request = yield* session.authorize()
      yield* session.completeAuthorization(callbackFor(request))
      expect(yield* session.state).toBe("authorized")
      yield* TestClock.adjust("1 hour")
      const error = yield* Effect.flip(session.accessToken)
      expect(error._tag).toBe("SessionRevoked")
      expect(error instanceof SessionError.SessionRevoked && error.reason).toBe("GrantRejected")
      expect(error.message).toBe("the authorization server rejected the grant (invalid_grant): authorize again")
      expect(yield* session.state).toBe("revoked")
      expect((yield* store.get("alice"))._tag).toBe("None")
      const tokenRequests = seen.filter((entry) => entry.url.toString() === Google.endpoints.token)
      expect(tokenRequests.map((entry) => entry.params.get("grant_type"))).toEqual(["authorization_code", "refresh_token"])
    }))
})


describe(`Google / a second consent without a refresh token (${webServer}#offline)`, () => {
  // "a refresh token is only returned the first time the user consents"; later
  // exchanges for the same user carry an ID token and no refresh token.
  const consents = (answers: ReadonlyArray<() => Record<string, unknown>>) => {
    let n = 0
    return google(() =>
      jsonResponse({ expires_in: 3599, token_type: "Bearer", scope: "openid https://www.googleapis.com/auth/calendar", ...answers[n++]?.() })
    )
  }
  // Two sign-ins of one key that start together (two devices, two browser tabs,
  // two workers over one store): each session starts unauthorized, and the
  // second consent completes after the first one stored its grant.
  const authorizeTwice = (answers: ReadonlyArray<() => Record<string, unknown>>, scopes?: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const { layer } = consents(answers)
      const { make: start, store } = yield* sessionOver(layer, Google.make({ accessType: "offline" }), client, { key: "alice" })
      const sessions = [yield* start, yield* start]
      for (const session of sessions) {
        const request = yield* session.authorize(scopes === undefined ? undefined : { scopes })
        yield* session.completeAuthorization(callbackFor(request))
      }
      const stored = yield* store.get("alice")
      return Option.getOrThrow(stored).tokens
    })

  it.scoped("keeps the stored refresh token when the same user consents again and none comes back", () =>
    Effect.gen(function*() {
      const tokens = yield* authorizeTwice([
        () => ({ access_token: "ya29.first", refresh_token: "1//first-consent", id_token: idToken("110169484474386276334") }),
        () => ({ access_token: "ya29.second", id_token: idToken("110169484474386276334") })
      ])
      expect(Redacted.value(tokens.accessToken)).toBe("ya29.second")
      expect(tokens.refreshToken && Redacted.value(tokens.refreshToken)).toBe("1//first-consent")
    }))

  it.scoped("carries nothing over when another user consents under the same key", () =>
    Effect.gen(function*() {
      const tokens = yield* authorizeTwice([
        () => ({ access_token: "ya29.first", refresh_token: "1//first-consent", id_token: idToken("110169484474386276334") }),
        () => ({ access_token: "ya29.other", id_token: idToken("999999999999999999999") })
      ])
      expect(Redacted.value(tokens.accessToken)).toBe("ya29.other")
      expect(tokens.refreshToken).toBeUndefined()
    }))

  it.scoped("carries nothing over when the answers have no ID token to prove the same user", () =>
    Effect.gen(function*() {
      // Without openid, Google sends no ID token.
      const tokens = yield* authorizeTwice([
        () => ({ access_token: "ya29.first", refresh_token: "1//first-consent", scope: "https://www.googleapis.com/auth/calendar" }),
        () => ({ access_token: "ya29.second", scope: "https://www.googleapis.com/auth/calendar" })
      ], ["https://www.googleapis.com/auth/calendar"])
      expect(tokens.refreshToken).toBeUndefined()
    }))
})

describe(`Google.tokenInfo (shapes: ${tokeninfoDoc})`, () => {
  const token = Redacted.make("ya29.a0AfH6SMC-example")
  const valid = {
    azp: "407408718192.apps.googleusercontent.com",
    aud: "407408718192.apps.googleusercontent.com",
    sub: "110169484474386276334",
    scope: "openid https://www.googleapis.com/auth/userinfo.email",
    exp: String(after(3599) / 1000),
    expires_in: "3599",
    email: "testuser@gmail.com",
    email_verified: "true",
    access_type: "offline"
  }
  const at = (layer: Layer.Layer<HttpClient.HttpClient>) =>
    <A, E>(effect: Effect.Effect<A, E, HttpClient.HttpClient>) =>
      TestClock.setTime(after(0)).pipe(Effect.zipRight(effect), Effect.provide(layer))

  it.effect(`reads an access token's info, booleans and numbers sent as strings (${tokeninfoDoc})`, () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => jsonResponse(valid))
      const read = yield* at(layer)(Google.tokenInfo(token, { audience: client.clientId }))
      expect(read).toBeInstanceOf(Google.TokenInfo)
      expect(read.audience).toBe(client.clientId)
      expect(read.subject).toBe("110169484474386276334")
      expect(read.scopes).toEqual(["openid", "https://www.googleapis.com/auth/userinfo.email"])
      expect(read.expiresAt).toBe(after(3599))
      expect(read.emailVerified).toBe(true)
      expect(read.accessType).toBe("offline")
      expect(read.extra).toEqual({})
      expect(seen[0]?.method).toBe("GET")
      expect(seen[0]?.url.origin + seen[0]!.url.pathname).toBe(Google.endpoints.tokenInfo)
      expect(seen[0]?.params.get("access_token")).toBe("ya29.a0AfH6SMC-example")
    }))

  it.effect(`reads an ID token's info with id_token= and keeps profile claims in extra (${tokeninfoDoc})`, () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() =>
        jsonResponse({
          iss: "https://accounts.google.com",
          sub: "110169484474386276334",
          azp: "1008719970978-hb24n2dstb40o45d4feuo2ukqmcc6381.apps.googleusercontent.com",
          aud: "1008719970978-hb24n2dstb40o45d4feuo2ukqmcc6381.apps.googleusercontent.com",
          iat: String(after(0) / 1000),
          exp: String(after(3600) / 1000),
          email: "testuser@gmail.com",
          email_verified: "true",
          name: "Test User",
          given_name: "Test",
          family_name: "User",
          locale: "en"
        })
      )
      const info = yield* at(layer)(
        Google.tokenInfo(token, {
          audience: ["other-client", "1008719970978-hb24n2dstb40o45d4feuo2ukqmcc6381.apps.googleusercontent.com"],
          tokenType: "id_token"
        })
      )
      expect(info.issuer).toBe("https://accounts.google.com")
      expect(info.scopes).toEqual([])
      expect(info.extra).toMatchObject({ name: "Test User", locale: "en", iat: String(after(0) / 1000) })
      expect(seen[0]?.params.get("id_token")).toBe("ya29.a0AfH6SMC-example")
    }))

  it.effect("refuses a token issued to another client (AudienceMismatch)", () =>
    Effect.gen(function*() {
      const { layer } = stub(() => jsonResponse({ ...valid, aud: "999-other.apps.googleusercontent.com" }))
      const error = yield* Effect.flip(at(layer)(Google.tokenInfo(token, { audience: client.clientId })))
      expect(ProviderError.isProviderError(error)).toBe(true)
      expect(error).toMatchObject({ _tag: "InvalidToken", reason: "AudienceMismatch", received: "999-other.apps.googleusercontent.com" })
    }))

  it.effect("answers Google's invalid_token (HTTP 400, Invalid Value) with InvalidToken Rejected, no token in the message", () =>
    Effect.gen(function*() {
      const { layer } = stub(() => jsonResponse({ error: "invalid_token", error_description: "Invalid Value" }, 400))
      const error = yield* Effect.flip(at(layer)(Google.tokenInfo(token, { audience: client.clientId })))
      expect(error).toMatchObject({ _tag: "InvalidToken", reason: "Rejected", code: "invalid_token", description: "Invalid Value" })
      expect(error._tag === "InvalidToken" && error.remedy).toBe("reauthorize")
      expect(String(error)).not.toContain("ya29")
      expect(error.message).toBe("google rejected the token invalid_token: Invalid Value (remedy: reauthorize)")
    }))

  it.effect("refuses an answer whose exp is already past by the local clock (Expired)", () =>
    Effect.gen(function*() {
      const { layer } = stub(() => jsonResponse({ ...valid, exp: String(after(-1) / 1000) }))
      const error = yield* Effect.flip(at(layer)(Google.tokenInfo(token, { audience: client.clientId })))
      expect(error).toMatchObject({ _tag: "InvalidToken", reason: "Expired" })
    }))

  it.effect("reports a 503 page as a retryable InvalidTokenResponse", () =>
    Effect.gen(function*() {
      const { layer } = stub(() => new Response("<html>Service Unavailable</html>", { status: 503, headers: { "content-type": "text/html" } }))
      const error = yield* Effect.flip(at(layer)(Google.tokenInfo(token, { audience: client.clientId })))
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", status: 503 })
      expect(error._tag === "InvalidTokenResponse" && error.remedy).toBe("retry")
    }))

  it.effect("reports an answer without aud as InvalidField", () =>
    Effect.gen(function*() {
      const { aud: _, ...withoutAud } = valid
      const { layer } = stub(() => jsonResponse(withoutAud))
      const error = yield* Effect.flip(at(layer)(Google.tokenInfo(token, { audience: client.clientId })))
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "InvalidField", field: "aud" })
    }))
})
