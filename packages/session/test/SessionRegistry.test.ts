import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { TestServer } from "@effect-oauth/testing"
import { OAuthSession, SessionRegistry, TokenStore } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Exit, Fiber, FastCheck, Option, Queue, Redacted, Scope, TestClock } from "effect"
import * as Fake from "@effect-oauth/testing/FakeTokenServer"
import { until } from "./helpers/session.js"

const reveal = Redacted.value<string>
const minute = 60_000
const hour = 60 * minute
const day = 24 * hour

/** A store that counts reads per key, can delay them on the Clock, and can fail reads or writes. */
const instrumented = (store: TokenStore.Service, latency?: Duration.DurationInput) => {
  const state = { gets: new Map<string, number>(), failGets: 0, failWrites: false }
  const failure = (operation: TokenStore.Operation, key: string) =>
    new TokenStore.TokenStoreError({ reason: "Io", operation, key, detail: "disk unavailable" })
  const wrapped: TokenStore.Service = {
    ...store,
    get: (key) =>
      Effect.gen(function*() {
        state.gets.set(key, (state.gets.get(key) ?? 0) + 1)
        if (latency !== undefined) yield* Effect.sleep(latency)
        if (state.failGets > 0) {
          state.failGets--
          return yield* failure("get", key)
        }
        return yield* store.get(key)
      }),
    compareAndSet: (key, expected, tokens) =>
      state.failWrites ? Effect.fail(failure("compareAndSet", key)) : store.compareAndSet(key, expected, tokens)
  }
  return { state, store: wrapped }
}

interface SetupOptions extends Partial<SessionRegistry.Options> {
  readonly server?: Fake.FakeServerOptions
  readonly storeLatency?: Duration.DurationInput
}

const setup = (options: SetupOptions = {}) =>
  Effect.gen(function*() {
    const { server: serverOptions, storeLatency, ...registryOptions } = options
    const server = new Fake.FakeTokenServer(serverOptions)
    const counted = instrumented(yield* TokenStore.makeMemory, storeLatency)
    const registry = yield* SessionRegistry.make({
      clients: { fake: server.client },
      idleTimeout: "1 minute",
      sweepInterval: "10 seconds",
      session: { clock: "effect" },
      ...registryOptions
    }).pipe(Effect.provideService(TokenStore.TokenStore, counted.store))
    const key = (account: string): SessionRegistry.Key => ({ provider: "fake", account })
    /** Stores a grant for `account`, as an earlier authorization would have. */
    const seed = (account: string, tokens?: TokenSet.TokenSet) =>
      Effect.gen(function*() {
        const issued = tokens ?? (yield* server.seed())
        yield* counted.store.compareAndSet(SessionRegistry.storeKey(key(account)), undefined, issued)
        return issued
      })
    const gets = (account: string) => counted.state.gets.get(SessionRegistry.storeKey(key(account))) ?? 0
    return { server, store: counted.store, state: counted.state, registry, key, seed, gets }
  })

/** Collects the registry's changes from now on; read them by running the returned effect. */
const recording = (registry: SessionRegistry.Service) =>
  Effect.map(registry.subscribe, (queue) => Effect.map(Queue.takeAll(queue), Chunk.toReadonlyArray))

const accountOf = (change: SessionRegistry.RegistryChange) => change.key.account

