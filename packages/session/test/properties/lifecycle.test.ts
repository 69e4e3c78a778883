/**
 * Properties of the lifecycle (DESIGN §4, invariants 7, 8, 9): the command
 * sequences of `test/helpers/world.ts` for revocation and transitions; for
 * time, a clock set back before a restart and timers beyond 2^31 − 1 ms.
 */
import { SessionMachine } from "@effect-oauth/session"
import type { OAuthSession } from "@effect-oauth/session"
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { Effect, FastCheck, Redacted, TestClock } from "effect"
import { check, failure, runs, sample, sequences } from "../helpers/properties.js"
import { harness, session } from "../helpers/session.js"
import * as World from "../helpers/world.js"

const day = 86_400_000

describe("OAuthSession / properties / lifecycle", () => {
  it.effect.prop(
    "invariant 7: after revoke, no token is handed out until a new authorization completes",
    sequences(World.setup, { AppRevokes: 3, Authorize: 3 }),
    sample([World.nothingAfterRevoke]),
    runs(15)
  )

  it.effect.prop(
    "invariant 8: every observed transition is one the machine declares",
    sequences(),
    sample([World.declaredTransitions]),
    runs(15)
  )
})

interface ClockSetBack {
  /** Access token lifetime (ms), up to 60 days: beyond a single `setTimeout`. */
  readonly lifetime: number
  /** How much of the lifetime had passed when the process stopped. */
  readonly age: number
  /** How far the clock was set back (ms) before the process started again. */
  readonly back: number
}

const clockSetBack: FastCheck.Arbitrary<ClockSetBack> = FastCheck.record({
  lifetime: FastCheck.oneof(
    FastCheck.integer({ min: 1_000, max: 2 * 3_600_000 }),
    FastCheck.integer({ min: 2 ** 31, max: 60 * day })
  ),
  age: FastCheck.double({ min: 0, max: 0.99, noNaN: true }),
  back: FastCheck.oneof(FastCheck.constant(0), FastCheck.integer({ min: 1, max: 30 * day }))
})

/**
 * A stored token issued `age × lifetime` ago; the clock is set back by `back`;
 * a session starts from the store. It holds the token for at most its lifetime
 * from then and never past `expiresAt` on its clock, and its expiry fires on
 * time (not early, as an overflowing `setTimeout` would).
 */
const lifeNotExtended = (machine?: OAuthSession.Options["machine"]) => ({ age, back, lifetime }: ClockSetBack) =>
  Effect.gen(function*() {
    const h = yield* harness({ accessTokenLifetime: lifetime })
    const stopped = 100 * day
    yield* TestClock.setTime(stopped)
    const tokens = yield* h.server.seed(["read"], Math.floor(age * lifetime))
    yield* h.store.compareAndSet("alice", undefined, tokens)
    yield* TestClock.setTime(stopped - back)
    const s = yield* session(h, machine === undefined ? {} : { machine })
    const usable = Math.min(lifetime, tokens.expiresAt! - (stopped - back))
    expect(usable).toBeGreaterThan(0)
    yield* TestClock.adjust(usable - 1)
    expect(yield* s.state).toBe("authorized")
    yield* TestClock.adjust(1)
    expect(yield* s.state).toBe("expired")
    const next = yield* s.accessToken
    expect(Redacted.value(next)).not.toBe(Redacted.value(tokens.accessToken))
  })

describe("OAuthSession / properties / clocks", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it.scoped.prop(
    "invariant 9: a clock set back never extends a token's life, and its expiry fires on time even beyond 2^31 − 1 ms",
    { input: clockSetBack },
    ({ input }) => lifeNotExtended()(input),
    runs(30)
  )

  it.prop(
    "invariant 9: systemClock fires each timer at its delay, never early, also beyond 2^31 − 1 ms",
    [FastCheck.integer({ min: 0, max: 120 * day })],
    ([delay]) => {
      vi.useFakeTimers()
      const fired = vi.fn()
      SessionMachine.systemClock.setTimeout(fired, delay)
      vi.advanceTimersByTime(Math.max(0, delay - 1))
      if (delay > 0) expect(fired).not.toHaveBeenCalled()
      vi.advanceTimersByTime(1)
      expect(fired).toHaveBeenCalledTimes(1)
      vi.useRealTimers()
    },
    { fastCheck: { numRuns: 100 } }
  )
})

/** A machine whose expiry timer trusts the clock alone, not the token's lifetime. */
const expiryFromClockOnly = (now: () => number) => (machine: SessionMachine.Machine) =>
  machine.provide({
    delays: {
      accessTokenExpiry: ({ context }) =>
        context.tokens?.expiresAt === undefined ? Number.POSITIVE_INFINITY : Math.max(0, context.tokens.expiresAt - now())
    }
  })

describe("OAuthSession / properties / broken variants", () => {
  it.effect("invariant 9 fails for an expiry timer that trusts a clock set back", () =>
    Effect.gen(function*() {
      const details = yield* check(
        clockSetBack,
        (input) =>
          Effect.flatMap(Effect.clock, (clock) =>
            lifeNotExtended(expiryFromClockOnly(() => clock.unsafeCurrentTimeMillis()))(input)),
        100
      )
      expect(details.failed).toBe(true)
      expect(failure(details)).toContain(`expected 'authorized' to be 'expired'`)
    }), 60_000)

  it.effect("the check helper reports a property that holds as passing", () =>
    Effect.gen(function*() {
      const details = yield* check(clockSetBack, (input) => lifeNotExtended()(input), 10)
      expect(details.failed, failure(details)).toBe(false)
      expect(details.numRuns).toBe(10)
    }), 60_000)
})
