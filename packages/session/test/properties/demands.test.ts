/**
 * Properties of how callers' demands end (issue 11): a caller that joins a
 * refresh in flight shares its outcome and its retry budget, and `refresh` on a
 * stored, alive grant never says "authorize first".
 */
import type { OAuthError } from "@effect-oauth/core"
import type { TokenStore } from "@effect-oauth/session"
import type { OAuthSession } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck, Fiber, Redacted, TestClock } from "effect"
import * as Fake from "@effect-oauth/testing/FakeTokenServer"
import { runs } from "../helpers/properties.js"
import { harness, session } from "../helpers/session.js"

const hour = 3_600_000

const transient = FastCheck.constantFrom(
  () => Fake.unavailable(),
  () => Fake.transportError(),
  () => Fake.tooManyRequests(1)
)

/** Lets the fake server's calls and the store's writes run out, one second at a time. */
const settle = Effect.repeatN(TestClock.adjust("1 second"), 29)

const outcomeOf = (outcome: Either.Either<Redacted.Redacted<string>, { readonly _tag: string }>) =>
  Either.isRight(outcome) ? Redacted.value(outcome.right) : outcome.left

/** A lazy session over an expired stored grant, its refresh retried up to `maxAttempts` times. */
const expiredSession = (maxAttempts: number, failures: ReadonlyArray<() => OAuthError.TokenEndpointError>) =>
  Effect.gen(function*() {
    const h = yield* harness({ latency: "50 millis" })
    yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], hour))
    const s = yield* session(h, { retry: { maxAttempts, initialDelay: "100 millis", maxDelay: "2 seconds" } })
    h.server.failNext("refresh", ...failures.map((failure) => failure()))
    return { h, s }
  })

const accessToken = (s: OAuthSession.OAuthSession) => Effect.fork(Effect.map(Effect.either(s.accessToken), outcomeOf))

describe("OAuthSession / properties / demands", () => {
  it.effect.prop(
    "N consecutive transient failures cost at most the retry budget's requests, whatever the number of callers",
    {
      callers: FastCheck.integer({ min: 1, max: 30 }),
      maxAttempts: FastCheck.integer({ min: 1, max: 5 }),
      failures: FastCheck.array(transient, { maxLength: 10 })
    },
    ({ callers, failures, maxAttempts }) =>
      Effect.gen(function*() {
        const { h, s } = yield* expiredSession(maxAttempts, failures)
        const fibers = yield* Effect.forEach(Array.from({ length: callers }), () => accessToken(s))
        yield* settle
        const outcomes = yield* Fiber.joinAll(fibers)
        expect(h.server.counts.refresh).toBe(Math.min(failures.length + 1, maxAttempts))
        expect(new Set(outcomes).size).toBe(1)
      }).pipe(Effect.scoped),
    runs(20)
  )

  it.effect.prop(
    "a joiner's outcome equals the refresh it joined, for accessToken and refresh callers arriving while it runs",
    {
      maxAttempts: FastCheck.integer({ min: 1, max: 4 }),
      failures: FastCheck.array(transient, { maxLength: 6 }),
      joiners: FastCheck.array(
        FastCheck.record({ after: FastCheck.integer({ min: 0, max: 3_000 }), refresh: FastCheck.boolean() }),
        { minLength: 1, maxLength: 8 }
      )
    },
    ({ failures, joiners, maxAttempts }) =>
      Effect.gen(function*() {
        const { s } = yield* expiredSession(maxAttempts, failures)
        const first = yield* accessToken(s)
        const joined: Array<Fiber.RuntimeFiber<unknown>> = []
        let elapsed = 0
        for (const joiner of [...joiners].sort((a, b) => a.after - b.after)) {
          yield* TestClock.adjust(joiner.after - elapsed)
          elapsed = joiner.after
          // Only a caller that arrives while the first refresh runs joins it.
          if ((yield* s.state) !== "refreshing") break
          joined.push(
            yield* joiner.refresh
              ? Effect.fork(Effect.map(Effect.either(Effect.map(s.refresh, (t) => t.accessToken)), outcomeOf))
              : accessToken(s)
          )
        }
        yield* settle
        const expected = yield* Fiber.join(first)
        for (const fiber of joined) expect(yield* Fiber.join(fiber)).toBe(expected)
      }).pipe(Effect.scoped),
    runs(20)
  )

  it.effect.prop(
    "refresh on a stored, alive grant never fails with Unauthorized, whatever the store's delays and the tokens' lifetime",
    {
      lifetime: FastCheck.integer({ min: 200, max: 5_000 }),
      delays: FastCheck.array(FastCheck.integer({ min: 0, max: 6_000 }), { maxLength: 3 }),
      failures: FastCheck.array(transient, { maxLength: 3 })
    },
    ({ delays, failures, lifetime }) =>
      Effect.gen(function*() {
        const h = yield* harness({ accessTokenLifetime: lifetime, latency: "20 millis" })
        const pending = [...delays]
        const slow: TokenStore.Service = {
          ...h.store,
          compareAndSet: (key, expected, tokens) =>
            Effect.zipRight(Effect.suspend(() => Effect.sleep(pending.shift() ?? 0)), h.store.compareAndSet(key, expected, tokens))
        }
        yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"]))
        const s = yield* session({ ...h, store: slow })
        h.server.failNext("refresh", ...failures.map((failure) => failure()))
        const refreshed = yield* Effect.fork(Effect.either(s.refresh))
        yield* settle
        const outcome = yield* Fiber.join(refreshed)
        if (Either.isLeft(outcome)) expect(outcome.left._tag).not.toBe("Unauthorized")
      }).pipe(Effect.scoped),
    runs(20)
  )
})