describe("SessionRegistry / single flight", () => {
  it.scoped("two concurrent gets of one key start one session with one store read", () =>
    Effect.gen(function*() {
      const t = yield* setup({ storeLatency: "1 second" })
      yield* t.seed("alice")
      const both = yield* Effect.fork(
        Effect.all([t.registry.get(t.key("alice")), t.registry.get(t.key("alice"))], { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      const [first, second] = yield* Fiber.join(both)
      expect(first).toBe(second)
      expect(t.gets("alice")).toBe(1)
      expect(yield* t.registry.size).toBe(1)
    }))

  it.scoped("1000 concurrent accessToken calls of a stored key read the store once and get the stored token", () =>
    Effect.gen(function*() {
      const t = yield* setup({ storeLatency: "1 second" })
      const tokens = yield* t.seed("alice")
      const callers = yield* Effect.fork(
        Effect.all(Array.from({ length: 1000 }, () => t.registry.accessToken(t.key("alice"))), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      const results = yield* Fiber.join(callers)
      expect(new Set(results.map(Redacted.value))).toEqual(new Set([Redacted.value(tokens.accessToken)]))
      expect(t.gets("alice")).toBe(1)
      expect(t.server.counts.refresh).toBe(0)
    }))

  it.scoped("an interrupted first caller does not fail another caller waiting on the same start", () =>
    Effect.gen(function*() {
      const t = yield* setup({ storeLatency: "1 second" })
      const tokens = yield* t.seed("alice")
      const first = yield* Effect.fork(t.registry.accessToken(t.key("alice")))
      const second = yield* Effect.fork(t.registry.accessToken(t.key("alice")))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust("1 second")
      expect(reveal(yield* Fiber.join(second))).toBe(reveal(tokens.accessToken))
      expect(t.gets("alice")).toBe(1)
    }))

  it.scoped("sessions of different keys are separate: their own store entries and tokens", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      const alice = yield* t.seed("alice")
      const bob = yield* t.seed("bob")
      expect(reveal(yield* t.registry.accessToken(t.key("alice")))).toBe(reveal(alice.accessToken))
      expect(reveal(yield* t.registry.accessToken(t.key("bob")))).toBe(reveal(bob.accessToken))
      expect(yield* t.registry.size).toBe(2)
    }))

  it.scoped("one key object read again after its account changed reads the new account's session", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      const alice = yield* t.seed("alice")
      const bob = yield* t.seed("bob")
      const key = { provider: "fake", account: "alice" }
      const read = t.registry.accessToken(key)
      expect(reveal(yield* read)).toBe(reveal(alice.accessToken))
      key.account = "bob"
      expect(reveal(yield* read)).toBe(reveal(bob.accessToken))
      expect(reveal(yield* t.registry.tokens({ provider: "fake", account: "alice" }).pipe(Effect.map((tokens) => tokens.accessToken)))).toBe(
        reveal(alice.accessToken)
      )
    }))
})

describe("SessionRegistry / shared machine", () => {
  it.scoped("sessions share one machine, and each refreshes and revokes its own store entry", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      const alice = yield* t.seed("alice")
      const bob = yield* t.seed("bob")
      const a = yield* t.registry.use(t.key("alice"), Effect.succeed)
      const b = yield* t.registry.use(t.key("bob"), Effect.succeed)
      expect(a.actor.logic).toBe(b.actor.logic)
      const refreshed = yield* t.registry.refresh(t.key("alice"))
      const entry = (account: string) => t.store.get(SessionRegistry.storeKey(t.key(account)))
      expect(reveal(Option.getOrThrow(yield* entry("alice")).tokens.accessToken)).toBe(reveal(refreshed.accessToken))
      expect(reveal(Option.getOrThrow(yield* entry("bob")).tokens.accessToken)).toBe(reveal(bob.accessToken))
      expect(reveal(refreshed.accessToken)).not.toBe(reveal(alice.accessToken))
      yield* t.registry.revoke(t.key("bob"))
      expect(Option.isNone(yield* entry("bob"))).toBe(true)
      expect(Option.isSome(yield* entry("alice"))).toBe(true)
    }))
})

