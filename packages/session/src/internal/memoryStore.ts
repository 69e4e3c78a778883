import type { TokenSet } from "@effect-oauth/core"
import { Clock, Duration, Effect, Option } from "effect"
// Used inside functions only: the public module imports this one.
import * as TokenStore from "../TokenStore.js"

interface Slot {
  readonly tokens: TokenSet.TokenSet | undefined
  readonly version: number
}

/** @internal */
export const randomOwner = (): string => globalThis.crypto.randomUUID()

// Every operation is one synchronous step, so it is atomic on a single thread.
/** @internal */
export const make: Effect.Effect<TokenStore.Service> = Effect.sync(() => {
  // A deleted key keeps its slot (a tombstone) so that its versions never repeat.
  const slots = new Map<string, Slot>()
  const leases = new Map<string, TokenStore.Lease>()

  const entryOf = (slot: Slot | undefined): Option.Option<TokenStore.Entry> =>
    slot?.tokens === undefined ? Option.none() : Option.some({ tokens: slot.tokens, version: slot.version })

  const current = (key: string): number | undefined => {
    const slot = slots.get(key)
    return slot?.tokens === undefined ? undefined : slot.version
  }

  return TokenStore.TokenStore.of({
    get: (key) => Effect.sync(() => entryOf(slots.get(key))),
    compareAndSet: (key, expectedVersion, tokens) =>
      Effect.suspend(() => {
        const actual = current(key)
        if (actual !== expectedVersion) {
          return Effect.fail(
            new TokenStore.VersionConflict({
              key,
              ...(expectedVersion === undefined ? {} : { expected: expectedVersion }),
              ...(actual === undefined ? {} : { actual })
            })
          )
        }
        const version = (slots.get(key)?.version ?? 0) + 1
        slots.set(key, { tokens, version })
        return Effect.succeed(version)
      }),
    delete: (key, expectedVersion) =>
      Effect.suspend(() => {
        const actual = current(key)
        if (expectedVersion !== undefined && actual !== expectedVersion) {
          return Effect.fail(
            new TokenStore.VersionConflict({ key, expected: expectedVersion, ...(actual === undefined ? {} : { actual }) })
          )
        }
        const slot = slots.get(key)
        if (slot?.tokens !== undefined) slots.set(key, { tokens: undefined, version: slot.version + 1 })
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
  })
})
