import { Callback, OAuthClient, TokenResponse } from "@effect-oauth/core"
import { GitHub } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, FastCheck as fc, Queue, Redacted, TestClock } from "effect"
import { after, type Fixture, form, json, oauthError, requestedAt, shapeSuite } from "./helpers/fixtures.js"
import { jsonResponse, sessionOver, stub } from "./helpers/http.js"

const oauthApp = "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps"
const errors =
  "https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"
const appToken =
  "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app"
const appRefresh =
  "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens"
const errorUri = (anchor: string) => `/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#${anchor}`

const error200 = (name: string, source: string, error: string, description: string, uri: string, remedy: "reauthorize" | "fixConfiguration" | "retry"): Fixture =>
  oauthError({ name, source, status: 200, headers: json, error, description, uri, remedy })

/** GitHub's own code inside HTTP 200, read as the RFC 6749 code it means, GitHub's kept in details. */
const mapped200 = (name: string, source: string, own: string, error: string, description: string, uri: string, remedy: "reauthorize" | "fixConfiguration"): Fixture => ({
  name,
  source,
  status: 200,
  headers: json,
  body: JSON.stringify({ error: own, error_description: description, error_uri: uri }),
  expected: { _tag: "OAuthError", error, description, uri, status: 200, remedy, details: { provider_error: own } }
})

const appUserToken = {
  body: JSON.stringify({
    access_token: "ghu_16C7e42F292c6912E7710c838347Ae178B4a",
    expires_in: 28800,
    refresh_token: "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498",
    refresh_token_expires_in: 15897600,
    scope: "",
    token_type: "bearer"
  }),
  expected: {
    _tag: "TokenSet",
    accessToken: "ghu_16C7e42F292c6912E7710c838347Ae178B4a",
    tokenType: "Bearer",
    expiresAt: after(28800),
    refreshToken: "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498",
    refreshTokenExpiresAt: after(15897600),
    scopes: [],
    extra: {}
  }
} as const