describe("SessionRegistry / device authorization", () => {
  it.scoped("a device authorization through the registry stores the tokens under that session's key", () =>
    Effect.gen(function*() {
      const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } })
      const http = HttpClient.make((request, url) =>
        Effect.succeed(HttpClientResponse.fromWeb(
          request,
          url.pathname === "/device"
            ? json({ device_code: "dc-1", user_code: "WDJB-MJHT", verification_uri: "https://as.example/device", expires_in: 600, interval: 5 })
            : json({ access_token: "at-device", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-device" })
        ))
      )
      const client = yield* OAuthClient.make({
        provider: Provider.make({
          name: "device",
          authorizationEndpoint: "https://as.example/authorize",
          tokenEndpoint: "https://as.example/token",
          deviceAuthorizationEndpoint: "https://as.example/device"
        }),
        client: { clientId: "tv", redirectUri: "http://127.0.0.1/callback" }
      }).pipe(Effect.provideService(HttpClient.HttpClient, http))
      const store = yield* TokenStore.makeMemory
      const registry = yield* SessionRegistry.make({ clients: { device: client }, session: { clock: "effect" } }).pipe(
        Effect.provideService(TokenStore.TokenStore, store)
      )
      const key: SessionRegistry.Key = { provider: "device", account: "living-room" }
      const device = yield* registry.use(key, (session) => session.authorizeDevice())
      expect(device.userCode).toBe("WDJB-MJHT")
      const outcome = yield* Effect.fork(registry.use(key, (session) => session.awaitAuthorization))
      yield* TestClock.adjust("5 seconds")
      const tokens = yield* Fiber.join(outcome)
      expect(reveal(tokens.accessToken)).toBe("at-device")
      const entry = Option.getOrThrow(yield* store.get(SessionRegistry.storeKey(key)))
      expect(reveal(entry.tokens.accessToken)).toBe("at-device")
      expect(Option.isNone(yield* store.get(""))).toBe(true)
    }))
})

