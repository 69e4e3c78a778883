import { Duration, Effect, Schedule } from "effect"
import type { Context } from "effect"
import type * as TokenStore from "../TokenStore.js"

const timesTwo = (ttl: Duration.DurationInput): Duration.Duration => Duration.times(Duration.decode(ttl), 2)

/** @internal */
export const acquireWaiting = (
  store: TokenStore.Service,
  key: string,
  options: {
    readonly ttl: Duration.DurationInput
    readonly timeout?: Duration.DurationInput | undefined
    readonly schedule?: Schedule.Schedule<unknown> | undefined
  }
): Effect.Effect<TokenStore.Lease, TokenStore.LeaseUnavailable | TokenStore.TokenStoreError> => {
  const schedule = options.schedule ??
    Schedule.exponential("50 millis").pipe(Schedule.union(Schedule.spaced("1 second")))
  return store.acquireLease(key, options.ttl).pipe(
    Effect.retry({
      while: (error) => error._tag === "LeaseUnavailable",
      schedule: schedule.pipe(Schedule.upTo(options.timeout ?? timesTwo(options.ttl)))
    })
  )
}

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
