/**
 * The behaviour every `TokenStore` keeps, as a vitest suite a store package runs
 * against its own layer (as Effect's `KeyValueStore` test suite is run against
 * each of its layers). It is imported from its own path, not from the package
 * index, because it loads vitest (which only runs inside a vitest run):
 *
 * ```ts
 * import * as TokenStoreContract from "@effect-oauth/testing/TokenStoreContract"
 *
 * TokenStoreContract.suite("layerMemory", TokenStore.layerMemory)
 * TokenStoreContract.suite("layerFileSystem", Effect.gen(function*() {
 *   // two stores on one directory: what two processes see
 *   return [yield* TokenStore.makeFileSystem(dir), yield* TokenStore.makeFileSystem(dir)] as const
 * }))
 * ```
 *
 * The suite checks reads, compare-and-set (stale versions, absent entries, many
 * concurrent writers of one version), deletes and version growth across them
 * (one by one, so that an encrypted store can bind the version it writes),
 * lossless storage of every `TokenSet` field, keys of any characters, the
 * refresh lease (one holder, release, time to live and takeover by exactly one of
 * many, a lapsed holder unable to release its successor's lease) and the waiting
 * combinator, and a property over random sequences of writes and deletes
 * checked against a model.
 *
 * @since 0.1.0
 */
import type { TokenStore } from "@effect-oauth/session"
import type { Effect, Layer, Scope } from "effect"
import * as internal from "./internal/tokenStoreContract.js"

/**
 * Two handles on one storage: `store` and `sibling` (another connection, another
 * process's view; for a store without that notion, the same handle twice).
 * Each run of the effect must give a fresh, empty storage; the scope closes it.
 *
 * @since 0.1.0
 * @category testing
 */
export type MakeStores<E = never> = Effect.Effect<
  readonly [store: TokenStore.Service, sibling: TokenStore.Service],
  E,
  Scope.Scope
>

/**
 * @since 0.1.0
 * @category testing
 */
export interface Options {
  /** Runs of the model property (each builds a fresh storage). Default 25. */
  readonly propertyRuns?: number | undefined
  /** Per-test timeout in ms. Default 30 000. */
  readonly timeout?: number | undefined
}

/**
 * Declares `describe("TokenStore / <name>")` with the contract's tests, each
 * building its stores with `stores`: two handles on one fresh storage, or a
 * layer (built once per test, its store used as both handles). Lease times are
 * read from Effect's `Clock` (several tests move a `TestClock`), so a store must
 * take lease times from the caller's `Clock`.
 *
 * @since 0.1.0
 * @category testing
 */
export const suite: <E>(
  name: string,
  stores: MakeStores<E> | Layer.Layer<TokenStore.TokenStore, E>,
  options?: Options | undefined
) => void = internal.suite
