import { OAuthClient, Provider } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Clock, Effect, Fiber, Layer, Option, Queue, Redacted, TestClock } from "effect"
import type { InspectionEvent } from "xstate"

// The device authorization grant as the session's `authorizing` path: the
// machine polls, the clock is TestClock (`clock: "effect"`).

const grantType = "urn:ietf:params:oauth:grant-type:device_code"

/** A session over `oauth` and a memory store, with its changes and inspection events recorded. */
const start = (oauth: OAuthClient.Service, options: Partial<OAuthSession.Options> = {}) =>
  Effect.gen(function*() {
    const store = yield* TokenStore.makeMemory
    const inspected: Array<InspectionEvent> = []
    const session = yield* OAuthSession.make({
      key: "tv",
      refresh: "lazy",
      clock: "effect",
      inspect: (event) => inspected.push(event),
      ...options
    }).pipe(
      Effect.provideService(OAuthClient.OAuthClient, oauth),
      Effect.provideService(TokenStore.TokenStore, store)
    )
    const changes = yield* session.subscribe
    const polled = Effect.gen(function*() {
      while (true) {
        const change = yield* Queue.take(changes)
        if (change._tag === "DevicePolled") return change.poll
      }
    })
    return { session, store, changes, polled, inspected }
  })

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })

const deviceCode = "device-code-that-must-never-show-3f9c1a"

/** A real `OAuthClient` over a stub whose token endpoint answers `answers` in turn (then tokens). */
const stubbed = (answers: ReadonlyArray<string>, authorization: Record<string, unknown> = {}) =>
  Effect.gen(function*() {
    const polls: Array<number> = []
    const started = yield* Clock.currentTimeMillis
    const http = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        if (url.pathname === "/device") {
          return HttpClientResponse.fromWeb(
            request,
            json({
              device_code: deviceCode,
              user_code: "BCDF-GHJK",
              verification_uri: "https://as.example/device",
              expires_in: 60,
              interval: 5,
              ...authorization
            })
          )
        }
        polls.push(((yield* Clock.currentTimeMillis) - started) / 1000)
        const answer = answers[polls.length - 1]
        return HttpClientResponse.fromWeb(
          request,
          answer === undefined
            ? json({ access_token: "at-1", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-1", scope: "tv" })
            : json({ error: answer }, 400)
        )
      })
    )
    const oauth = yield* OAuthClient.make({
      provider: Provider.make({
        name: "stub",
        authorizationEndpoint: "https://as.example/authorize",
        tokenEndpoint: "https://as.example/token",
        deviceAuthorizationEndpoint: "https://as.example/device",
        revocationEndpoint: "https://as.example/revoke"
      }),
      client: { clientId: "tv-app", scopes: ["tv"], redirectUri: "http://127.0.0.1/callback" }
    }).pipe(Effect.provideService(HttpClient.HttpClient, http))
    return { oauth, polls }
  })

