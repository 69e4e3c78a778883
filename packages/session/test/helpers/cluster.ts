/**
 * A cluster for `scheduler()` interleavings: sessions (or another token source)
 * sharing one `TokenStore`, where every asynchronous step — a caller's start,
 * each store operation, each token request and its response — waits for
 * fast-check's scheduler, which releases them in a random order. Time (the
 * store lease's polling) comes from `TestClock`.
 */
import { OAuthClient, TokenSet } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { expect } from "@effect/vitest"
import { Clock, Effect, Either, FastCheck, Fiber, Option, Redacted, TestClock } from "effect"
import type { Scope } from "effect"
import * as Fake from "@effect-oauth/testing/FakeTokenServer"
import { flush } from "./world.js"

const key = "alice"
const hour = 3_600_000

export interface Scenario {
  readonly holders: number
  /** Each caller's holder (index modulo `holders`). */
  readonly callers: ReadonlyArray<number>
}

export const scenario: FastCheck.Arbitrary<Scenario> = FastCheck.record({
  holders: FastCheck.integer({ min: 1, max: 3 }),
  callers: FastCheck.array(FastCheck.nat(2), { minLength: 2, maxLength: 20 })
})

export interface Cluster {
  readonly server: Fake.FakeTokenServer
  readonly store: TokenStore.Service
  /** The store underneath, not gated (for observers). */
  readonly memory: TokenStore.Service
  readonly client: OAuthClient.Service
  /** Every access token written to the store. */
  readonly written: Set<string>
  readonly violations: Array<string>
  readonly seeded: TokenSet.TokenSet
  inFlight: number
  maxInFlight: number
  /** Per holder: the server refused its refresh token while the store already held a live rotation. */
  readonly mustAdopt: Array<boolean>
}

/**
 * A cluster whose store operations and token requests wait for `scheduler`
 * (once `gated` is on). `lease: "lapsed"` makes the lease never exclude.
 */
export const makeCluster = (
  scheduler: FastCheck.Scheduler,
  options: { readonly lease: "exclusive" | "lapsed"; readonly reuseDetection: boolean }
) =>
  Effect.gen(function*() {
    const gate = { on: false }
    const step = (label: string) =>
      Effect.suspend(() => gate.on ? Effect.promise(() => scheduler.schedule(Promise.resolve(label), label)) : Effect.void)
    const server = new Fake.FakeTokenServer({ reuseDetection: options.reuseDetection })
    const memory = yield* TokenStore.makeMemory
    const seeded = yield* server.seed(["read"], hour)
    const cluster: Cluster = {
      server,
      store: memory,
      memory,
      client: server.client,
      written: new Set(),
      violations: [],
      seeded,
      inFlight: 0,
      maxInFlight: 0,
      mustAdopt: []
    }
    const store: TokenStore.Service = {
      get: (k) => Effect.zipRight(step("store get"), memory.get(k)),
      compareAndSet: (k, expected, tokens) =>
        Effect.zipRight(
          step("store compareAndSet"),
          Effect.tap(memory.compareAndSet(k, expected, tokens), () =>
            Effect.sync(() => cluster.written.add(Redacted.value(tokens.accessToken))))
        ),
      delete: (k, expected) => Effect.zipRight(step("store delete"), memory.delete(k, expected)),
      acquireLease: options.lease === "lapsed"
        ? (k) => Effect.zipRight(step("store acquireLease"), Effect.succeed({ key: k, owner: crypto.randomUUID(), expiresAt: 0 }))
        : (k, ttl) => Effect.zipRight(step("store acquireLease"), memory.acquireLease(k, ttl)),
      releaseLease: (lease) => Effect.zipRight(step("store releaseLease"), memory.releaseLease(lease))
    }
    const client: OAuthClient.Service = {
      ...server.client,
      refresh: (tokens, refreshOptions) =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            cluster.inFlight++
            cluster.maxInFlight = Math.max(cluster.maxInFlight, cluster.inFlight)
          }),
          () =>
            step("token request").pipe(
              Effect.zipRight(server.client.refresh(tokens, refreshOptions)),
              Effect.tap(() => step("token response"))
            ),
          () => Effect.sync(() => void cluster.inFlight--)
        )
    }
    yield* memory.compareAndSet(key, undefined, seeded)
    Object.assign(cluster, { store, client })
    return { cluster, open: () => (gate.on = true) }
  })

/** Notes, for holder `index`, an invalid_grant while the store already held a live rotation. */
export const watching = (cluster: Cluster, index: number): OAuthClient.Service => ({
  ...cluster.client,
  refresh: (tokens, options) =>
    Effect.tapError(cluster.client.refresh(tokens, options), (error) =>
      Effect.gen(function*() {
        const presented = tokens.refreshToken
        if (error._tag !== "OAuthError" || error.error !== "invalid_grant" || presented === undefined) return
        const now = yield* Clock.currentTimeMillis
        const stored = Option.flatMapNullable(yield* Effect.orDie(cluster.memory.get(key)), (e) => e.tokens.refreshToken)
        if (Option.isNone(stored)) return
        const value = Redacted.value(stored.value)
        if (value !== Redacted.value(presented) && cluster.server.isRefreshTokenUsable(value, now)) {
          cluster.mustAdopt[index] = true
        }
      }))
})

