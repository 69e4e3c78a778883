import { Clock, Duration, Effect, Option } from "effect"
// Used inside functions only: the public modules import this one.
import * as TokenStore from "../TokenStore.js"
import type * as TokenStoreBackend from "../TokenStoreBackend.js"

/** @internal */
export const randomOwner = (): string => globalThis.crypto.randomUUID()

// Every operation is one synchronous step, so it is atomic on a single thread.
/** @internal */
export const makeBackend: Effect.Effect<TokenStoreBackend.Backend> = Effect.sync(() => {
  // A deleted key keeps its slot (a tombstone) so that its versions never repeat.
  const slots = new Map<string, TokenStoreBackend.Slot>()
  const leases = new Map<string, TokenStore.Lease>()

  const live = (key: string): number | undefined => {
    const slot = slots.get(key)
    return slot?.blob === undefined ? undefined : slot.version
  }

  return {
    get: (key) => Effect.sync(() => Option.fromNullable(slots.get(key))),
    compareAndSet: (key, expected, blob) =>
      Effect.suspend(() => {
        const actual = slots.get(key)?.version
        if (actual !== expected) {
          return Effect.fail(
            new TokenStore.VersionConflict({
              key,
              ...(expected === undefined ? {} : { expected }),
              ...(actual === undefined ? {} : { actual })
            })
          )
        }
        slots.set(key, { blob, version: (expected ?? 0) + 1 })
        return Effect.void
      }),
    delete: (key, expected) =>
      Effect.suspend(() => {
        const actual = live(key)
        if (expected !== undefined && actual !== expected) {
          return Effect.fail(
            new TokenStore.VersionConflict({ key, expected, ...(actual === undefined ? {} : { actual }) })
          )
        }
        if (actual !== undefined) slots.set(key, { blob: undefined, version: actual + 1 })
        return Effect.void
      }),
    acquireLease: (key, ttl) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const held = leases.get(key)
        if (held !== undefined && held.expiresAt > now) {
          return Effect.fail(new TokenStore.LeaseUnavailable({ key, expiresAt: held.expiresAt }))
        }
        const lease: TokenStore.Lease = { key, owner: randomOwner(), expiresAt: now + Duration.toMillis(ttl) }
        leases.set(key, lease)
        return Effect.succeed(lease)
      }),
    releaseLease: (lease) =>
      Effect.sync(() => {
        if (leases.get(lease.key)?.owner === lease.owner) leases.delete(lease.key)
      })
  } satisfies TokenStoreBackend.Backend
})
