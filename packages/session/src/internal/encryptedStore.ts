import { TokenSet } from "@effect-oauth/core"
import { Effect, Either, Encoding, Option, Redacted } from "effect"
// Used inside functions only: the public module imports this one.
import * as TokenStore from "../TokenStore.js"

/** The `tokenType` of an envelope: a `TokenSet` that carries another, encrypted. @internal */
export const envelopeType = "effect-oauth/encrypted"

const format = "v1"
const validId = /^[A-Za-z0-9_-]{1,64}$/

const openError = (detail: string) => new TokenStore.TokenStoreError({ reason: "Io", operation: "open", key: "", detail })

const corrupt = (operation: TokenStore.Operation, key: string, detail: string) =>
  new TokenStore.TokenStoreError({ reason: "Corrupt", operation, key, detail })

// The additional data binds a ciphertext to its session key and key id: an entry
// copied to another key does not authenticate there.
const additionalData = (key: string, id: string) => new TextEncoder().encode(`effect-oauth/token-store/${format}\n${id}\n${key}`)

/** @internal */
export const make = (
  store: TokenStore.Service,
  options: TokenStore.EncryptionOptions
): Effect.Effect<TokenStore.Service, TokenStore.TokenStoreError> =>
  Effect.gen(function*() {
    const keys = new Map<string, CryptoKey>()
    for (const { id, key } of options.keys) {
      if (!validId.test(id)) return yield* openError(`the key id must match ${validId.source}`)
      if (keys.has(id)) return yield* openError(`the key id "${id}" is given twice`)
      const bytes = Redacted.value(key)
      if (bytes.byteLength !== 32) return yield* openError(`the key "${id}" must be 32 bytes (AES-256), not ${bytes.byteLength}`)
      const imported = yield* Effect.tryPromise({
        try: () => globalThis.crypto.subtle.importKey("raw", Uint8Array.from(bytes), "AES-GCM", false, ["encrypt", "decrypt"]),
        catch: () => openError(`the key "${id}" cannot be imported`)
      })
      keys.set(id, imported)
    }
    const [current] = options.keys
    const currentKey = keys.get(current.id)!

    const seal = (key: string, tokens: TokenSet.TokenSet) =>
      Effect.gen(function*() {
        const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
        const plain = yield* Effect.try({
          try: () => new TextEncoder().encode(TokenSet.toJson(tokens)),
          catch: () =>
            new TokenStore.TokenStoreError({
              reason: "Unencodable",
              operation: "compareAndSet",
              key,
              detail: "the tokens cannot be written as JSON (nested too deep, or not JSON)"
            })
        })
        const sealed = yield* Effect.tryPromise({
          try: () =>
            globalThis.crypto.subtle.encrypt(
              { name: "AES-GCM", iv, additionalData: additionalData(key, current.id) },
              currentKey,
              plain
            ),
          catch: () => new TokenStore.TokenStoreError({ reason: "Io", operation: "compareAndSet", key, detail: "encryption failed" })
        })
        const blob = [format, current.id, Encoding.encodeBase64Url(iv), Encoding.encodeBase64Url(new Uint8Array(sealed))].join(".")
        return TokenSet.make({ accessToken: blob, tokenType: envelopeType, issuedAt: 0, scopes: [] })
      })

    const open = (key: string, entry: TokenStore.Entry) =>
      Effect.gen(function*() {
        const stored = entry.tokens
        if (stored.tokenType !== envelopeType) {
          if (options.acceptPlaintext === true) return entry
          return yield* corrupt("get", key, "the entry is not encrypted")
        }
        const [version, id, ivText, sealedText, ...rest] = Redacted.value(stored.accessToken).split(".")
        if (version !== format || id === undefined || ivText === undefined || sealedText === undefined || rest.length > 0) {
          return yield* corrupt("get", key, "the encrypted entry is malformed")
        }
        const cryptoKey = keys.get(id)
        if (cryptoKey === undefined) return yield* corrupt("get", key, `the entry is encrypted with an unknown key "${id}"`)
        const iv = Encoding.decodeBase64Url(ivText)
        const sealed = Encoding.decodeBase64Url(sealedText)
        if (Either.isLeft(iv) || Either.isLeft(sealed)) return yield* corrupt("get", key, "the encrypted entry is malformed")
        const plain = yield* Effect.tryPromise({
          try: () =>
            globalThis.crypto.subtle.decrypt(
              { name: "AES-GCM", iv: Uint8Array.from(iv.right), additionalData: additionalData(key, id) },
              cryptoKey,
              Uint8Array.from(sealed.right)
            ),
          catch: () => corrupt("get", key, `the entry does not authenticate with key "${id}" (tampered, or another key's entry)`)
        })
        const tokens = yield* TokenSet.fromJson(new TextDecoder().decode(plain)).pipe(
          Effect.mapError((error) => corrupt("get", key, error.message))
        )
        return { tokens, version: entry.version }
      })

    return TokenStore.TokenStore.of({
      get: (key) =>
        Effect.flatMap(store.get(key), (entry) =>
          Option.match(entry, {
            onNone: () => Effect.succeedNone,
            onSome: (stored) => Effect.map(open(key, stored), Option.some)
          })),
      compareAndSet: (key, expectedVersion, tokens) =>
        Effect.flatMap(seal(key, tokens), (sealed) => store.compareAndSet(key, expectedVersion, sealed)),
      delete: store.delete,
      acquireLease: store.acquireLease,
      releaseLease: store.releaseLease,
      awaitChange: store.awaitChange
    })
  })
