/**
 * Where a {@link TokenStore.make} store keeps its bytes: opaque strings per
 * session key, read, written by compare-and-set, deleted, plus the refresh lease
 * (as `KeyValueStore` does for Effect's key-value stores). The backend never sees
 * a `TokenSet`: `TokenStore.make` encodes it, and encrypts it when asked.
 *
 * A backend keeps, per key, a {@link Slot}: the blob and its version, or a
 * tombstone (`blob: undefined`) after a delete, so that versions never repeat.
 * Every write of a key (a delete too) numbers the slot one more than before, the
 * first write 1: the version of a write is known before it is made, which is what
 * lets encryption bind it.
 *
 * @since 0.2.0
 */
import type { Duration, Effect, Option } from "effect"
import * as memoryStore from "./internal/memoryStore.js"
import type { LeaseUnavailable, TokenStoreError, VersionConflict } from "./internal/storeErrors.js"
import type * as TokenStore from "./TokenStore.js"

/**
 * What a backend holds for one key: a blob and its version, or a tombstone.
 *
 * @since 0.2.0
 * @category models
 */
export interface Slot {
  /** `undefined`: a tombstone, left by a delete. */
  readonly blob: string | undefined
  readonly version: number
}

/**
 * A storage of blobs. Each operation is atomic against every other handle on
 * the same storage.
 *
 * @since 0.2.0
 * @category models
 */
export interface Backend {
  /** The slot of `key`, tombstones included; `None` for a key never written. */
  readonly get: (key: string) => Effect.Effect<Option.Option<Slot>, TokenStoreError>
  /**
   * Writes `blob` as version `(expected ?? 0) + 1` when the slot's version (a
   * tombstone's too) is `expected` (`undefined`: never written); fails with
   * `VersionConflict` (its `actual` the slot's version) otherwise, writing nothing.
   */
  readonly compareAndSet: (
    key: string,
    expected: number | undefined,
    blob: string
  ) => Effect.Effect<void, VersionConflict | TokenStoreError>
  /**
   * Leaves a tombstone one version above a live blob: with `expected`, only when
   * the blob's version is that one (`VersionConflict` otherwise); without, always
   * (nothing to do when there is no blob).
   */
  readonly delete: (key: string, expected?: number | undefined) => Effect.Effect<void, VersionConflict | TokenStoreError>
  /** As `TokenStore.Service.acquireLease`. */
  readonly acquireLease: (
    key: string,
    ttl: Duration.DurationInput
  ) => Effect.Effect<TokenStore.Lease, LeaseUnavailable | TokenStoreError>
  /** As `TokenStore.Service.releaseLease`. */
  readonly releaseLease: (lease: TokenStore.Lease) => Effect.Effect<void, TokenStoreError>
}

/**
 * A backend in memory, for tests and single-process apps: each call builds a
 * new, empty one. `TokenStore.makeMemory` is `TokenStore.make` over it.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Backend> = memoryStore.makeBackend