describe("SessionRegistry / release", () => {
  it.scoped("releases a session idle for idleTimeout; the next use starts it again from the store, with no token request", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      const tokens = yield* t.seed("alice")
      const changes = yield* recording(t.registry)
      expect(reveal(yield* t.registry.accessToken(t.key("alice")))).toBe(reveal(tokens.accessToken))
      yield* TestClock.adjust(minute - 1)
      expect(yield* t.registry.size).toBe(1)
      yield* TestClock.adjust(10_000)
      expect(yield* t.registry.size).toBe(0)
      expect((yield* changes).map((change) => change._tag)).toEqual(["Started", "Released"])
      expect(reveal(yield* t.registry.accessToken(t.key("alice")))).toBe(reveal(tokens.accessToken))
      expect(t.gets("alice")).toBe(2)
      expect(t.server.counts.refresh).toBe(0)
    }))

  it.scoped("release takes a revoked session out of memory, and the next use reads the grant stored since", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      yield* t.seed("alice")
      yield* t.registry.revoke(t.key("alice"))
      const renewed = yield* t.server.seed()
      yield* t.store.compareAndSet(SessionRegistry.storeKey(t.key("alice")), undefined, renewed).pipe(
        Effect.catchTag("VersionConflict", () =>
          Effect.flatMap(t.store.get(SessionRegistry.storeKey(t.key("alice"))), (entry) =>
            t.store.compareAndSet(SessionRegistry.storeKey(t.key("alice")), Option.getOrUndefined(entry)?.version, renewed)))
      )
      // In memory, the session is still the revoked one.
      expect(Exit.isFailure(yield* Effect.exit(t.registry.accessToken(t.key("alice"))))).toBe(true)
      expect(yield* t.registry.release(t.key("alice"))).toBe(true)
      expect(yield* t.registry.size).toBe(0)
      expect(reveal(yield* t.registry.accessToken(t.key("alice")))).toBe(reveal(renewed.accessToken))
    }))

  it.scoped("release leaves a session in use, and answers false for a key not in memory", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      yield* t.seed("alice")
      expect(yield* t.registry.release(t.key("alice"))).toBe(false)
      yield* t.registry.get(t.key("alice"))
      expect(yield* t.registry.release(t.key("alice"))).toBe(false)
      expect(yield* t.registry.size).toBe(1)
    }))

  it.scoped("keeps a session in memory while a get scope holds it", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      yield* t.seed("alice")
      const scope = yield* Scope.make()
      const session = yield* Scope.extend(t.registry.get(t.key("alice")), scope)
      yield* TestClock.adjust(10 * minute)
      expect(yield* t.registry.size).toBe(1)
      expect(yield* session.state).toBe("authorized")
      yield* Scope.close(scope, Exit.void)
      yield* TestClock.adjust(minute + 10_000)
      expect(yield* t.registry.size).toBe(0)
    }))

  it.scoped("does not release a session while it refreshes; after the refresh the store holds the new tokens", () =>
    Effect.gen(function*() {
      const t = yield* setup({ server: { accessTokenLifetime: 10 * minute } })
      const tokens = yield* t.seed("alice")
      const release = yield* t.server.hold()
      // Inside the refresh window: the still-valid token comes back and a refresh starts behind it.
      yield* TestClock.adjust(TokenSet.refreshAt(tokens)!)
      expect(reveal(yield* t.registry.accessToken(t.key("alice")))).toBe(reveal(tokens.accessToken))
      yield* t.server.arrived("refresh", 1)
      yield* TestClock.adjust(5 * minute)
      expect(yield* t.registry.size).toBe(1)
      const session = yield* t.registry.get(t.key("alice"))
      expect(yield* session.state).toBe("refreshing")
      yield* release
      yield* until(session, "authorized")
      const stored = yield* t.store.get(SessionRegistry.storeKey(t.key("alice")))
      const renewed = Option.getOrThrow(stored).tokens
      expect(reveal(renewed.accessToken)).not.toBe(reveal(tokens.accessToken))
      expect(yield* session.state).toBe("authorized")
    }))

  it.scoped("does not release a session while it is authorizing; the callback completes after idleTimeout", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      const request = yield* t.registry.authorize(t.key("carol"), { scopes: ["read"] })
      yield* TestClock.adjust(5 * minute)
      expect(yield* t.registry.size).toBe(1)
      const tokens = yield* t.registry.completeAuthorization(t.key("carol"), t.server.approve(request))
      expect(reveal(yield* t.registry.accessToken(t.key("carol")))).toBe(reveal(tokens.accessToken))
      yield* TestClock.adjust(minute + 10_000)
      expect(yield* t.registry.size).toBe(0)
      expect(reveal(yield* t.registry.accessToken(t.key("carol")))).toBe(reveal(tokens.accessToken))
    }))

  it.scoped("never releases a session holding tokens the store refused, so the rotated refresh token is not lost", () =>
    Effect.gen(function*() {
      const t = yield* setup({ session: { clock: "effect", retry: { maxAttempts: 1 } } })
      yield* t.seed("alice")
      t.state.failWrites = true
      const failed = yield* Effect.fork(Effect.flip(t.registry.refresh(t.key("alice"))))
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(failed)).toMatchObject({ _tag: "RefreshFailed" })
      const session = yield* t.registry.use(t.key("alice"), Effect.succeed)
      expect((yield* session.snapshot).context.unsaved).toBeDefined()
      yield* TestClock.adjust(10 * minute)
      expect(yield* t.registry.size).toBe(1)
      t.state.failWrites = false
      const refreshed = yield* t.registry.refresh(t.key("alice"))
      // The issued tokens were written, not a second refresh request.
      expect(t.server.counts.refresh).toBe(1)
      const stored = Option.getOrThrow(yield* t.store.get(SessionRegistry.storeKey(t.key("alice"))))
      expect(reveal(stored.tokens.accessToken)).toBe(reveal(refreshed.accessToken))
      yield* TestClock.adjust(minute + 10_000)
      expect(yield* t.registry.size).toBe(0)
    }))

  it.scoped("maxLive: starting one more session releases the least recently used idle one", () =>
    Effect.gen(function*() {
      const t = yield* setup({ maxLive: 2 })
      for (const account of ["a", "b", "c"]) yield* t.seed(account)
      const changes = yield* recording(t.registry)
      yield* t.registry.accessToken(t.key("a"))
      yield* t.registry.accessToken(t.key("b"))
      yield* t.registry.accessToken(t.key("a"))
      yield* t.registry.accessToken(t.key("c"))
      expect(yield* t.registry.size).toBe(2)
      const released = (yield* changes).filter((change) => change._tag === "Released").map(accountOf)
      expect(released).toEqual(["b"])
    }))

  it.scoped("maxLive is soft: a session whose callers wait for its refresh is not released, and they get the new token", () =>
    Effect.gen(function*() {
      const t = yield* setup({ maxLive: 1, server: { latency: "1 second" } })
      const expired = yield* t.seed("a", yield* t.server.seed(["read"], 2 * hour))
      yield* t.seed("b")
      // `a` is in memory and expired; its callers wait on one refresh.
      yield* t.registry.use(t.key("a"), Effect.succeed)
      const waiting = yield* Effect.fork(
        Effect.all(Array.from({ length: 10 }, () => t.registry.accessToken(t.key("a"))), { concurrency: "unbounded" })
      )
      yield* t.server.arrived("refresh", 1)
      const changes = yield* recording(t.registry)
      // Starting `b` goes over maxLive: the refreshing `a` stays, so the idle `b` is released after its use.
      yield* t.registry.accessToken(t.key("b"))
      expect((yield* changes).filter((change) => change._tag === "Released").map(accountOf)).toEqual(["b"])
      expect(yield* t.registry.size).toBe(1)
      yield* TestClock.adjust("1 second")
      const tokens = yield* Fiber.join(waiting)
      expect(new Set(tokens.map(reveal)).size).toBe(1)
      expect(reveal(tokens[0]!)).not.toBe(reveal(expired.accessToken))
      expect(t.server.counts.refresh).toBe(1)
    }))

  it.scoped("memory follows active sessions: 500 stored grants used once each leave at most maxLive sessions in memory", () =>
    Effect.gen(function*() {
      const t = yield* setup({ maxLive: 10 })
      const accounts = Array.from({ length: 500 }, (_, i) => `user-${i}`)
      for (const account of accounts) yield* t.seed(account)
      let peak = 0
      for (const account of accounts) {
        yield* t.registry.accessToken(t.key(account))
        peak = Math.max(peak, yield* t.registry.size)
      }
      expect(peak).toBe(10)
      expect(accounts.every((account) => t.gets(account) === 1)).toBe(true)
      yield* TestClock.adjust(minute + 10_000)
      expect(yield* t.registry.size).toBe(0)
    }))

  it.scoped("closing the registry's scope stops every session in memory", () =>
    Effect.gen(function*() {
      const t0 = yield* Scope.make()
      const t = yield* Scope.extend(setup(), t0)
      yield* t.seed("alice")
      const session = yield* t.registry.use(t.key("alice"), Effect.succeed)
      expect(session.actor.getSnapshot().status).toBe("active")
      yield* Scope.close(t0, Exit.void)
      expect(session.actor.getSnapshot().status).toBe("stopped")
    }))
})