const rows: ReadonlyArray<Fixture> = [
  {
    name: "OAuth app token as JSON: comma-separated scopes, lowercase bearer, no expiry",
    source: `${oauthApp}#2-users-are-redirected-back-to-your-site-by-github`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "gho_16C7e42F292c6912E7710c838347Ae178B4a", scope: "repo,gist", token_type: "bearer" }),
    expected: {
      _tag: "TokenSet",
      accessToken: "gho_16C7e42F292c6912E7710c838347Ae178B4a",
      tokenType: "Bearer",
      scopes: ["repo", "gist"],
      extra: {}
    }
  },
  {
    name: "OAuth app token form-encoded (the answer without Accept: application/json)",
    source: `${oauthApp}#2-users-are-redirected-back-to-your-site-by-github`,
    status: 200,
    headers: form,
    body: "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cgist&token_type=bearer",
    expected: {
      _tag: "TokenSet",
      accessToken: "gho_16C7e42F292c6912E7710c838347Ae178B4a",
      tokenType: "Bearer",
      scopes: ["repo", "gist"],
      extra: {}
    }
  },
  {
    name: "form-encoded body labelled application/json is sniffed as form",
    source: "https://github.com/orgs/community/discussions/101123",
    status: 200,
    headers: { "content-type": "application/json" },
    body: "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=user%2Cpublic_repo&token_type=bearer",
    expected: {
      _tag: "TokenSet",
      accessToken: "gho_16C7e42F292c6912E7710c838347Ae178B4a",
      tokenType: "Bearer",
      scopes: ["user", "public_repo"],
      extra: {}
    }
  },
  {
    name: "GitHub App user token: expires_in, refresh_token_expires_in, empty scope",
    source: `${appToken}#using-the-web-application-flow-to-generate-a-user-access-token`,
    status: 200,
    headers: json,
    body: appUserToken.body,
    expected: appUserToken.expected
  },
  {
    name: "GitHub App user token with an empty scope: the requested scopes stand",
    source: `${appToken}#using-the-web-application-flow-to-generate-a-user-access-token`,
    status: 200,
    headers: json,
    body: appUserToken.body,
    requestedScopes: ["read:user"],
    expected: { ...appUserToken.expected, scopes: ["read:user"] }
  },
  {
    name: "GitHub App refresh answered form-encoded with numbers as strings",
    source: appRefresh,
    status: 200,
    headers: form,
    body: "access_token=ghu_16C7e42F292c6912E7710c838347Ae178B4a&expires_in=28800" +
      "&refresh_token=ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498" +
      "&refresh_token_expires_in=15811200&scope=&token_type=bearer",
    expected: {
      _tag: "TokenSet",
      accessToken: "ghu_16C7e42F292c6912E7710c838347Ae178B4a",
      tokenType: "Bearer",
      expiresAt: after(28800),
      refreshToken: "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498",
      refreshTokenExpiresAt: after(15811200),
      scopes: [],
      extra: {}
    }
  },
  mapped200("bad_verification_code inside HTTP 200 → invalid_grant, reauthorize", `${errors}#bad-verification-code`, "bad_verification_code", "invalid_grant", "The code passed is incorrect or expired.", errorUri("bad-verification-code"), "reauthorize"),
  mapped200("incorrect_client_credentials inside HTTP 200 → invalid_client, fixConfiguration", `${errors}#incorrect-client-credentials`, "incorrect_client_credentials", "invalid_client", "The client_id and/or client_secret passed are incorrect.", errorUri("incorrect-client-credentials"), "fixConfiguration"),
  mapped200("redirect_uri_mismatch inside HTTP 200 → invalid_request, fixConfiguration", `${errors}#redirect-uri-mismatch`, "redirect_uri_mismatch", "invalid_request", "The redirect_uri MUST match the registered callback URL for this application.", "/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#redirect-uri-mismatch2", "fixConfiguration"),
  mapped200("unverified_user_email inside HTTP 200 → access_denied, reauthorize", `${errors}#unverified-user-email`, "unverified_user_email", "access_denied", "The user must have a verified primary email.", errorUri("unverified-user-email"), "reauthorize"),
  mapped200("bad_refresh_token inside HTTP 200 → invalid_grant, reauthorize", `${appRefresh}#responding-to-errors`, "bad_refresh_token", "invalid_grant", "The refresh token passed is incorrect or expired.", "https://docs.github.com", "reauthorize"),
  {
    name: "bad_verification_code form-encoded inside HTTP 200",
    source: `${errors}#bad-verification-code`,
    status: 200,
    headers: form,
    body: "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired." +
      "&error_uri=%2Fapps%2Fmanaging-oauth-apps%2Ftroubleshooting-oauth-app-access-token-request-errors%2F%23bad-verification-code",
    expected: {
      _tag: "OAuthError",
      error: "invalid_grant",
      description: "The code passed is incorrect or expired.",
      uri: errorUri("bad-verification-code"),
      status: 200,
      remedy: "reauthorize",
      details: { provider_error: "bad_verification_code" }
    }
  },
  error200("device flow authorization_pending inside HTTP 200 → retry", `${oauthApp}#error-codes-for-the-device-flow`, "authorization_pending", "The authorization request is still pending.", "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow", "retry"),
  {
    name: "device flow slow_down with a new interval inside HTTP 200 → retry",
    source: `${oauthApp}#error-codes-for-the-device-flow`,
    status: 200,
    headers: json,
    body: JSON.stringify({
      error: "slow_down",
      error_description: "Too many requests have been made in the same timeframe.",
      error_uri: "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow",
      interval: 10
    }),
    expected: {
      _tag: "OAuthError",
      error: "slow_down",
      description: "Too many requests have been made in the same timeframe.",
      uri: "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow",
      status: 200,
      remedy: "retry",
      details: { interval: 10 }
    }
  },
  mapped200("device flow incorrect_device_code → invalid_grant, reauthorize", `${oauthApp}#error-codes-for-the-device-flow`, "incorrect_device_code", "invalid_grant", "The device_code provided is not valid.", "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow", "reauthorize"),
  mapped200("device flow device_flow_disabled → unauthorized_client, fixConfiguration", `${oauthApp}#error-codes-for-the-device-flow`, "device_flow_disabled", "unauthorized_client", "Device flow has not been enabled for this app.", "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow", "fixConfiguration")
]