export type Source = (cluster: Cluster, holder: number) => Effect.Effect<Redacted.Redacted<string>, unknown>

/** The real thing: one `OAuthSession` per holder over the shared store. */
export const sessions = (holders: number) =>
  (cluster: Cluster): Effect.Effect<Source & { readonly sessions: ReadonlyArray<OAuthSession.OAuthSession> }, never, Scope.Scope> =>
    Effect.gen(function*() {
      const all: Array<OAuthSession.OAuthSession> = []
      for (let index = 0; index < holders; index++) {
        cluster.mustAdopt.push(false)
        all.push(
          yield* OAuthSession.make({ key, refresh: "lazy", clock: "effect" }).pipe(
            Effect.provideService(OAuthClient.OAuthClient, watching(cluster, index)),
            Effect.provideService(TokenStore.TokenStore, cluster.store),
            Effect.orDie
          )
        )
      }
      const source: Source = (_cluster, holder) => all[holder % holders]!.accessToken
      return Object.assign(source, { sessions: all })
    })

/**
 * A client without single-flight: each caller checks the token it holds and,
 * when it is due, refreshes it itself.
 */
export const checkThenRefresh = (cluster: Cluster): Effect.Effect<Source> =>
  Effect.sync(() => {
    let held = cluster.seeded
    let version = 1
    return (_cluster, _holder) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        if (!TokenSet.needsRefresh(held, now)) return held.accessToken
        const refreshed = yield* cluster.client.refresh(held)
        version = yield* cluster.store.compareAndSet(key, version, refreshed)
        held = refreshed
        return refreshed.accessToken
      })
  })

/** Runs every caller to completion, releasing scheduled steps one at a time; time moves only when nothing is scheduled. */
export const drive = (scheduler: FastCheck.Scheduler, fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 2_000; i++) {
      yield* flush
      if (fibers.every((fiber) => fiber.unsafePoll() !== null)) return true
      if (scheduler.count() > 0) yield* Effect.promise(() => scheduler.waitOne())
      else yield* TestClock.adjust("100 millis")
    }
    return false
  })

/** `callers` concurrent callers through `source`; returns what each got and the violations of invariants 1, 2 and 4. */
export const storm = (
  scheduler: FastCheck.Scheduler,
  input: Scenario,
  source: (cluster: Cluster) => Effect.Effect<Source, never, Scope.Scope>,
  options: { readonly lease: "exclusive" | "lapsed"; readonly reuseDetection: boolean } = {
    lease: "exclusive",
    reuseDetection: true
  }
) =>
  Effect.gen(function*() {
    const { cluster, open } = yield* makeCluster(scheduler, options)
    const get = yield* source(cluster)
    open()
    const fibers = yield* Effect.forEach(input.callers, (holder, i) =>
      Effect.promise(() => scheduler.schedule(Promise.resolve(`caller ${i}`), `caller ${i} on holder ${holder}`)).pipe(
        Effect.zipRight(get(cluster, holder)),
        Effect.tap((token) =>
          Effect.map(Clock.currentTimeMillis, (now) => {
            const value = Redacted.value(token)
            const expiresAt = cluster.server.accessTokenExpiresAt(value)
            if (expiresAt === undefined || now >= expiresAt) cluster.violations.push(`invariant 1: caller ${i} got an expired token`)
            if (!cluster.written.has(value)) cluster.violations.push(`invariant 4: caller ${i} got a token not yet stored`)
          })
        ),
        Effect.either,
        Effect.fork
      ))
    if (!(yield* drive(scheduler, fibers))) cluster.violations.push("the callers never settled")
    const outcomes = fibers.map((fiber) => {
      const exit = fiber.unsafePoll()
      return exit !== null && exit._tag === "Success" ? exit.value : undefined
    })
    return { cluster, outcomes }
  })

export const report = (scheduler: FastCheck.Scheduler, violations: ReadonlyArray<string>) =>
  `${violations.join("; ")}\n${scheduler.report().map((task) => task.label).join(" → ")}`

/**
 * Invariant 2 over an interleaving: one token request for the expiry across
 * every holder, never two in flight, every caller served the stored new token.
 */
export const singleRefresh = (source: (holders: number) => (cluster: Cluster) => Effect.Effect<Source, never, Scope.Scope>) =>
(scheduler: FastCheck.Scheduler, input: Scenario) =>
  Effect.gen(function*() {
    const { cluster, outcomes } = yield* storm(scheduler, input, source(input.holders))
    const violations = [...cluster.violations]
    if (cluster.server.counts.refresh !== 1) violations.push(`invariant 2: ${cluster.server.counts.refresh} token requests for one expiry`)
    if (cluster.maxInFlight > 1) violations.push(`invariant 2: ${cluster.maxInFlight} refreshes in flight at once`)
    const stored = yield* Effect.orDie(cluster.memory.get(key))
    const newest = Option.getOrUndefined(Option.map(stored, (entry) => Redacted.value(entry.tokens.accessToken)))
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome === undefined || Either.isLeft(outcome)) violations.push(`caller ${i} failed`)
      else if (Redacted.value(outcome.right) !== newest) violations.push(`caller ${i} did not get the stored token`)
    }
    expect(violations, report(scheduler, violations)).toEqual([])
  })