describe("SessionRegistry / errors", () => {
  it.scoped("a key of a provider without a client fails with UnknownProvider, naming the provider", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      const error = yield* Effect.flip(t.registry.accessToken({ provider: "elsewhere", account: "alice" }))
      expect(error).toBeInstanceOf(SessionRegistry.UnknownProvider)
      expect(error.message).toBe(`the session registry has no client for provider "elsewhere"`)
      expect(error).toMatchObject({ remedy: "fixConfiguration" })
      expect(yield* t.registry.size).toBe(0)
    }))

  it.scoped("a store read failure fails every waiting caller with TokenStoreError; the next use starts afresh", () =>
    Effect.gen(function*() {
      const t = yield* setup({ storeLatency: "1 second" })
      const tokens = yield* t.seed("alice")
      t.state.failGets = 1
      const both = yield* Effect.fork(
        Effect.all([
          Effect.flip(t.registry.accessToken(t.key("alice"))),
          Effect.flip(t.registry.accessToken(t.key("alice")))
        ], { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      const errors = yield* Fiber.join(both)
      for (const error of errors) expect(error).toMatchObject({ _tag: "TokenStoreError", operation: "get" })
      expect(yield* t.registry.size).toBe(0)
      const again = yield* Effect.fork(t.registry.accessToken(t.key("alice")))
      yield* TestClock.adjust("1 second")
      expect(reveal(yield* Fiber.join(again))).toBe(reveal(tokens.accessToken))
    }))

  it.scoped("an unauthorized key fails accessToken with Unauthorized, and its session is released when idle", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      expect(yield* Effect.flip(t.registry.accessToken(t.key("nobody")))).toMatchObject({
        _tag: "Unauthorized",
        reason: "NoGrant"
      })
      yield* TestClock.adjust(minute + 10_000)
      expect(yield* t.registry.size).toBe(0)
    }))
})