describe("OAuthSession / authorizeDevice (clock-driven)", () => {
  it.scoped("stays authorizing while polling, reports each poll, and slows down by 5 s on slow_down", () =>
    Effect.gen(function*() {
      const { oauth, polls } = yield* stubbed(["authorization_pending", "slow_down", "authorization_pending"])
      const { polled, session, store } = yield* start(oauth)
      const device = yield* session.authorizeDevice()
      expect(device.userCode).toBe("BCDF-GHJK")
      expect(yield* session.state).toBe("authorizing")
      const outcome = yield* Effect.fork(session.awaitAuthorization)
      yield* TestClock.adjust("5 seconds")
      expect(yield* polled).toEqual({ attempt: 1, outcome: "authorization_pending", interval: 5 })
      yield* TestClock.adjust("5 seconds")
      expect(yield* polled).toEqual({ attempt: 2, outcome: "slow_down", interval: 10 })
      expect((yield* session.snapshot).context.devicePoll).toEqual({ attempt: 2, outcome: "slow_down", interval: 10 })
      yield* TestClock.adjust("9999 millis")
      expect(polls).toEqual([5, 10])
      expect(yield* session.state).toBe("authorizing")
      yield* TestClock.adjust("1 millis")
      expect(yield* polled).toMatchObject({ attempt: 3, outcome: "authorization_pending" })
      yield* TestClock.adjust("10 seconds")
      const tokens = yield* Fiber.join(outcome)
      expect(polls).toEqual([5, 10, 20, 30])
      expect(yield* session.state).toBe("authorized")
      expect(Redacted.value(tokens.accessToken)).toBe("at-1")
      const stored = yield* store.get("tv")
      expect(Option.map(stored, (entry) => entry.tokens)).toEqual(Option.some(tokens))
      expect(Redacted.value(yield* session.accessToken)).toBe("at-1")
      expect((yield* session.snapshot).context.device).toBeUndefined()
    }))

  it.scoped("ends unauthorized with AuthorizationFailed (Timeout, DeviceCodeExpired) when the device code expires", () =>
    Effect.gen(function*() {
      const { oauth, polls } = yield* stubbed(Array.from({ length: 20 }, () => "authorization_pending"), { expires_in: 12 })
      const { session } = yield* start(oauth)
      yield* session.authorizeDevice()
      const outcome = yield* Effect.fork(session.awaitAuthorization)
      yield* TestClock.adjust("11999 millis")
      expect(yield* session.state).toBe("authorizing")
      yield* TestClock.adjust("1 millis")
      const error = yield* Effect.flip(Fiber.join(outcome))
      expect(error).toMatchObject({ reason: "Timeout", cause: { _tag: "DeviceCodeExpired" } })
      expect(error.message).toContain("the device authorization expired")
      expect(yield* session.state).toBe("unauthorized")
      expect((yield* session.snapshot).context.error).toBe(error)
      yield* TestClock.adjust("5 minutes")
      expect(polls).toEqual([5, 10])
      expect(yield* Effect.flip(session.accessToken)).toMatchObject({ _tag: "Unauthorized" })
    }))

  it.scoped("ends unauthorized when the server answers expired_token", () =>
    Effect.gen(function*() {
      const { oauth } = yield* stubbed(["authorization_pending", "expired_token"])
      const { session } = yield* start(oauth)
      yield* session.authorizeDevice()
      const outcome = yield* Effect.fork(session.awaitAuthorization)
      yield* TestClock.adjust("10 seconds")
      expect(yield* Effect.flip(Fiber.join(outcome))).toMatchObject({ reason: "Timeout", cause: { _tag: "DeviceCodeExpired" } })
      expect(yield* session.state).toBe("unauthorized")
    }))

  it.scoped("applies authorizationTimeout to a device authorization too", () =>
    Effect.gen(function*() {
      const { oauth } = yield* stubbed(Array.from({ length: 20 }, () => "authorization_pending"))
      const { session } = yield* start(oauth, { authorizationTimeout: "20 seconds" })
      yield* session.authorizeDevice()
      const outcome = yield* Effect.fork(session.awaitAuthorization)
      yield* TestClock.adjust("20 seconds")
      expect(yield* Effect.flip(Fiber.join(outcome))).toMatchObject({ reason: "Timeout" })
      expect(yield* session.state).toBe("unauthorized")
    }))

  it.scoped("revoke while polling stops the polling", () =>
    Effect.gen(function*() {
      const { oauth, polls } = yield* stubbed(Array.from({ length: 20 }, () => "authorization_pending"))
      const { session } = yield* start(oauth)
      yield* session.authorizeDevice()
      const outcome = yield* Effect.fork(session.awaitAuthorization)
      yield* TestClock.adjust("5 seconds")
      yield* session.revoke
      expect(yield* session.state).toBe("revoked")
      expect(yield* Effect.flip(Fiber.join(outcome))).toMatchObject({ reason: "Superseded" })
      yield* TestClock.adjust("1 minute")
      expect(polls).toEqual([5])
    }))

  it.scoped("a new authorization replaces the pending device authorization and stops its polling", () =>
    Effect.gen(function*() {
      const { oauth, polls } = yield* stubbed(Array.from({ length: 20 }, () => "authorization_pending"))
      const { session } = yield* start(oauth)
      yield* session.authorizeDevice()
      const first = yield* Effect.fork(session.awaitAuthorization)
      yield* TestClock.adjust("3 seconds")
      yield* session.authorizeDevice()
      expect(yield* Effect.flip(Fiber.join(first))).toMatchObject({ reason: "Superseded" })
      // The new authorization polls on its own schedule: 5 s after it started.
      yield* TestClock.adjust("4 seconds")
      expect(polls).toEqual([])
      yield* TestClock.adjust("1 seconds")
      expect(polls).toEqual([8])
    }))

  it.scoped("a code-flow authorize replaces the pending device authorization and stops its polling", () =>
    Effect.gen(function*() {
      const { oauth, polls } = yield* stubbed(Array.from({ length: 20 }, () => "authorization_pending"))
      const { session } = yield* start(oauth)
      yield* session.authorizeDevice()
      const pending = yield* Effect.fork(session.awaitAuthorization)
      yield* TestClock.adjust("5 seconds")
      const request = yield* session.authorize()
      expect(yield* Effect.flip(Fiber.join(pending))).toMatchObject({ reason: "Superseded" })
      const { context } = yield* session.snapshot
      expect(context.device).toBeUndefined()
      expect(context.request === undefined ? undefined : Redacted.value(context.request)).toBe(request)
      yield* TestClock.adjust("1 minute")
      expect(polls).toEqual([5])
      expect(yield* session.state).toBe("authorizing")
    }))

  it.scoped("refuses to start while authorized (InvalidState) and names a missing device endpoint (Configuration)", () =>
    Effect.gen(function*() {
      const { oauth } = yield* stubbed([])
      const { session } = yield* start(oauth)
      yield* session.authorizeDevice()
      yield* TestClock.adjust("5 seconds")
      expect(yield* session.state).toBe("authorized")
      expect(yield* Effect.flip(session.authorizeDevice())).toMatchObject({ reason: "InvalidState", state: "authorized" })
      expect(yield* Effect.flip(session.awaitAuthorization)).toMatchObject({ reason: "InvalidState" })
      const plain = yield* OAuthClient.make({
        provider: Provider.make({ name: "plain", tokenEndpoint: "https://as.example/token" }),
        client: { clientId: "tv-app" }
      }).pipe(Effect.provideService(HttpClient.HttpClient, HttpClient.make(() => Effect.die("no request expected"))))
      const other = yield* start(plain, { key: "other" })
      const error = yield* Effect.flip(other.session.authorizeDevice())
      expect(error).toMatchObject({ reason: "Configuration", cause: { _tag: "ConfigurationError", reason: "MissingEndpoint" } })
      expect(yield* other.session.state).toBe("unauthorized")
    }))

  it.scoped("shows no device code in snapshots, inspection events or changes", () =>
    Effect.gen(function*() {
      const { oauth } = yield* stubbed(["authorization_pending"])
      const { changes, inspected, session } = yield* start(oauth)
      yield* session.authorizeDevice()
      yield* TestClock.adjust("10 seconds")
      expect(yield* session.state).toBe("authorized")
      const seen = [
        JSON.stringify(inspected.map((event) =>
          event.type === "@xstate.snapshot" ? event.snapshot : event.type === "@xstate.event" ? event.event : event.type
        )),
        JSON.stringify(yield* Queue.takeAll(changes)),
        String((yield* session.snapshot).context.device)
      ].join("\n")
      // The events and the context were rendered, with the device authorization redacted.
      expect(seen).toContain("DEVICE_POLLED")
      expect(seen).toContain('"device":"<redacted>"')
      expect(seen).not.toContain(deviceCode)
      expect(seen).not.toContain("at-1")
      expect(seen).not.toContain("rt-1")
    }))
})

