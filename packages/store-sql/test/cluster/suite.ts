/**
 * The cross-process tests, run against one store (SQLite and PostgreSQL each
 * have a test file, so that vitest runs them side by side).
 */
import { FetchHttpClient } from "@effect/platform"
import { OAuthClient, Provider } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { expect, layer } from "@effect/vitest"
import { Clock, Context, Effect, Fiber, Layer, Option, Redacted } from "effect"
import type { Scope } from "effect"
import * as Cluster from "./cluster.js"
import type { StoreSpec, StormResult } from "./protocol.js"
import { fingerprint } from "./protocol.js"
import { storeLayer } from "./stores.js"

// Real processes on a real clock: each test moves the workers' clocks itself;
// the lease's time to live is real time: long enough that a refresh on a loaded
// machine stays inside it, short enough that a crashed holder is waited out quickly.
const leaseTtlMillis = 5_000
const hours = (n: number) => n * 3_600_000
const refreshes = (counts: TestServer.TokenRequestCounts) => counts.byGrantType["refresh_token"] ?? 0

/** Every caller of every worker got the same valid token, and every session is still authorized. */
const expectOneSharedToken = (results: ReadonlyArray<StormResult>, callers: number) => {
  for (const result of results) {
    expect(result).toMatchObject({ ok: callers, failures: [], expired: 0, state: "authorized" })
    expect(result.fingerprints).toHaveLength(1)
  }
  expect(new Set(results.flatMap((result) => result.fingerprints)).size).toBe(1)
  return results[0]!.fingerprints[0]!
}

class Setup extends Context.Tag("test/ClusterSetup")<Setup, {
  readonly spec: StoreSpec
  readonly server: TestServer.TestServer
  readonly store: TokenStore.Service
  readonly cluster: Cluster.Cluster
}>() {}

/** A test server with rotation, the spec's store in the parent, and 4 workers on both. */
const setup = (makeSpec: Effect.Effect<StoreSpec, never, Scope.Scope>) =>
  Layer.scoped(
    Setup,
    Effect.gen(function*() {
      const spec = yield* makeSpec
      const server = yield* TestServer.make({ rotateRefreshToken: true })
      const store = yield* Effect.map(Layer.build(Layer.orDie(storeLayer(spec))), Context.get(TokenStore.TokenStore))
      const cluster = yield* Cluster.start({ server, store: spec, parentStore: store, processes: 4, leaseTtlMillis })
      return { spec, server, store, cluster }
    })
  )

/** The stored grant is the one handed out and the resource server accepts it: nothing was lost. */
const expectGrantAlive = (handedOut: string) =>
  Effect.gen(function*() {
    const { cluster, server, store } = yield* Setup
    const entry = Option.getOrThrow(yield* store.get(cluster.key))
    const token = Redacted.value(entry.tokens.accessToken)
    expect(yield* Effect.promise(() => fingerprint(token))).toBe(handedOut)
    expect(entry.tokens.refreshToken).toBeDefined()
    const response = yield* Effect.promise(() => fetch(server.resourceUrl, { headers: { authorization: `Bearer ${token}` } }))
    expect(response.status).toBe(200)
  })

/**
 * A clock on real time plus `offset`, whose sleeps never end: a session on it
 * never polls, so whatever wakes it came from the store.
 */
const clockWithoutSleep = (offset: number) => {
  const base = Clock.make()
  const sleeps = { started: 0 }
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis() + offset,
    currentTimeMillis: Effect.sync(() => base.unsafeCurrentTimeMillis() + offset),
    unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos() + BigInt(offset) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => base.unsafeCurrentTimeNanos() + BigInt(offset) * 1_000_000n),
    sleep: () => Effect.suspend(() => (sleeps.started++, Effect.never))
  }
  return { clock, sleeps }
}