describe("SessionRegistry / changes and lifecycle", () => {
  it.scoped("reports each session's changes with its key", () =>
    Effect.gen(function*() {
      const t = yield* setup({ server: { accessTokenLifetime: 10 * minute } })
      yield* t.seed("alice")
      yield* t.seed("bob")
      const changes = yield* recording(t.registry)
      yield* t.registry.accessToken(t.key("alice"))
      yield* t.registry.refresh(t.key("bob"))
      const seen = (yield* changes).map((change) =>
        change._tag === "Changed" ? `${accountOf(change)} ${change.change._tag}` : `${accountOf(change)} ${change._tag}`
      )
      expect(seen).toEqual([
        "alice Started",
        "bob Started",
        "bob StateChanged",
        "bob TokensUpdated",
        "bob StateChanged"
      ])
    }))

  it.scoped("a session starting with a refresh token about to lapse reports RefreshTokenExpiring after Started", () =>
    Effect.gen(function*() {
      const t = yield* setup({ session: { clock: "effect", refreshTokenWarning: "2 days" } })
      const now = yield* TestClock.currentTimeMillis
      const tokens = TokenSet.make({
        accessToken: "at-1",
        refreshToken: "rt-1",
        issuedAt: now,
        expiresAt: now + hour,
        refreshTokenExpiresAt: now + day
      })
      yield* t.seed("alice", tokens)
      const changes = yield* recording(t.registry)
      const session = yield* t.registry.use(t.key("alice"), Effect.succeed)
      expect((yield* session.snapshot).context.refreshTokenExpiring).toBe(true)
      expect(yield* changes).toEqual([
        SessionRegistry.RegistryChange.Started({ key: t.key("alice"), state: "authorized" }),
        SessionRegistry.RegistryChange.Changed({
          key: t.key("alice"),
          change: OAuthSession.SessionChange.RefreshTokenExpiring({ expiresAt: now + day })
        })
      ])
    }))

  it.scoped("revoke deletes the stored grant; the key starts unauthorized afterwards", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      yield* t.seed("alice")
      yield* t.registry.revoke(t.key("alice"))
      expect(t.server.counts.revoke).toBe(1)
      expect(Option.isNone(yield* t.store.get(SessionRegistry.storeKey(t.key("alice"))))).toBe(true)
      yield* TestClock.adjust(minute + 10_000)
      expect(yield* t.registry.size).toBe(0)
      expect(yield* Effect.flip(t.registry.accessToken(t.key("alice")))).toMatchObject({ _tag: "Unauthorized" })
    }))
})

describe("SessionRegistry / storeKey", () => {
  const part = FastCheck.string({ maxLength: 8, unit: FastCheck.constantFrom("a", "b", ":", "%", "/") })
  it.prop("distinct keys never share a store entry (storeKey is injective)", [part, part, part, part], ([p1, a1, p2, a2]) => {
    const same = p1 === p2 && a1 === a2
    return same === (SessionRegistry.storeKey({ provider: p1, account: a1 }) === SessionRegistry.storeKey({ provider: p2, account: a2 }))
  })
})