const Live = Layer.merge(TestServer.layer({ deviceFlow: true }), FetchHttpClient.layer)

layer(Live, { timeout: "30 seconds" })("OAuthSession / authorizeDevice against an authorization server", (it) => {
  const client = Effect.gen(function*() {
    const server = yield* TestServer.TestServerTag
    const provider = yield* Provider.discover(server.issuer)
    const oauth = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.public) })
    return { server, oauth }
  })

  it.scoped("authorizes once the user approves the user code; the token works at the resource", () =>
    Effect.gen(function*() {
      const { oauth, server } = yield* client
      const { polled, session } = yield* start(oauth)
      const device = yield* session.authorizeDevice()
      expect(device.verificationUriComplete).toContain(encodeURIComponent(device.userCode))
      const outcome = yield* Effect.fork(session.awaitAuthorization)
      yield* TestClock.adjust("5 seconds")
      expect((yield* polled).outcome).toBe("authorization_pending")
      yield* server.approveDevice(device.userCode, { accountId: "carol" })
      yield* TestClock.adjust("5 seconds")
      const tokens = yield* Fiber.join(outcome)
      expect(yield* session.state).toBe("authorized")
      expect(tokens.refreshToken).toBeDefined()
      const token = yield* session.accessToken
      const me = yield* Effect.promise(() =>
        fetch(server.resourceUrl, { headers: { authorization: `Bearer ${Redacted.value(token)}` } }).then((r) => r.json())
      )
      expect(me).toMatchObject({ sub: "carol", clientId: "public-client" })
      const counts = yield* server.tokenRequests
      expect(counts.byGrantType[grantType]).toBeGreaterThanOrEqual(2)
      // The grant refreshes like any other.
      const refreshed = yield* session.refresh
      expect(Redacted.value(refreshed.accessToken)).not.toBe(Redacted.value(tokens.accessToken))
    }))

  it.scoped("ends unauthorized with AuthorizationFailed (Denied) when the user aborts", () =>
    Effect.gen(function*() {
      const { oauth, server } = yield* client
      const { session } = yield* start(oauth)
      const device = yield* session.authorizeDevice({ scopes: ["openid"] })
      yield* server.approveDevice(device.userCode, { deny: true })
      const outcome = yield* Effect.fork(session.awaitAuthorization)
      yield* TestClock.adjust("5 seconds")
      const error = yield* Effect.flip(Fiber.join(outcome))
      expect(error).toMatchObject({ reason: "Denied", cause: { _tag: "AuthorizationDenied", error: "access_denied" } })
      expect(yield* session.state).toBe("unauthorized")
    }))
})
