import { TokenSet } from "@effect-oauth/core"
import { Effect, Option, Redacted } from "effect"
// Used inside functions only: the public module imports this one.
import * as TokenStore from "../TokenStore.js"
import * as blobCipher from "./blobCipher.js"

/** The `tokenType` of an envelope: a `TokenSet` that carries another, encrypted. @internal */
export const envelopeType = "effect-oauth/encrypted"

const unencodable = (key: string) =>
  new TokenStore.TokenStoreError({
    reason: "Unencodable",
    operation: "compareAndSet",
    key,
    detail: "the tokens cannot be written as JSON (nested too deep, or not JSON)"
  })

// A store of `TokenSet`s below: the ciphertext travels as the access token of an
// envelope. The version a write will get is one more than the key's last version
// (tombstones included, as the contract numbers them); the ciphertext is bound to
// it. Only the first write over a tombstone this handle did not see can be
// numbered otherwise; it is then sealed again for its real version at once.
/** @internal */
export const make = (
  store: TokenStore.Service,
  options: TokenStore.EncryptionOptions
): Effect.Effect<TokenStore.Service, TokenStore.TokenStoreError> =>
  Effect.gen(function*() {
    const cipher = yield* blobCipher.make(options)
    // The last version of deleted keys, as seen by this handle.
    const tombstones = new Map<string, number>()

    const envelope = (key: string, version: number, plain: string) =>
      Effect.map(
        cipher.seal(key, version, plain),
        (blob) => TokenSet.make({ accessToken: blob, tokenType: envelopeType, issuedAt: 0, scopes: [] })
      )

    const open = (key: string, entry: TokenStore.Entry) =>
      Effect.gen(function*() {
        if (entry.tokens.tokenType !== envelopeType) {
          if (options.acceptPlaintext === true) return entry
          return yield* new TokenStore.TokenStoreError({
            reason: "Corrupt",
            operation: "get",
            key,
            detail: "the entry is not encrypted"
          })
        }
        const plain = yield* cipher.open(key, entry.version, Redacted.value(entry.tokens.accessToken))
        const tokens = yield* TokenSet.fromJson(plain).pipe(
          Effect.mapError((error) =>
            new TokenStore.TokenStoreError({ reason: "Corrupt", operation: "get", key, detail: error.message })
          )
        )
        return { tokens, version: entry.version }
      })

    const compareAndSet = (key: string, expectedVersion: number | undefined, tokens: TokenSet.TokenSet) =>
      Effect.gen(function*() {
        const plain = yield* Effect.try({ try: () => TokenSet.toJson(tokens), catch: () => unencodable(key) })
        const next = (expectedVersion ?? tombstones.get(key) ?? 0) + 1
        const written = yield* store.compareAndSet(key, expectedVersion, yield* envelope(key, next, plain))
        tombstones.delete(key)
        if (written === next) return written
        // Written over a tombstone of another handle: seal for the version that follows.
        const resealed = yield* store.compareAndSet(key, written, yield* envelope(key, written + 1, plain))
        if (resealed === written + 1) return resealed
        return yield* new TokenStore.TokenStoreError({
          reason: "Io",
          operation: "compareAndSet",
          key,
          detail: `the store below numbered a write ${resealed}, not ${written + 1}: it does not keep the contract`
        })
      })

    return TokenStore.TokenStore.of({
      get: (key) =>
        Effect.flatMap(store.get(key), (entry) =>
          Option.match(entry, {
            onNone: () => Effect.succeedNone,
            onSome: (stored) => Effect.map(open(key, stored), Option.some)
          })),
      compareAndSet,
      delete: (key, expectedVersion) =>
        Effect.tap(store.delete(key, expectedVersion), () =>
          Effect.sync(() => {
            if (expectedVersion !== undefined) tombstones.set(key, expectedVersion + 1)
          })),
      acquireLease: store.acquireLease,
      releaseLease: store.releaseLease,
      watch: store.watch
    })
  })
