/**
 * Where a session keeps its grant: one {@link Entry} (a `TokenSet` and a version)
 * per session key, written by compare-and-set, plus a short-lived refresh
 * **lease** so that only one holder in a cluster refreshes a grant at a time
 * while the others wait and re-read.
 *
 * Any storage can implement it (file system here, SQLite and PostgreSQL in
 * `@effect-oauth/store-sql`), or a `TokenStoreBackend` of blobs through {@link make}.
 * Every implementation must pass the contract suite of `@effect-oauth/testing`:
 *
 * - `get` of a key never written, or deleted, is `None`.
 * - `compareAndSet(key, expected, tokens)` writes only when the stored version is
 *   `expected` (`undefined`: no entry) and returns the new version; otherwise it
 *   fails with {@link VersionConflict} and writes nothing.
 * - Versions of one key grow one by one, a delete counting as one (a store keeps
 *   a tombstone with the last version; the first write is 1), so a stale writer
 *   never wins by an old number coming round again.
 * - At most one live lease per key: `acquireLease` succeeds when there is none or
 *   when the last one outlived its time to live, and fails with
 *   {@link LeaseUnavailable} (naming when the current one lapses) otherwise; it
 *   never waits. `releaseLease` removes a lease only while its owner still holds it.
 * - Lease times come from Effect's `Clock`.
 *
 * A lease is advisory: a holder that outlives its lease can still only write by
 * compare-and-set, which is what keeps the newest grant from being overwritten.
 *
 * {@link encrypted} wraps any store so that its tokens are encrypted at rest.
 *
 * @since 0.1.0
 */
import type { FileSystem } from "@effect/platform"
import type { TokenSet } from "@effect-oauth/core"
import { Context, Duration, Effect, Layer, Predicate, Schedule } from "effect"
import { dual } from "effect/Function"
import type { Option, Scope } from "effect"
import type { EncryptionOptions } from "./internal/blobCipher.js"
import * as blobStore from "./internal/blobStore.js"
import * as encryptedStore from "./internal/encryptedStore.js"
import * as storeErrors from "./internal/storeErrors.js"
import type { LeaseUnavailable, TokenStoreError, VersionConflict } from "./internal/storeErrors.js"
import * as lease from "./internal/lease.js"
import * as fileStore from "./internal/fileStore.js"
import * as memoryStore from "./internal/memoryStore.js"
import type * as TokenStoreBackend from "./TokenStoreBackend.js"

/**
 * What a store holds for one session key: the tokens and their version.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  readonly tokens: TokenSet.TokenSet
  /** One more than the key's last version (a delete counts as one); never reused. */
  readonly version: number
}

/**
 * A refresh lease: while it is live, no other holder can acquire the lease of
 * the same key.
 *
 * @since 0.1.0
 * @category models
 */
export interface Lease {
  readonly key: string
  /** Random, unique per acquisition. */
  readonly owner: string
  /** When the lease lapses (epoch ms, Effect's `Clock`). */
  readonly expiresAt: number
}

/**
 * The operation a {@link TokenStoreError} happened in (`open`: building the
 * store, for example creating its directory).
 *
 * @since 0.1.0
 * @category models
 */
export const Operation: typeof storeErrors.Operation = storeErrors.Operation

/**
 * @since 0.1.0
 * @category models
 */
export type Operation = typeof Operation.Type

/**
 * The storage failed (`reason`: `Io`, `Corrupt`, `Timeout`, `Unencodable`,
 * `RolledBack`); names the key and the operation, never the tokens. A compare-and-set
 * that found another version fails with `VersionConflict`; a live lease of another
 * holder with `LeaseUnavailable`. Each class documents its fields.
 *
 * @since 0.1.0
 * @category errors
 */
export { LeaseUnavailable, TokenStoreError, VersionConflict } from "./internal/storeErrors.js"

/**
 * Every error of a token store (named so that it does not shadow the global `Error`).
 *
 * @since 0.1.0
 * @category errors
 */
export type StoreError = TokenStoreError | VersionConflict | LeaseUnavailable

/**
 * `true` for the errors of a token store.
 *
 * @since 0.1.0
 * @category guards
 */
export const isError = (u: unknown): u is StoreError =>
  Predicate.isTagged(u, "TokenStoreError") || Predicate.isTagged(u, "VersionConflict") ||
  Predicate.isTagged(u, "LeaseUnavailable")

