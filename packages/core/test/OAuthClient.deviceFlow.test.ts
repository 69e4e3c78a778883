import { OAuthClient, OAuthError, Provider, TokenSet } from "@effect-oauth/core"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Clock, Deferred, Effect, FastCheck, Fiber, Layer, Queue, Redacted, TestClock } from "effect"

// The device authorization grant (RFC 8628): the exact timing against
// `HttpClient.make` stubs under `TestClock`, then the flow against oidc-provider.

const grantType = "urn:ietf:params:oauth:grant-type:device_code"

interface Seen {
  readonly url: URL
  readonly form: URLSearchParams
  readonly headers: Readonly<Record<string, string>>
  /** `Clock` time of the request (ms). */
  readonly at: number
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

const pending = () => json({ error: "authorization_pending" }, 400)
const tokens = { access_token: "at-device", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-device" }

// RFC 8628 §3.2's example response (https://www.rfc-editor.org/rfc/rfc8628#section-3.2).
const rfcAuthorization = {
  device_code: "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS",
  user_code: "WDJB-MJHT",
  verification_uri: "https://example.com/device",
  verification_uri_complete: "https://example.com/device?user_code=WDJB-MJHT",
  expires_in: 1800,
  interval: 5
}

const provider = Provider.make({
  name: "example",
  tokenEndpoint: "https://as.example.com/token",
  deviceAuthorizationEndpoint: "https://as.example.com/device_authorization"
})

const client: OAuthClient.Client = { clientId: "device-client", scopes: ["profile"] }

/** A client whose device endpoint answers `authorization` and whose token endpoint answers `answers` in turn. */
const makeClient = (
  answers: ReadonlyArray<() => Response>,
  authorization: unknown = rfcAuthorization,
  options: { readonly provider?: Provider.Provider; readonly client?: OAuthClient.Client } = {}
) =>
  Effect.gen(function*() {
    const seen: Array<Seen> = []
    const polls: Array<Seen> = []
    const http = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
        const entry: Seen = { url, form: new URLSearchParams(body), headers: request.headers, at: yield* Clock.currentTimeMillis }
        seen.push(entry)
        if (url.pathname === "/device_authorization") return HttpClientResponse.fromWeb(request, json(authorization))
        polls.push(entry)
        const answer = answers[Math.min(polls.length, answers.length) - 1] ?? (() => json(tokens))
        return HttpClientResponse.fromWeb(request, answer())
      })
    )
    const oauth = yield* OAuthClient.make({ provider: options.provider ?? provider, client: options.client ?? client }).pipe(
      Effect.provideService(HttpClient.HttpClient, http)
    )
    return { oauth, seen, polls }
  })

