import { Clock, Duration, Effect, Either, Metric, Option, Schedule } from "effect"
import type { Context } from "effect"
import type * as TokenStore from "../TokenStore.js"
import { sleepMillis } from "./clock.js"
import * as telemetry from "./telemetry.js"

const timesTwo = (ttl: Duration.DurationInput): Duration.Duration => Duration.times(Duration.decode(ttl), 2)

/** The back-off between re-checks when nothing wakes a waiter: 50 ms, doubling, at most 1.6 s. @internal */
export const defaultBackOff: Schedule.Schedule<unknown> = Schedule.exponential("50 millis").pipe(
  Schedule.union(Schedule.spaced("1600 millis"))
)

/** How a wait for another holder's lease ended. */
type Wake = "change" | "poll" | "expiry" | "done"

/**
 * Takes the refresh lease of `key`, or ends with what `recheck` finds while
 * another holder has it (`Right`). At the first busy answer it opens the
 * store's optional `watch` and, when it has one, re-checks at once (a change
 * may have come before the watch): with `recheck`, by re-reading; without, by
 * trying the lease again. Then, until it ends, it waits for whichever comes first: a
 * change the watch reports, the next step of `backOff`, or the holder's lease
 * lapsing; re-checks; and only when the re-check finds nothing tries the lease
 * again. A waiter woken by the holder's write thus re-reads once and makes no
 * further lease attempt. (A lease given back without a write while the watch
 * was opening is seen at the next poll.) The back-off restarts whenever the
 * lease changes hands. Fails with the last {@link TokenStore.LeaseUnavailable}
 * after `timeoutMillis` or when `backOff` ends.
 *
 * @internal
 */
export const waitForLease = <A, E, R>(
  store: TokenStore.Service,
  key: string,
  options: {
    readonly ttl: Duration.DurationInput
    readonly timeoutMillis: number
    readonly backOff: Schedule.Schedule<unknown>
    readonly recheck?: Effect.Effect<Option.Option<A>, E, R> | undefined
  }
): Effect.Effect<Either.Either<A, TokenStore.Lease>, E | TokenStore.LeaseUnavailable | TokenStore.TokenStoreError, R> =>
  Effect.scoped(Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const driver = yield* Schedule.driver(options.backOff)
    let changed: Effect.Effect<void> | undefined
    let holder: number | undefined
    while (true) {
      const attempt = yield* Effect.either(store.acquireLease(key, options.ttl))
      if (Either.isRight(attempt)) return Either.left(attempt.right)
      const busy = attempt.left
      if (busy._tag !== "LeaseUnavailable") return yield* Effect.fail(busy)
      if ((yield* Clock.currentTimeMillis) - startedAt > options.timeoutMillis) return yield* Effect.fail(busy)
      if (holder !== busy.expiresAt) {
        holder = busy.expiresAt
        yield* driver.reset
      }
      if (changed === undefined && store.watch !== undefined) {
        // A watch that cannot start leaves the waiter polling.
        changed = yield* Effect.orElseSucceed(store.watch(key), () => Effect.never)
        // Nothing to re-read: the lease itself is what may have changed.
        if (options.recheck === undefined) continue
        const found = yield* options.recheck
        if (Option.isSome(found)) return Either.right(found.value)
      }
      const now = yield* Clock.currentTimeMillis
      const wake = yield* Effect.raceAll<Effect.Effect<Wake>>([
        Effect.map(Effect.either(driver.next(busy)), (step): Wake => Either.isLeft(step) ? "done" : "poll"),
        Effect.as(sleepMillis(Math.max(1, busy.expiresAt - now)), "expiry" as const),
        ...(changed === undefined ? [] : [Effect.as(changed, "change" as const)])
      ])
      if (wake === "done") return yield* Effect.fail(busy)
      yield* Metric.increment(Metric.tagged(telemetry.leaseWaits, "wake", wake))
      if (options.recheck === undefined) continue
      const found = yield* options.recheck
      if (Option.isSome(found)) return Either.right(found.value)
    }
  }))

/** @internal */
export const acquireWaiting = (
  store: TokenStore.Service,
  key: string,
  options: {
    readonly ttl: Duration.DurationInput
    readonly timeout?: Duration.DurationInput | undefined
    readonly schedule?: Schedule.Schedule<unknown> | undefined
  }
): Effect.Effect<TokenStore.Lease, TokenStore.LeaseUnavailable | TokenStore.TokenStoreError> =>
  Effect.flatMap(
    waitForLease(store, key, {
      ttl: options.ttl,
      timeoutMillis: Duration.toMillis(options.timeout ?? timesTwo(options.ttl)),
      backOff: options.schedule ?? Schedule.exponential("50 millis").pipe(Schedule.union(Schedule.spaced("1 second")))
    }),
    (taken) => Either.isLeft(taken) ? Effect.succeed(taken.left) : Effect.never
  )

/** @internal */
export const withLease = <A, E, R>(
  tag: Context.Tag<TokenStore.TokenStore, TokenStore.Service>,
  key: string,
  options: { readonly ttl: Duration.DurationInput; readonly timeout?: Duration.DurationInput | undefined },
  self: Effect.Effect<A, E, R>
): Effect.Effect<A, E | TokenStore.LeaseUnavailable | TokenStore.TokenStoreError, R | TokenStore.TokenStore> =>
  Effect.flatMap(tag, (store) =>
    Effect.acquireUseRelease(
      acquireWaiting(store, key, options),
      () => self,
      (lease) => Effect.ignore(store.releaseLease(lease))
    ))