shapeSuite("GitHub / documented token responses", GitHub.make(), rows)

const client = { clientId: "Iv1.8a61f9b3a7aba766", clientSecret: Redacted.make("1c0e5f-example-secret"), redirectUri: "http://127.0.0.1:8080/callback" }

const approve = (request: { readonly state: Redacted.Redacted<string> }) =>
  `${client.redirectUri}?code=92b2ba0fa6e5dd4e1a2c&state=${Redacted.value(request.state)}`

describe("GitHub.tokenResponse", () => {
  const scope = fc.stringMatching(/^[a-z][a-z_:]{0,15}$/)
  it.effect.prop(
    "reads any comma-joined scope list back as that list, in JSON and form bodies",
    [fc.uniqueArray(scope, { maxLength: 8 }), fc.boolean()],
    ([scopes, asForm]) =>
      Effect.gen(function*() {
        const fields = { access_token: "gho_16C7e42F292c6912E7710c838347Ae178B4a", scope: scopes.join(","), token_type: "bearer" }
        const tokens = yield* TokenResponse.parse(
          asForm
            ? { status: 200, headers: form, body: new URLSearchParams(fields).toString() }
            : { status: 200, headers: json, body: JSON.stringify(fields) },
          { requestedAt, quirks: GitHub.make().tokenResponse }
        )
        expect(tokens.scopes).toEqual(scopes)
      })
  )
})