describe("OAuthClient / deviceAuthorization", () => {
  it.effect("posts the client id and scopes to the device endpoint and reads RFC 8628 §3.2's example", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000_000)
      const { oauth, seen } = yield* makeClient([])
      const authorization = yield* oauth.deviceAuthorization()
      expect(seen[0]!.url.toString()).toBe("https://as.example.com/device_authorization")
      expect(Object.fromEntries(seen[0]!.form)).toEqual({ client_id: "device-client", scope: "profile" })
      expect(authorization).toMatchObject({
        userCode: "WDJB-MJHT",
        verificationUri: "https://example.com/device",
        verificationUriComplete: "https://example.com/device?user_code=WDJB-MJHT",
        expiresAt: 1_000_000 + 1_800_000,
        interval: 5,
        scopes: ["profile"]
      })
      expect(Redacted.value(authorization.deviceCode)).toBe(rfcAuthorization.device_code)
      for (const rendering of [String(authorization), JSON.stringify(authorization)]) {
        expect(rendering).not.toContain(rfcAuthorization.device_code)
      }
    }))

  it.effect("authenticates a confidential client and sends the scopes given to the call", () =>
    Effect.gen(function*() {
      const { oauth, seen } = yield* makeClient([], rfcAuthorization, {
        client: { clientId: "tv", clientSecret: Redacted.make("tv-secret"), authMethod: "client_secret_post" }
      })
      yield* oauth.deviceAuthorization({ scopes: ["a", "b"], params: { audience: "api" } })
      expect(Object.fromEntries(seen[0]!.form)).toEqual({
        audience: "api",
        scope: "a b",
        client_id: "tv",
        client_secret: "tv-secret"
      })
    }))

  it.effect("uses an interval of 5 seconds when the response has none (RFC 8628 §3.2)", () =>
    Effect.gen(function*() {
      const { interval: _, ...rest } = rfcAuthorization
      const { oauth } = yield* makeClient([], rest)
      expect((yield* oauth.deviceAuthorization()).interval).toBe(5)
    }))

  it.effect("reads Google's verification_url and keeps unknown fields in extra", () =>
    Effect.gen(function*() {
      // https://developers.google.com/identity/protocols/oauth2/limited-input-device#step-2:-handle-the-authorization-server-response
      const google = {
        device_code: "4/4-GMMhmHCXhWEzkobqIHGG_EnNYYsAkukHspeYUk9E8",
        user_code: "GQVQ-JKEC",
        verification_url: "https://www.google.com/device",
        expires_in: 1800,
        interval: 5
      }
      const { oauth } = yield* makeClient([], { ...google, message: "visit the page" })
      const authorization = yield* oauth.deviceAuthorization()
      expect(authorization.verificationUri).toBe("https://www.google.com/device")
      expect(authorization.verificationUriComplete).toBeUndefined()
      expect(authorization.extra).toEqual({ message: "visit the page" })
    }))

  const invalid: ReadonlyArray<{ readonly name: string; readonly body: unknown; readonly field?: string }> = [
    { name: "no device_code", body: { ...rfcAuthorization, device_code: undefined }, field: "device_code" },
    { name: "an empty user_code", body: { ...rfcAuthorization, user_code: "" }, field: "user_code" },
    { name: "no verification_uri", body: { ...rfcAuthorization, verification_uri: undefined }, field: "verification_uri" },
    { name: "a javascript: verification_uri", body: { ...rfcAuthorization, verification_uri: "javascript:alert(1)" }, field: "verification_uri" },
    {
      name: "a file: verification_uri_complete",
      body: { ...rfcAuthorization, verification_uri_complete: "file:///etc/passwd" },
      field: "verification_uri_complete"
    },
    { name: "a negative expires_in", body: { ...rfcAuthorization, expires_in: -1 }, field: "expires_in" },
    { name: "no expires_in", body: { ...rfcAuthorization, expires_in: undefined }, field: "expires_in" },
    { name: "a textual interval", body: { ...rfcAuthorization, interval: "soon" }, field: "interval" },
    { name: "a JSON array", body: [rfcAuthorization] }
  ]
  for (const row of invalid) {
    it.effect(`refuses a response with ${row.name} (InvalidTokenResponse naming the field)`, () =>
      Effect.gen(function*() {
        const { oauth } = yield* makeClient([], row.body)
        const error = yield* Effect.flip(oauth.deviceAuthorization())
        expect(error._tag).toBe("InvalidTokenResponse")
        if (error._tag !== "InvalidTokenResponse") return
        expect(error.field).toBe(row.field)
        expect(error.message).not.toContain(rfcAuthorization.device_code)
      }))
  }

  it.effect("reads an error body as an OAuthError (invalid_client)", () =>
    Effect.gen(function*() {
      const { oauth } = yield* makeClient([])
      const http = HttpClient.make((request) =>
        Effect.succeed(HttpClientResponse.fromWeb(request, json({ error: "invalid_client", error_description: "unknown client" }, 401)))
      )
      const refused = yield* OAuthClient.make({ provider, client }).pipe(Effect.provideService(HttpClient.HttpClient, http))
      const error = yield* Effect.flip(refused.deviceAuthorization())
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_client", status: 401, remedy: "fixConfiguration" })
      expect((yield* oauth.deviceAuthorization()).userCode).toBe("WDJB-MJHT")
    }))

  it.effect("fails with ConfigurationError when the provider has no device_authorization_endpoint", () =>
    Effect.gen(function*() {
      const { oauth, seen } = yield* makeClient([], rfcAuthorization, {
        provider: Provider.make({ name: "plain", tokenEndpoint: "https://as.example.com/token" })
      })
      const error = yield* Effect.flip(oauth.deviceAuthorization())
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "MissingEndpoint" })
      expect(error.message).toContain("device_authorization_endpoint")
      expect(seen).toHaveLength(0)
    }))
})