/**
 * The text a store keeps for `tokens` under `key` (`TokenSet.toJson`); fails with
 * `TokenStoreError` (`Unencodable`) when they are not JSON, and nothing is written.
 *
 * @since 0.2.0
 * @category constructors
 */
export const toBlob: (key: string, tokens: TokenSet.TokenSet) => Effect.Effect<string, TokenStoreError> = (key, tokens) =>
  blobStore.toBlob(key, tokens)

/**
 * A token store. See the module documentation for the contract every
 * implementation keeps.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The entry of `key`, `None` when there is none (never written, or deleted). */
  readonly get: (key: string) => Effect.Effect<Option.Option<Entry>, TokenStoreError>

  /**
   * Writes `tokens` when the stored version is `expectedVersion` (`undefined`: no
   * entry) and returns the new version. Fails with {@link VersionConflict}
   * otherwise, writing nothing.
   */
  readonly compareAndSet: (
    key: string,
    expectedVersion: number | undefined,
    tokens: TokenSet.TokenSet
  ) => Effect.Effect<number, VersionConflict | TokenStoreError>

  /**
   * Removes the entry of `key` (its version is kept, so versions never repeat).
   * With `expectedVersion`, only when the stored version is that one
   * ({@link VersionConflict} otherwise); without, unconditionally. Deleting an
   * absent entry without `expectedVersion` succeeds.
   */
  readonly delete: (
    key: string,
    expectedVersion?: number | undefined
  ) => Effect.Effect<void, VersionConflict | TokenStoreError>

  /**
   * Takes the refresh lease of `key` for `ttl`, or fails at once with
   * {@link LeaseUnavailable} when another holder's lease is live. A lease that
   * outlived its `ttl` is taken over. See {@link acquireLeaseWaiting} to wait.
   */
  readonly acquireLease: (
    key: string,
    ttl: Duration.DurationInput
  ) => Effect.Effect<Lease, LeaseUnavailable | TokenStoreError>

  /** Gives the lease back; does nothing when it lapsed and someone else took it. */
  readonly releaseLease: (lease: Lease) => Effect.Effect<void, TokenStoreError>

  /**
   * Optional: starts watching `key` for the life of the scope and returns an
   * effect that completes at the next change of the key's entry or lease seen
   * since the watch started (or since that effect last completed). A process
   * waiting for another holder's lease then re-reads when woken instead of at
   * its next poll; without `watch`, or when a change is missed, waiters poll.
   * A store may wake a waiter for nothing (it re-reads and waits again), so it
   * may coalesce changes or watch more than the key. SQL: PostgreSQL
   * `LISTEN`/`NOTIFY`, SQLite `PRAGMA data_version`.
   */
  readonly watch?: ((key: string) => Effect.Effect<Effect.Effect<void>, TokenStoreError, Scope.Scope>) | undefined
}

/**
 * The service tag.
 *
 * @since 0.1.0
 * @category models
 */
export class TokenStore extends Context.Tag("@effect-oauth/session/TokenStore")<TokenStore, Service>() {}

/**
 * Takes the refresh lease of `key`, polling with `schedule` (by default every
 * 50 ms, doubling up to 1 s) while another holder has it, until `timeout`
 * passes (default: 2 × `ttl`). Fails with the last {@link LeaseUnavailable}.
 *
 * @since 0.1.0
 * @category combinators
 */
export const acquireLeaseWaiting = (
  store: Service,
  key: string,
  options: {
    readonly ttl: Duration.DurationInput
    readonly timeout?: Duration.DurationInput | undefined
    readonly schedule?: Schedule.Schedule<unknown> | undefined
  }
): Effect.Effect<Lease, LeaseUnavailable | TokenStoreError> => lease.acquireWaiting(store, key, options)