describe("GitHub.make", () => {
  it("holds the github.com endpoints, device flow included, and an Enterprise Server's on its host", () => {
    const provider = GitHub.make()
    expect(provider.authorizationEndpoint).toBe(GitHub.endpoints.authorization)
    expect(provider.tokenEndpoint).toBe(GitHub.endpoints.token)
    expect(provider.deviceAuthorizationEndpoint).toBe(GitHub.endpoints.deviceAuthorization)
    expect(provider.revocationEndpoint).toBeUndefined()
    const enterprise = GitHub.make({ baseUrl: "https://github.example.com/" })
    expect(enterprise.tokenEndpoint).toBe("https://github.example.com/login/oauth/access_token")
    expect(enterprise.deviceAuthorizationEndpoint).toBe("https://github.example.com/login/device/code")
  })

  it.effect("asks for JSON, sends the client secret in the body and GitHub's authorization parameters", () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => jsonResponse({ access_token: "gho_16C7e42F292c6912E7710c838347Ae178B4a", scope: "read:user", token_type: "bearer" }))
      const oauth = yield* OAuthClient.make({ provider: GitHub.make({ scopes: ["read:user"], allowSignup: false }), client }).pipe(
        Effect.provide(layer)
      )
      const request = yield* oauth.authorizationUrl({ params: GitHub.authorizationParams({ login: "octocat" }) })
      const url = new URL(request.url)
      expect(url.searchParams.get("allow_signup")).toBe("false")
      expect(url.searchParams.get("login")).toBe("octocat")
      expect(url.searchParams.get("scope")).toBe("read:user")
      const tokens = yield* oauth.exchangeCode(yield* Callback.parse(approve(request), request))
      expect(tokens.scopes).toEqual(["read:user"])
      const sent = seen[0]!
      expect(sent.headers["accept"]).toBe("application/json")
      expect(sent.headers["authorization"]).toBeUndefined()
      expect(sent.params.get("client_id")).toBe(client.clientId)
      expect(sent.params.get("client_secret")).toBe("1c0e5f-example-secret")
      expect(sent.params.get("redirect_uri")).toBe(client.redirectUri)
    }))

  it.effect("turns an error inside HTTP 200 into an OAuthError whose message names the remedy", () =>
    Effect.gen(function*() {
      const { layer } = stub(() =>
        jsonResponse({
          error: "bad_verification_code",
          error_description: "The code passed is incorrect or expired.",
          error_uri: errorUri("bad-verification-code")
        })
      )
      const oauth = yield* OAuthClient.make({ provider: GitHub.make(), client }).pipe(Effect.provide(layer))
      const request = yield* oauth.authorizationUrl()
      const error = yield* Effect.flip(oauth.exchangeCode(yield* Callback.parse(approve(request), request)))
      expect(error._tag === "OAuthError" && error.remedy).toBe("reauthorize")
      expect(error.message).toBe(
        "invalid_grant: The code passed is incorrect or expired. (HTTP 200 from https://github.com/login/oauth/access_token; remedy: reauthorize)"
      )
      expect(error.message).not.toContain("92b2ba0fa6e5dd4e1a2c")
    }))

  it.scoped("a session holding a non-expiring OAuth-app token never goes expired and never refreshes", () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => jsonResponse({ access_token: "gho_16C7e42F292c6912E7710c838347Ae178B4a", scope: "repo", token_type: "bearer" }))
      const session = yield* (yield* sessionOver(layer, GitHub.make(), client, { key: "octocat", refresh: "eager" })).make
      const changes = yield* session.subscribe
      const request = yield* session.authorize()
      yield* session.completeAuthorization(approve(request))
      for (let step = 0; step < 4; step++) {
        yield* TestClock.adjust("400 days")
        expect(Redacted.value(yield* session.accessToken)).toBe("gho_16C7e42F292c6912E7710c838347Ae178B4a")
      }
      const states = Chunk.toReadonlyArray(yield* Queue.takeAll(changes)).flatMap((change) =>
        change._tag === "StateChanged" ? [change.to] : []
      )
      expect(states).toEqual(["authorizing", "authorized"])
      expect(yield* session.state).toBe("authorized")
      expect(seen.map((entry) => entry.params.get("grant_type"))).toEqual(["authorization_code"])
    }))

  it.scoped("session.revoke without a revocation endpoint ends the session locally and reports RevocationFailed", () =>
    Effect.gen(function*() {
      const { layer } = stub(() => jsonResponse({ access_token: "gho_16C7e42F292c6912E7710c838347Ae178B4a", scope: "repo", token_type: "bearer" }))
      const { make, store } = yield* sessionOver(layer, GitHub.make(), client, { key: "octocat" })
      const session = yield* make
      const request = yield* session.authorize()
      yield* session.completeAuthorization(approve(request))
      const error = yield* Effect.flip(session.revoke)
      expect(error._tag).toBe("RevocationFailed")
      expect(error.cause).toMatchObject({ _tag: "ConfigurationError", reason: "MissingEndpoint" })
      expect(yield* session.state).toBe("revoked")
      expect((yield* store.get("octocat"))._tag).toBe("None")
    }))

  it.scoped("a session holding an expiring GitHub-App user token refreshes it after 8 hours and keeps the new refresh token", () =>
    Effect.gen(function*() {
      let serial = 0
      const { layer, seen } = stub(() => {
        serial++
        return jsonResponse({
          access_token: `ghu_access_${serial}`,
          expires_in: 28800,
          refresh_token: `ghr_refresh_${serial}`,
          refresh_token_expires_in: 15897600,
          scope: "",
          token_type: "bearer"
        })
      })
      const { make, store } = yield* sessionOver(layer, GitHub.make(), client, { key: "octocat" })
      const session = yield* make
      const request = yield* session.authorize()
      yield* session.completeAuthorization(approve(request))
      yield* TestClock.adjust("8 hours")
      expect(Redacted.value(yield* session.accessToken)).toBe("ghu_access_2")
      expect(seen.map((entry) => entry.params.get("grant_type"))).toEqual(["authorization_code", "refresh_token"])
      expect(seen[1]?.params.get("refresh_token")).toBe("ghr_refresh_1")
      const stored = yield* store.get("octocat")
      expect(stored._tag === "Some" && stored.value.tokens.refreshToken && Redacted.value(stored.value.tokens.refreshToken))
        .toBe("ghr_refresh_2")
      // The new refresh token's lifetime counts from the refresh, 8 hours in.
      expect(stored._tag === "Some" && stored.value.tokens.refreshTokenExpiresAt).toBe((28800 + 15897600) * 1000)
    }))
})