/** Starts polling in a fiber; the test moves the clock. */
const startPolling = (answers: ReadonlyArray<() => Response>, authorization: unknown = rfcAuthorization) =>
  Effect.gen(function*() {
    const { oauth, polls } = yield* makeClient(answers, authorization)
    const started = yield* Clock.currentTimeMillis
    const device = yield* oauth.deviceAuthorization()
    const reports: Array<OAuthClient.DevicePoll> = []
    const fiber = yield* Effect.fork(
      oauth.pollDeviceToken(device, { onPoll: (poll) => Effect.sync(() => reports.push(poll)) })
    )
    const times = () => polls.map((poll) => (poll.at - started) / 1000)
    return { fiber, polls, reports, times, device }
  })

describe("OAuthClient / pollDeviceToken", () => {
  it.effect("waits the interval before each poll, continues on authorization_pending, and returns the tokens", () =>
    Effect.gen(function*() {
      const { fiber, polls, reports, times } = yield* startPolling([pending, pending, () => json(tokens)])
      yield* TestClock.adjust("4999 millis")
      expect(polls).toHaveLength(0)
      yield* TestClock.adjust("1 millis")
      expect(times()).toEqual([5])
      yield* TestClock.adjust("10 seconds")
      const result = yield* Fiber.join(fiber)
      expect(times()).toEqual([5, 10, 15])
      expect(Object.fromEntries(polls[0]!.form)).toEqual({
        grant_type: grantType,
        device_code: rfcAuthorization.device_code,
        client_id: "device-client"
      })
      expect(Redacted.value(result.accessToken)).toBe("at-device")
      expect(Redacted.value(result.refreshToken!)).toBe("rt-device")
      // The response had no scope: the requested ones are granted (RFC 6749 §5.1).
      expect(result.scopes).toEqual(["profile"])
      expect(reports).toEqual([
        { attempt: 1, outcome: "authorization_pending", interval: 5 },
        { attempt: 2, outcome: "authorization_pending", interval: 5 }
      ])
    }))

  it.effect("adds 5 seconds to the interval on slow_down, for that and every later poll (RFC 8628 §3.5)", () =>
    Effect.gen(function*() {
      const slowDown = () => json({ error: "slow_down" }, 400)
      const { fiber, reports, times } = yield* startPolling([pending, slowDown, pending, slowDown, pending, () => json(tokens)])
      yield* TestClock.adjust("5 minutes")
      yield* Fiber.join(fiber)
      // 5 → pending; 10 → slow_down (interval 10); 20 → pending; 30 → slow_down (15); 45; 60.
      expect(times()).toEqual([5, 10, 20, 30, 45, 60])
      expect(reports.map((poll) => [poll.outcome, poll.interval])).toEqual([
        ["authorization_pending", 5],
        ["slow_down", 10],
        ["authorization_pending", 10],
        ["slow_down", 15],
        ["authorization_pending", 15]
      ])
    }))

  it.effect("reads GitHub's errors inside HTTP 200 and takes the longer interval its slow_down names", () =>
    Effect.gen(function*() {
      // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow
      // (device code response, and the error codes for the device flow, all answered with HTTP 200).
      const github = {
        device_code: "3584d83530557fdd1f46af8289938c8ef79f9dc5",
        user_code: "WDJB-MJHT",
        verification_uri: "https://github.com/login/device",
        expires_in: 900,
        interval: 5
      }
      const uri = "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow"
      const { fiber, reports, times } = yield* startPolling([
        () => json({ error: "authorization_pending", error_description: "The authorization request is still pending.", error_uri: uri }),
        () => json({ error: "slow_down", error_description: "Too many requests have been made in the same timeframe.", error_uri: uri, interval: 15 }),
        () => json({ access_token: "gho_16C7e42F292c6912E7710c838347Ae178B4a", token_type: "bearer", scope: "repo" })
      ], github)
      yield* TestClock.adjust("1 minute")
      const tokens = yield* Fiber.join(fiber)
      expect(times()).toEqual([5, 10, 25])
      expect(reports.map((poll) => [poll.outcome, poll.interval])).toEqual([["authorization_pending", 5], ["slow_down", 15]])
      expect(tokens.tokenType).toBe("Bearer")
    }))

  it.effect("stops at expires_in with DeviceCodeExpired and sends no request after it", () =>
    Effect.gen(function*() {
      const { device, fiber, times } = yield* startPolling([pending], { ...rfcAuthorization, expires_in: 12 })
      yield* TestClock.adjust("11999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "DeviceCodeExpired", expiresAt: device.expiresAt })
      expect(error._tag === "DeviceCodeExpired" && error.remedy).toBe("reauthorize")
      expect(OAuthError.isCoreError(error)).toBe(true)
      expect(OAuthError.remedyOf(error)).toBe("reauthorize")
      yield* TestClock.adjust("1 minute")
      expect(times()).toEqual([5, 10])
    }))

  it.effect("ends with DeviceCodeExpired when the server answers expired_token", () =>
    Effect.gen(function*() {
      const expired = () => json({ error: "expired_token", error_description: "device code is expired" }, 400)
      const { fiber, times } = yield* startPolling([pending, expired, pending])
      yield* TestClock.adjust("1 minute")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "DeviceCodeExpired", description: "device code is expired" })
      expect(error.message).toBe("the device code expired before the user approved it (RFC 8628 §3.5): device code is expired")
      expect(times()).toEqual([5, 10])
    }))

  it.effect("ends with AuthorizationDenied when the user declines (access_denied)", () =>
    Effect.gen(function*() {
      const denied = () => json({ error: "access_denied", error_description: "the user said no" }, 400)
      const { fiber, times } = yield* startPolling([denied])
      yield* TestClock.adjust("1 minute")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "AuthorizationDenied", error: "access_denied", description: "the user said no" })
      expect(times()).toEqual([5])
    }))

  it.effect("stops polling on any other error code (RFC 8628 §3.5) and masks an echoed device code", () =>
    Effect.gen(function*() {
      const refused = () =>
        json({ error: "invalid_grant", error_description: `unknown device_code ${rfcAuthorization.device_code}` }, 400)
      const { fiber, times } = yield* startPolling([refused, () => json(tokens)])
      yield* TestClock.adjust("1 minute")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_grant" })
      expect(error.message).not.toContain(rfcAuthorization.device_code)
      expect(error.message).toContain("<redacted>")
      expect(times()).toEqual([5])
    }))

  it.effect("backs off on a 5xx page or a network failure by doubling the interval, then continues", () =>
    Effect.gen(function*() {
      const outage = () => new Response("<html>bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } })
      const busy = () => new Response("", { status: 429, headers: { "retry-after": "60" } })
      const { fiber, reports, times } = yield* startPolling([outage, pending, busy, () => json(tokens)])
      yield* TestClock.adjust("5 minutes")
      yield* Fiber.join(fiber)
      // 5 → 502 (interval 10); 15 → pending; 25 → 429 with Retry-After 60 (interval 20, wait 60); 85.
      expect(times()).toEqual([5, 15, 25, 85])
      expect(reports.map((poll) => poll.outcome)).toEqual(["transient", "authorization_pending", "transient"])
    }))

  it.effect.prop(
    "waits interval + 5 s per slow_down so far before each poll, and never polls after expires_in (RFC 8628 §3.5)",
    [
      FastCheck.array(FastCheck.constantFrom("authorization_pending", "slow_down"), { maxLength: 10 }),
      FastCheck.integer({ min: 1, max: 10 }),
      FastCheck.integer({ min: 1, max: 400 })
    ],
    ([errors, interval, expiresIn]) =>
      Effect.gen(function*() {
        const answers = [...errors.map((error) => () => json({ error }, 400)), () => json(tokens)]
        const { fiber, times } = yield* startPolling(answers, { ...rfcAuthorization, interval, expires_in: expiresIn })
        yield* TestClock.adjust("2 hours")
        const exit = yield* Fiber.await(fiber)
        // The schedule the RFC asks for, cut at the device code's expiry.
        const expected: Array<number> = []
        let at = 0
        let wait = interval
        for (let poll = 0; poll <= errors.length; poll++) {
          at += wait
          if (at >= expiresIn) break
          expected.push(at)
          if (errors[poll] === "slow_down") wait += 5
        }
        expect(times()).toEqual(expected)
        const approved = expected.length === errors.length + 1
        expect(exit._tag).toBe(approved ? "Success" : "Failure")
      }),
    { fastCheck: { numRuns: 30 } }
  )

  it.effect("stops polling when interrupted", () =>
    Effect.gen(function*() {
      const { fiber, times } = yield* startPolling([pending])
      yield* TestClock.adjust("5 seconds")
      expect(times()).toEqual([5])
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("10 minutes")
      expect(times()).toEqual([5])
    }))
})