describe("SessionRegistry / against the embedded authorization server", () => {
  it.scoped("authorizes users through the registry, serves them from the store after an idle release, and refreshes one at the server", () =>
    Effect.gen(function*() {
      // The server stamps its ID tokens with the real time, which the client checks
      // against the Clock: start the test clock there.
      yield* TestClock.setTime(Date.now())
      const server = yield* TestServer.make({ rotateRefreshToken: true })
      const provider = yield* Provider.discover(server.issuer)
      const client = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
      const store = yield* TokenStore.makeMemory
      const registry = yield* SessionRegistry.make({
        clients: { test: client },
        idleTimeout: "1 minute",
        session: { clock: "effect" }
      }).pipe(Effect.provideService(TokenStore.TokenStore, store))
      const key = (account: string): SessionRegistry.Key => ({ provider: "test", account })
      const accounts = ["ana", "ben", "caz"]
      const issued = new Map<string, TokenSet.TokenSet>()
      for (const account of accounts) {
        const request = yield* registry.authorize(key(account))
        const callback = yield* server.approve(request.url, { accountId: account })
        issued.set(account, yield* registry.completeAuthorization(key(account), callback))
      }
      yield* TestClock.adjust("2 minutes")
      expect(yield* registry.size).toBe(0)
      for (const account of accounts) {
        expect(reveal(yield* registry.accessToken(key(account)))).toBe(reveal(issued.get(account)!.accessToken))
      }
      const refreshed = yield* registry.refresh(key("ben"))
      expect(reveal(refreshed.accessToken)).not.toBe(reveal(issued.get("ben")!.accessToken))
      const counts = yield* server.tokenRequests
      expect(counts.byGrantType).toMatchObject({ authorization_code: 3, refresh_token: 1 })
      expect(counts.invalidGrant).toBe(0)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})

describe("SessionRegistry / properties", () => {
  type Command =
    | { readonly op: "use"; readonly account: string; readonly callers: number }
    | { readonly op: "hold"; readonly account: string }
    | { readonly op: "drop" }
    | { readonly op: "advance"; readonly millis: number }
  const account = FastCheck.constantFrom("a", "b", "c")
  const command: FastCheck.Arbitrary<Command> = FastCheck.oneof(
    FastCheck.record({ op: FastCheck.constant("use" as const), account, callers: FastCheck.integer({ min: 1, max: 5 }) }),
    FastCheck.record({ op: FastCheck.constant("hold" as const), account }),
    FastCheck.record({ op: FastCheck.constant("drop" as const) }),
    FastCheck.record({ op: FastCheck.constant("advance" as const), millis: FastCheck.integer({ min: 0, max: 90_000 }) })
  )

  it.scoped.prop(
    "one session per key at a time, one store read per start, a held session is never released, every caller gets the stored token, and nothing stays in memory once all are idle",
    [FastCheck.array(command, { maxLength: 25 })],
    ([commands]) =>
      Effect.gen(function*() {
        const t = yield* setup({ maxLive: 2 })
        const stored = new Map<string, string>()
        for (const name of ["a", "b", "c"]) stored.set(name, reveal((yield* t.seed(name)).accessToken))
        const changes = yield* t.registry.subscribe
        const live = new Set<string>()
        const starts = new Map<string, number>()
        const held: Array<{ readonly account: string; readonly scope: Scope.CloseableScope }> = []
        const check = Effect.gen(function*() {
          for (const change of Chunk.toReadonlyArray(yield* Queue.takeAll(changes))) {
            const name = change.key.account
            if (change._tag === "Started") {
              expect(live.has(name)).toBe(false)
              live.add(name)
              starts.set(name, (starts.get(name) ?? 0) + 1)
            } else if (change._tag === "Released") {
              expect(held.some((h) => h.account === name)).toBe(false)
              live.delete(name)
            }
          }
          for (const name of ["a", "b", "c"]) expect(t.gets(name)).toBe(starts.get(name) ?? 0)
        })
        for (const c of commands) {
          switch (c.op) {
            case "use": {
              const tokens = yield* Effect.all(
                Array.from({ length: c.callers }, () => t.registry.accessToken(t.key(c.account))),
                { concurrency: "unbounded" }
              )
              for (const token of tokens) expect(reveal(token)).toBe(stored.get(c.account))
              break
            }
            case "hold": {
              const scope = yield* Scope.make()
              yield* Scope.extend(t.registry.get(t.key(c.account)), scope)
              held.push({ account: c.account, scope })
              break
            }
            case "drop": {
              const first = held.shift()
              if (first !== undefined) yield* Scope.close(first.scope, Exit.void)
              break
            }
            case "advance":
              yield* TestClock.adjust(c.millis)
          }
          yield* check
        }
        for (const h of held.splice(0)) yield* Scope.close(h.scope, Exit.void)
        yield* TestClock.adjust(minute + 10_000)
        yield* check
        expect(yield* t.registry.size).toBe(0)
        expect(live.size).toBe(0)
      }),
    { fastCheck: { numRuns: 30 } }
  )
})
