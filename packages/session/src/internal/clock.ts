import { Effect, FiberId } from "effect"
import type { Fiber } from "effect"

/** The clock XState schedules delayed events with. @internal */
export interface MachineClock {
  setTimeout(fn: (...args: Array<any>) => void, timeout: number): unknown
  clearTimeout(id: unknown): void
}

/** `setTimeout` holds at most 2^31 − 1 ms (~24.8 days); longer delays are chained. @internal */
export const maxTimerMillis = 2 ** 31 - 1

interface SystemTimer {
  handle: ReturnType<typeof setTimeout> | undefined
}

// Housekeeping timers (expiry, refresh window) must not keep a process alive.
const unref = (handle: ReturnType<typeof setTimeout>) => {
  if (typeof handle === "object" && handle !== null && "unref" in handle) handle.unref()
  return handle
}

/** Plain timers, chained above 2^31 − 1 ms; a non-finite delay never fires. @internal */
export const system: MachineClock = {
  setTimeout(fn, timeout) {
    const timer: SystemTimer = { handle: undefined }
    const arm = (remaining: number) => {
      const step = Math.min(Math.max(0, remaining), maxTimerMillis)
      timer.handle = unref(setTimeout(() => remaining > step ? arm(remaining - step) : fn(), step))
    }
    if (Number.isFinite(timeout)) arm(timeout)
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