// A short device code lifetime keeps the expiry test to a few polls.
const Live = Layer.merge(TestServer.layer({ deviceFlow: true, deviceCodeTtl: 30 }), FetchHttpClient.layer)

// TestClock drives the client's waiting; the server answers in real time.
layer(Live, { timeout: "30 seconds" })("OAuthClient / device flow against an authorization server", (it) => {
  const deviceClient = Effect.gen(function*() {
    const server = yield* TestServer.TestServerTag
    const discovered = yield* Provider.discover(server.issuer)
    const oauth = yield* OAuthClient.make({ provider: discovered, client: TestServer.clientConfig(server.clients.public) })
    return { server, discovered, oauth }
  })

  const devicePolls = (server: TestServer.TestServer) =>
    Effect.map(server.tokenRequests, (counts) => counts.byGrantType[grantType] ?? 0)

  it.effect("discovers the device endpoint and gets tokens once the user approves", () =>
    Effect.gen(function*() {
      // The server stamps its ID tokens with the real time, which the client checks
      // against the Clock: start the test clock there.
      yield* TestClock.setTime(Date.now())
      const { discovered, oauth, server } = yield* deviceClient
      expect(discovered.deviceAuthorizationEndpoint).toBe(`${server.issuer}/device/auth`)
      const now = yield* Clock.currentTimeMillis
      const device = yield* oauth.deviceAuthorization()
      expect(device.verificationUri).toBe(`${server.issuer}/device`)
      expect(device.verificationUriComplete).toBe(`${server.issuer}/device?user_code=${encodeURIComponent(device.userCode)}`)
      expect(device.expiresAt - now).toBe(30_000)
      expect(device.interval).toBe(5)
      const reports = yield* Queue.unbounded<OAuthClient.DevicePoll>()
      const fiber = yield* Effect.fork(oauth.pollDeviceToken(device, { onPoll: (poll) => Queue.offer(reports, poll) }))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Queue.take(reports)).toEqual({ attempt: 1, outcome: "authorization_pending", interval: 5 })
      yield* server.approveDevice(device.userCode)
      yield* TestClock.adjust("5 seconds")
      const tokens = yield* Fiber.join(fiber)
      expect(tokens.refreshToken).toBeDefined()
      expect(tokens.scopes).toEqual(expect.arrayContaining(["openid", "offline_access", "api:read"]))
      expect(TokenSet.claims(tokens)).toMatchObject({ iss: server.issuer, sub: "user-1", aud: "public-client" })
      const response = yield* Effect.promise(() =>
        fetch(server.resourceUrl, { headers: { authorization: `Bearer ${Redacted.value(tokens.accessToken)}` } })
      )
      expect(yield* Effect.promise(() => response.json())).toMatchObject({ sub: "user-1", clientId: "public-client" })
      // A device code is good once.
      const again = yield* Effect.fork(oauth.pollDeviceToken(device))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Effect.flip(Fiber.join(again))).toMatchObject({ _tag: "OAuthError", error: "invalid_grant" })
    }))

  it.effect("ends with AuthorizationDenied when the user aborts on the verification page", () =>
    Effect.gen(function*() {
      const { oauth, server } = yield* deviceClient
      const device = yield* oauth.deviceAuthorization({ scopes: ["openid"] })
      yield* server.approveDevice(device.userCode, { deny: true })
      const fiber = yield* Effect.fork(oauth.pollDeviceToken(device))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Effect.flip(Fiber.join(fiber))).toMatchObject({ _tag: "AuthorizationDenied", error: "access_denied" })
    }))

  it.effect("stops at the device code's expiry without another request", () =>
    Effect.gen(function*() {
      const { oauth, server } = yield* deviceClient
      const now = yield* Clock.currentTimeMillis
      const device = yield* oauth.deviceAuthorization()
      const polled = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(oauth.pollDeviceToken(device, { onPoll: () => Deferred.succeed(polled, undefined) }))
      yield* TestClock.adjust("5 seconds")
      yield* Deferred.await(polled)
      const before = yield* devicePolls(server)
      yield* TestClock.adjust("30 seconds")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "DeviceCodeExpired", expiresAt: device.expiresAt })
      expect(yield* Clock.currentTimeMillis).toBeGreaterThanOrEqual(device.expiresAt)
      // Never more often than every interval up to the expiry.
      expect((yield* devicePolls(server)) - before).toBeLessThanOrEqual((device.expiresAt - now) / 5000 - 1)
      const after = yield* devicePolls(server)
      yield* TestClock.adjust("10 minutes")
      expect(yield* devicePolls(server)).toBe(after)
    }))
})