/** The store with what a waiter does counted: reads, busy lease answers, watches opened. */
const counting = (store: TokenStore.Service) => {
  const counts = { gets: 0, busy: 0, watches: 0 }
  const watch = store.watch
  const service: TokenStore.Service = {
    ...store,
    get: (key) => Effect.zipLeft(store.get(key), Effect.sync(() => counts.gets++)),
    acquireLease: (key, ttl) =>
      Effect.tapError(store.acquireLease(key, ttl), (error) =>
        Effect.sync(() => error._tag === "LeaseUnavailable" && counts.busy++)),
    watch: watch === undefined ? undefined : (key) => Effect.zipLeft(watch(key), Effect.sync(() => counts.watches++))
  }
  return { service, counts }
}

/** Real time passes (test pacing only, never asserted): up to `limit` checks 10 ms apart until `done`. */
const eventually = (done: () => boolean, limit = 2_000) =>
  Effect.promise(async () => {
    for (let i = 0; i < limit && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
    return done()
  })

// The tests share one cluster (starting worker processes is the slow part) and
// run in order: the last one ends with the grant revoked by the server.
export const clusterSuite = (name: string, makeSpec: Effect.Effect<StoreSpec, never, Scope.Scope>) =>
  layer(setup(makeSpec), { excludeTestServices: true, timeout: "90 seconds" })(`SqlTokenStore across processes / ${name}`, (it) => {
    it.effect("a waiter that never polls adopts what the holder in another process writes: the store wakes it, 1 re-read after the write, 1 token request", () =>
      Effect.gen(function*() {
        const { cluster, server, spec } = yield* Setup
        const [holder] = cluster.workers
        yield* cluster.advance(hours(2))
        // This process waits for the lease on its own store, on a clock whose sleeps never end.
        const { clock, sleeps } = clockWithoutSleep(hours(2))
        const { counts, service } = counting(yield* Effect.map(Layer.build(Layer.orDie(storeLayer(spec))), Context.get(TokenStore.TokenStore)))
        const registration = server.clients.web
        const oauthClient = yield* Effect.gen(function*() {
          const provider = yield* Provider.discover(server.issuer)
          return yield* OAuthClient.make({
            provider,
            client: {
              clientId: registration.clientId,
              clientSecret: registration.clientSecret!,
              authMethod: "client_secret_basic",
              redirectUri: registration.redirectUri,
              scopes: ["openid", "offline_access", "api:read"]
            }
          })
        }).pipe(Effect.provide(FetchHttpClient.layer), Effect.orDie)
        const session = yield* OAuthSession.make({ key: cluster.key, refresh: "lazy", leaseTtl: leaseTtlMillis }).pipe(
          Effect.provideService(OAuthClient.OAuthClient, { ...oauthClient, timeout: undefined }),
          Effect.provideService(TokenStore.TokenStore, service),
          Effect.withClock(clock)
        )
        const before = yield* server.tokenRequests
        // The holder takes the lease; its token request is held.
        const holderDone = holder!.next("stormed")
        yield* Effect.promise(() => holder!.call({ type: "storm", callers: 1, stall: true }, "stalled"))
        Object.assign(counts, { gets: 0, busy: 0, watches: 0 })
        const waiter = yield* Effect.fork(Effect.withClock(session.tokens, clock))
        // Busy, watch opened, re-read: then it waits (a poll would sleep forever), with no second lease attempt.
        expect(yield* eventually(() => counts.busy === 1 && counts.gets === 1 && sleeps.started > 0)).toBe(true)
        expect(counts).toEqual({ gets: 1, busy: 1, watches: 1 })
        yield* Effect.promise(() => holder!.call({ type: "release" }, "released"))
        const written = expectOneSharedToken([yield* Effect.promise(() => holderDone)], 1)
        expect(yield* eventually(() => waiter.unsafePoll() !== null)).toBe(true)
        const tokens = yield* Fiber.join(waiter)
        expect(yield* Effect.promise(() => fingerprint(Redacted.value(tokens.accessToken)))).toBe(written)
        // Woken once, re-read once, adopted: no lease attempt of its own after the write, no request.
        expect(counts).toEqual({ gets: 2, busy: 1, watches: 1 })
        expect(refreshes(yield* server.tokenRequests) - refreshes(before)).toBe(1)
        yield* expectGrantAlive(written)
      }).pipe(Effect.scoped), 60_000)

    it.effect("4 processes × 250 callers × 20 expiry cycles with rotation: 1 token request per cycle, 0 invalid_grant, 0 sessions lost", () =>
      Effect.gen(function*() {
        const { cluster, server } = yield* Setup
        const perCycle: Array<{ requests: number; invalidGrant: number }> = []
        let last = ""
        for (let cycle = 0; cycle < 20; cycle++) {
          yield* cluster.advance(hours(2))
          const before = yield* server.tokenRequests
          const results = yield* cluster.storm(250)
          const after = yield* server.tokenRequests
          perCycle.push({ requests: refreshes(after) - refreshes(before), invalidGrant: after.invalidGrant - before.invalidGrant })
          const token = expectOneSharedToken(results, 250)
          expect(token).not.toBe(last)
          last = token
        }
        expect(perCycle).toEqual(Array.from({ length: 20 }, () => ({ requests: 1, invalidGrant: 0 })))
        yield* expectGrantAlive(last)
      }), 90_000)

    it.effect("a worker killed with SIGKILL while holding the lease: the others refresh once after the TTL, nothing is lost", () =>
      Effect.gen(function*() {
        const { cluster, server } = yield* Setup
        const [victim, ...others] = cluster.workers
        yield* cluster.advance(hours(2))
        const before = yield* server.tokenRequests
        // The victim takes the lease and starts its refresh; its token request is held.
        yield* Effect.promise(() => victim!.call({ type: "storm", callers: 250, stall: true }, "stalled"))
        yield* Effect.promise(() => victim!.kill("SIGKILL"))
        const results = yield* cluster.storm(250, others)
        const after = yield* server.tokenRequests
        expect(refreshes(after) - refreshes(before)).toBe(1)
        expect(after.invalidGrant - before.invalidGrant).toBe(0)
        yield* expectGrantAlive(expectOneSharedToken(results, 250))
        // And they carry on: the next expiry is one refresh again.
        yield* cluster.advance(hours(2), others)
        const again = yield* cluster.storm(250, others)
        expect(refreshes(yield* server.tokenRequests) - refreshes(after)).toBe(1)
        yield* expectGrantAlive(expectOneSharedToken(again, 250))
      }), 60_000)

    it.effect("a holder whose lease lapsed and that then gets invalid_grant adopts the sibling's rotated tokens instead of revoking (invariant 6)", () =>
      Effect.gen(function*() {
        const { cluster, server, store } = yield* Setup
        const [slow, sibling] = cluster.workers.slice(1)
        yield* cluster.advance(hours(2), [slow!, sibling!])
        const before = yield* server.tokenRequests
        const version = Option.getOrThrow(yield* store.get(cluster.key)).version
        // The slow holder takes the lease; its refresh request is held past the lease's TTL.
        const slowDone = slow!.next("stormed")
        yield* Effect.promise(() => slow!.call({ type: "storm", callers: 50, stall: true }, "stalled"))
        // The sibling waits out the lapsed lease, takes it over, rotates and stores.
        const [rotated] = yield* cluster.storm(50, [sibling!])
        const siblingToken = expectOneSharedToken([rotated!], 50)
        // Now the slow holder's request reaches the server with the spent refresh token.
        yield* Effect.promise(() => slow!.call({ type: "release" }, "released"))
        const late = yield* Effect.promise(() => slowDone)
        const after = yield* server.tokenRequests
        expect(refreshes(after) - refreshes(before)).toBe(2)
        expect(after.invalidGrant - before.invalidGrant).toBe(1)
        // It adopted the sibling's tokens: not revoked, the store entry kept.
        expect(expectOneSharedToken([late], 50)).toBe(siblingToken)
        const entry = Option.getOrThrow(yield* store.get(cluster.key))
        expect(entry.version).toBe(version + 1)
        expect(yield* Effect.promise(() => fingerprint(Redacted.value(entry.tokens.accessToken)))).toBe(siblingToken)
      }), 60_000)
  })
