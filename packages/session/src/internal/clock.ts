import { Effect, FiberId } from "effect"
import type { Fiber } from "effect"

/** The clock XState schedules delayed events with. @internal */
export interface MachineClock {
  setTimeout(fn: (...args: Array<any>) => void, timeout: number): unknown
  clearTimeout(id: unknown): void
}

/** `setTimeout` holds at most 2^31 − 1 ms (~24.8 days); longer delays are chained. @internal */
export const maxTimerMillis = 2 ** 31 - 1

/** A plain timer: the Node timeout of its current step, and the time left after that step. */
class SystemTimer {
  handle: ReturnType<typeof setTimeout> | undefined = undefined
  remaining: number
  readonly fn: () => void
  constructor(fn: () => void, remaining: number) {
    this.fn = fn
    this.remaining = remaining
  }
}

// Housekeeping timers (expiry, refresh window) must not keep a process alive.
const unref = (handle: ReturnType<typeof setTimeout>) => {
  if (typeof handle === "object" && handle !== null && "unref" in handle) handle.unref()
  return handle
}

// The timer rides along as the timeout's argument: a session idling with its
// expiry armed holds no closure for it.
const arm = (timer: SystemTimer): void => {
  const step = Math.min(Math.max(0, timer.remaining), maxTimerMillis)
  timer.remaining -= step
  timer.handle = unref(setTimeout(fire, step, timer))
}

const fire = (timer: SystemTimer): void => {
  if (timer.remaining > 0) arm(timer)
  else timer.fn()
}

// What a non-finite delay schedules: nothing, one object for all (a session in
// `authorized` has two such delays while its refresh is lazy).
const never = new SystemTimer(() => {}, Number.POSITIVE_INFINITY)

/** Plain timers, chained above 2^31 − 1 ms; a non-finite delay never fires. @internal */
export const system: MachineClock = {
  setTimeout(fn, timeout) {
    if (!Number.isFinite(timeout)) return never
    const timer = new SystemTimer(fn, timeout)
    arm(timer)
    return timer
  },
  clearTimeout(id) {
    const timer = id as SystemTimer | undefined
    if (timer?.handle !== undefined) clearTimeout(timer.handle)
  }
}

/** Sleeps `millis` on Effect's `Clock`, in steps of at most 2^31 − 1 ms. @internal */
export const sleepMillis = (millis: number): Effect.Effect<void> => {
  if (!Number.isFinite(millis)) return Effect.never
  if (millis <= maxTimerMillis) return Effect.sleep(Math.max(0, millis))
  return Effect.zipRight(Effect.sleep(maxTimerMillis), Effect.suspend(() => sleepMillis(millis - maxTimerMillis)))
}

/**
 * Timers as fibers sleeping on Effect's `Clock` (so `TestClock.adjust` moves
 * the machine); clearing one interrupts its fiber.
 *
 * @internal
 */
export const fromRun = (run: (effect: Effect.Effect<void>) => Fiber.RuntimeFiber<void, never>): MachineClock => ({
  setTimeout(fn, timeout) {
    return run(Effect.zipRight(sleepMillis(timeout), Effect.sync(() => fn())))
  },
  clearTimeout(id) {
    ;(id as Fiber.RuntimeFiber<void, never> | undefined)?.unsafeInterruptAsFork(FiberId.none)
  }
})