// A server that answers the first pending poll with slow_down (RFC 8628 §3.5).
const SlowDown = Layer.merge(TestServer.layer({ deviceFlow: true, deviceCodeTtl: 60, deviceSlowDown: 1 }), FetchHttpClient.layer)

layer(SlowDown, { timeout: "30 seconds" })("OAuthClient / device flow against a server that asks to slow down", (it) => {
  it.effect("adds 5 seconds to the interval after slow_down and still gets the tokens once approved", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.now())
      const server = yield* TestServer.TestServerTag
      const oauth = yield* OAuthClient.make({
        provider: yield* Provider.discover(server.issuer),
        client: TestServer.clientConfig(server.clients.public)
      })
      const device = yield* oauth.deviceAuthorization()
      const start = yield* Clock.currentTimeMillis
      const reports = yield* Queue.unbounded<{ readonly poll: OAuthClient.DevicePoll; readonly at: number }>()
      const fiber = yield* Effect.fork(oauth.pollDeviceToken(device, {
        onPoll: (poll) => Effect.flatMap(Clock.currentTimeMillis, (now) => Queue.offer(reports, { poll, at: now - start }))
      }))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Queue.take(reports)).toEqual({ poll: { attempt: 1, outcome: "slow_down", interval: 10 }, at: 5_000 })
      // Nothing at the old interval: the next poll waits the new one.
      yield* TestClock.adjust("5 seconds")
      expect(yield* Queue.size(reports)).toBe(0)
      yield* TestClock.adjust("5 seconds")
      expect(yield* Queue.take(reports)).toEqual({ poll: { attempt: 2, outcome: "authorization_pending", interval: 10 }, at: 15_000 })
      yield* server.approveDevice(device.userCode)
      yield* TestClock.adjust("10 seconds")
      const tokens = yield* Fiber.join(fiber)
      expect(tokens.refreshToken).toBeDefined()
      expect((yield* server.tokenRequests).byGrantType[grantType]).toBe(3)
    }))
})
