/**
 * The system clock plus an offset a test or a benchmark moves forward: tokens
 * issued by a real server (which reads the real time) expire when the offset
 * passes their lifetime, without waiting. Sleeps are the system clock's: a sleep
 * delegated to `Effect.sleep` would come back to this clock and never end.
 *
 * ```ts
 * const movable = MovableClock.make()
 * movable.moveTo(tokens.expiresAt! + 1) // the tokens are now expired
 * // provide it with Effect.withClock(movable.clock)
 * ```
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"

/**
 * A clock that reads the system time plus an offset, and the means to move it.
 *
 * @since 0.1.0
 * @category models
 */
export interface MovableClock {
  readonly clock: Clock.Clock
  /** The clock's current time in milliseconds. */
  readonly now: () => number
  /** Moves the clock forward to `at` (never backward). */
  readonly moveTo: (at: number) => void
}

/**
 * A new movable clock, starting at the system time.
 *
 * @since 0.1.0
 * @category testing
 */
export const make = (): MovableClock => {
  let offset = 0
  const system = Clock.make()
  const now = () => system.unsafeCurrentTimeMillis() + offset
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: now,
    unsafeCurrentTimeNanos: () => BigInt(now()) * 1_000_000n,
    currentTimeMillis: Effect.sync(now),
    currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
    sleep: (duration) => system.sleep(duration)
  }
  return { clock, now, moveTo: (at) => void (offset += Math.max(0, at - now())) }
}
