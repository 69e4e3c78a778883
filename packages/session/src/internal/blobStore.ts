import { TokenSet } from "@effect-oauth/core"
import { Effect, Option } from "effect"
// Used inside functions only: the public modules import this one.
import * as TokenStore from "../TokenStore.js"
import type * as TokenStoreBackend from "../TokenStoreBackend.js"
import * as blobCipher from "./blobCipher.js"

// A `TokenStore` over a backend of blobs: the one place a `TokenSet` becomes a
// string (JSON) and back, with encryption as a transform of that string.

const corrupt = (key: string, detail: string) =>
  new TokenStore.TokenStoreError({ reason: "Corrupt", operation: "get", key, detail })

/** The token blob of `tokens` for `key`, or `Unencodable` (nothing is written then). @internal */
export const toBlob = (key: string, tokens: TokenSet.TokenSet): Effect.Effect<string, TokenStore.TokenStoreError> =>
  Effect.try({
    try: () => TokenSet.toJson(tokens),
    catch: () =>
      new TokenStore.TokenStoreError({
        reason: "Unencodable",
        operation: "compareAndSet",
        key,
        detail: "the tokens cannot be written as JSON (nested too deep, or not JSON)"
      })
  })

// Versions name one state of a key: a writer expecting a live version got it from
// a read or a write of that state.
/** @internal */
export const fromBackend = (
  backend: TokenStoreBackend.Backend,
  cipher: blobCipher.Cipher | undefined,
  acceptPlaintext: boolean
): TokenStore.Service => {
  const encode = (key: string, version: number, tokens: TokenSet.TokenSet) =>
    Effect.flatMap(toBlob(key, tokens), (json) => cipher === undefined ? Effect.succeed(json) : cipher.seal(key, version, json))

  // The last blob read, with its tokens: a session re-reads the same state
  // around a lease and on each wake-up, so one entry saves most decodes without
  // holding anything per key. The same key, version and blob decode to the same
  // tokens (a `TokenSet` is immutable).
  let last: { readonly key: string; readonly version: number; readonly blob: string; readonly tokens: TokenSet.TokenSet } | undefined
  const remember = (key: string, version: number, blob: string, tokens: TokenSet.TokenSet) => {
    last = { key, version, blob, tokens }
    return tokens
  }

  const decode = (key: string, version: number, blob: string) =>
    last !== undefined && last.key === key && last.version === version && last.blob === blob
      ? Effect.succeed(last.tokens)
      : Effect.map(decodeBlob(key, version, blob), (tokens) => remember(key, version, blob, tokens))

  const decodeBlob = (key: string, version: number, blob: string) =>
    Effect.gen(function*() {
      let json = blob
      if (cipher !== undefined) {
        if (blobCipher.isSealed(blob)) json = yield* cipher.open(key, version, blob)
        else if (!acceptPlaintext) return yield* corrupt(key, "the entry is not encrypted")
      } else if (blobCipher.isSealed(blob)) {
        return yield* corrupt(key, "the entry is encrypted and this store has no keys")
      }
      return yield* Effect.mapError(TokenSet.fromJson(json), (error) => corrupt(key, error.message))
    })

  // The live version of `key` after a conflict, for the caller's VersionConflict.
  const conflict = (key: string, expected: number | undefined) =>
    Effect.flatMap(backend.get(key), (slot) => {
      const actual = Option.getOrUndefined(slot)
      return Effect.fail(
        new TokenStore.VersionConflict({
          key,
          ...(expected === undefined ? {} : { expected }),
          ...(actual?.blob === undefined ? {} : { actual: actual.version })
        })
      )
    })

  const compareAndSet = (
    key: string,
    expected: number | undefined,
    tokens: TokenSet.TokenSet,
    attempts = 8
  ): Effect.Effect<number, TokenStore.VersionConflict | TokenStore.TokenStoreError> =>
    Effect.gen(function*() {
      // Expecting no entry: write over the tombstone, if any, by its version.
      const slot = expected === undefined ? Option.getOrUndefined(yield* backend.get(key)) : undefined
      if (slot?.blob !== undefined) return yield* conflict(key, undefined)
      const over = expected ?? slot?.version
      const version = (over ?? 0) + 1
      const blob = yield* encode(key, version, tokens)
      const written = yield* Effect.either(backend.compareAndSet(key, over, blob))
      if (written._tag === "Right") return version
      if (written.left._tag !== "VersionConflict") return yield* written.left
      // Another delete moved the tombstone on: still no entry, so try again.
      if (expected === undefined && attempts > 1) return yield* compareAndSet(key, expected, tokens, attempts - 1)
      return yield* conflict(key, expected)
    })

  return TokenStore.TokenStore.of({
    get: (key) =>
      Effect.flatMap(backend.get(key), (slot) => {
        const found = Option.getOrUndefined(slot)
        if (found?.blob === undefined) return Effect.succeedNone
        return Effect.map(decode(key, found.version, found.blob), (tokens) => Option.some({ tokens, version: found.version }))
      }),
    compareAndSet: (key, expected, tokens) => compareAndSet(key, expected, tokens),
    delete: backend.delete,
    acquireLease: backend.acquireLease,
    releaseLease: backend.releaseLease
  })
}

/** @internal */
export const make = (
  backend: TokenStoreBackend.Backend,
  options?: { readonly encryption?: TokenStore.EncryptionOptions | undefined } | undefined
): Effect.Effect<TokenStore.Service, TokenStore.TokenStoreError> =>
  options?.encryption === undefined
    ? Effect.succeed(fromBackend(backend, undefined, false))
    : Effect.map(
      blobCipher.make(options.encryption),
      (cipher) => fromBackend(backend, cipher, options.encryption?.acceptPlaintext === true)
    )