/**
 * Runs `self` while holding the refresh lease of `key` (acquired with
 * {@link acquireLeaseWaiting}), releasing it afterwards whatever the outcome.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withLease: {
  (
    key: string,
    options: { readonly ttl: Duration.DurationInput; readonly timeout?: Duration.DurationInput | undefined }
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E | LeaseUnavailable | TokenStoreError, R | TokenStore>
} = (key, options) => (self) => lease.withLease(TokenStore, key, options, self)

/**
 * A store over a backend of blobs (`TokenStoreBackend`): encodes each `TokenSet`
 * as JSON and, with `encryption`, seals it as {@link encrypted} does, bound to its
 * session key, key id and version. Fails with `TokenStoreError` (`open`) for an
 * invalid key; its reads and writes fail as {@link encrypted} describes.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: (
  backend: TokenStoreBackend.Backend,
  options?: { readonly encryption?: EncryptionOptions | undefined } | undefined
) => Effect.Effect<Service, TokenStoreError> = blobStore.make

/**
 * An in-memory store (`make` over `TokenStoreBackend.makeMemory`), for tests and
 * single-process apps that need no persistence. Each call builds a new, empty store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<Service> = Effect.map(
  memoryStore.makeBackend,
  (backend) => blobStore.fromBackend(backend, undefined, false)
)

/**
 * A layer of an in-memory {@link TokenStore}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<TokenStore> = Layer.effect(TokenStore, makeMemory)

/**
 * A store in a directory, for one host (many processes welcome):
 *
 * - one JSON file per key, named by the SHA-256 of the key (any key is safe);
 * - written atomically: a temporary file, `fsync`, then `rename` over the old
 *   one (and an `fsync` of the directory where the platform allows it);
 * - files created with mode `0600`, the directory with `0700`;
 * - compare-and-set under a short per-key write lock, so two processes never
 *   interleave a read and a write;
 * - the refresh lease is a lock file per key, created exclusively with its
 *   owner and expiry inside; a lock past its expiry, or whose holder's process
 *   is gone (Linux), is taken over;
 * - no symbolic link is followed; temporary files left by a crash are removed
 *   on open and on `delete`; a damaged entry is moved aside (one `Corrupt`
 *   error, then the key reads as absent).
 *
 * Fails with `TokenStoreError` (`Io`) when the directory cannot be created.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFileSystem: (
  directory: string
) => Effect.Effect<Service, TokenStoreError, FileSystem.FileSystem> = fileStore.make

/**
 * A layer of a file-system {@link TokenStore} in `directory` (see
 * {@link makeFileSystem}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFileSystem: (
  directory: string
) => Layer.Layer<TokenStore, TokenStoreError, FileSystem.FileSystem> = (directory) =>
  Layer.effect(TokenStore, fileStore.make(directory))

/**
 * A key of {@link encrypted}: 32 random bytes (AES-256) and an id stored beside
 * each ciphertext (`[A-Za-z0-9_-]`, at most 64 characters).
 *
 * @since 0.1.0
 * @category models
 */
export type { EncryptionKey } from "./internal/blobCipher.js"

/**
 * The keys of {@link encrypted} (the first one writes) and which older entries
 * it still reads.
 *
 * @since 0.1.0
 * @category models
 */
export type { EncryptionOptions } from "./internal/blobCipher.js"

/**
 * Wraps any store so that tokens are encrypted at rest: each write stores an
 * envelope `TokenSet` whose only content is the AES-256-GCM ciphertext of the
 * token blob (`v2.<key id>.<version>.<iv>.<ciphertext>`, a fresh 96-bit IV each
 * time), authenticated together with the session key, the key id and the
 * version the entry is written as. Versions, deletes and leases pass through.
 *
 * Fails with `TokenStoreError` (`open`) for a key that is not 32 bytes or a bad
 * or repeated key id. A read fails with `TokenStoreError` `RolledBack` for an
 * older ciphertext restored in place of the current one, and `Corrupt` when the
 * ciphertext was altered, was copied from another session key, names an
 * unknown key id, or the entry is not encrypted — never returning altered tokens.
 *
 * @see https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf
 * @since 0.1.0
 * @category combinators
 */
export const encrypted: {
  (options: EncryptionOptions): (self: Service) => Effect.Effect<Service, TokenStoreError>
  (self: Service, options: EncryptionOptions): Effect.Effect<Service, TokenStoreError>
} = dual(2, (self: Service, options: EncryptionOptions) => encryptedStore.make(self, options))

/**
 * A layer that encrypts the {@link TokenStore} below it (see {@link encrypted}):
 * `TokenStore.layerEncrypted(options).pipe(Layer.provide(SqlTokenStore.layerPg(…)))`.
 *
 * Fails with `TokenStoreError` (`open`) for an invalid key, as {@link encrypted}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerEncrypted = (
  options: EncryptionOptions
): Layer.Layer<TokenStore, TokenStoreError, TokenStore> =>
  Layer.effect(TokenStore, Effect.flatMap(TokenStore, (store) => encryptedStore.make(store, options)))

