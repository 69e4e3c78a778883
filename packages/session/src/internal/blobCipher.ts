import { Effect, Either, Encoding, Redacted } from "effect"
import type { Array as Arr } from "effect"
// Used inside functions only: the public module imports this one.
import * as TokenStore from "../TokenStore.js"

// Encryption at rest as a transform of one stored blob (a string) into another.
//
// Format 2, written: `v2.<key id>.<version>.<iv>.<ciphertext>`. The AES-GCM
// additional data binds the ciphertext to the session key, the key id and the
// version the entry is written as, so a ciphertext copied to another key, or an
// older one restored in place of the current one, does not open.
// Format 1, read only on request: `v1.<key id>.<iv>.<ciphertext>`, bound to the
// session key and key id only.

/** @internal */
export interface EncryptionKey {
  readonly id: string
  readonly key: Redacted.Redacted<Uint8Array>
}

/** @internal */
export interface EncryptionOptions {
  /**
   * The first key encrypts every write; every key decrypts. To rotate, put the
   * new key first and keep the old ones until every entry has been rewritten
   * (each refresh rewrites its entry).
   */
  readonly keys: Arr.NonEmptyReadonlyArray<EncryptionKey>
  /**
   * Read entries written before encryption was turned on (they are encrypted on
   * their next write). Default `false`: such an entry is `Corrupt`.
   */
  readonly acceptPlaintext?: boolean | undefined
  /**
   * Read entries of format `v1` (written before 0.2, bound to key and key id but
   * not to the version, so one of them restored from a backup is not caught);
   * each is rewritten as `v2` on its next write. Default `false`: `Corrupt`.
   */
  readonly acceptUnversioned?: boolean | undefined
}

const validId = /^[A-Za-z0-9_-]{1,64}$/
const digits = /^(0|[1-9][0-9]{0,15})$/

/** @internal */
export interface Cipher {
  /** Encrypts `plain` for `key` as it will be stored at `version`. */
  readonly seal: (key: string, version: number, plain: string) => Effect.Effect<string, TokenStore.TokenStoreError>
  /** Decrypts a blob read at `version` of `key`; a blob written for another version is `RolledBack`. */
  readonly open: (key: string, version: number, blob: string) => Effect.Effect<string, TokenStore.TokenStoreError>
}

/** `true` for a blob in one of the encrypted formats (a plaintext blob is JSON). @internal */
export const isSealed = (blob: string): boolean => blob.startsWith("v1.") || blob.startsWith("v2.")

const openError = (detail: string) => new TokenStore.TokenStoreError({ reason: "Io", operation: "open", key: "", detail })

const corrupt = (key: string, detail: string) =>
  new TokenStore.TokenStoreError({ reason: "Corrupt", operation: "get", key, detail })

const encoder = new TextEncoder()

const additionalData1 = (key: string, id: string) => encoder.encode(`effect-oauth/token-store/v1\n${id}\n${key}`)
const additionalData2 = (key: string, id: string, version: number) =>
  encoder.encode(`effect-oauth/token-store/v2\n${id}\n${version}\n${key}`)

/** @internal */
export const make = (options: EncryptionOptions): Effect.Effect<Cipher, TokenStore.TokenStoreError> =>
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

    const seal = (key: string, version: number, plain: string) =>
      Effect.gen(function*() {
        const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
        const sealed = yield* Effect.tryPromise({
          try: () =>
            globalThis.crypto.subtle.encrypt(
              { name: "AES-GCM", iv, additionalData: additionalData2(key, current.id, version) },
              currentKey,
              encoder.encode(plain)
            ),
          catch: () => new TokenStore.TokenStoreError({ reason: "Io", operation: "compareAndSet", key, detail: "encryption failed" })
        })
        return ["v2", current.id, String(version), Encoding.encodeBase64Url(iv), Encoding.encodeBase64Url(new Uint8Array(sealed))]
          .join(".")
      })

    const decrypt = (key: string, id: string, ivText: string, sealedText: string, additionalData: Uint8Array) =>
      Effect.gen(function*() {
        const cryptoKey = keys.get(id)
        if (cryptoKey === undefined) return yield* corrupt(key, `the entry is encrypted with an unknown key "${id}"`)
        const iv = Encoding.decodeBase64Url(ivText)
        const sealed = Encoding.decodeBase64Url(sealedText)
        if (Either.isLeft(iv) || Either.isLeft(sealed)) return yield* corrupt(key, "the encrypted entry is malformed")
        const plain = yield* Effect.tryPromise({
          try: () =>
            globalThis.crypto.subtle.decrypt(
              { name: "AES-GCM", iv: Uint8Array.from(iv.right), additionalData: Uint8Array.from(additionalData) },
              cryptoKey,
              Uint8Array.from(sealed.right)
            ),
          catch: () => corrupt(key, `the entry does not authenticate with key "${id}" (tampered, or another key's entry)`)
        })
        return new TextDecoder().decode(plain)
      })

    const open = (key: string, version: number, blob: string) =>
      Effect.gen(function*() {
        const parts = blob.split(".")
        if (parts[0] === "v1" && parts.length === 4) {
          const [, id, ivText, sealedText] = parts as [string, string, string, string]
          if (options.acceptUnversioned !== true) {
            return yield* corrupt(
              key,
              `the entry is in format v1, which does not bind its version (read it with acceptUnversioned; its next write is in format v2)`
            )
          }
          return yield* decrypt(key, id, ivText, sealedText, additionalData1(key, id))
        }
        if (parts[0] !== "v2" || parts.length !== 5 || !digits.test(parts[2]!)) {
          return yield* corrupt(key, "the encrypted entry is malformed")
        }
        const [, id, writtenText, ivText, sealedText] = parts as [string, string, string, string, string]
        const written = Number(writtenText)
        // Authenticate first: only a genuine ciphertext of this key is called rolled back.
        const plain = yield* decrypt(key, id, ivText, sealedText, additionalData2(key, id, written))
        if (written !== version) {
          return yield* new TokenStore.TokenStoreError({
            reason: "RolledBack",
            operation: "get",
            key,
            detail: `the entry was written as version ${written} but is stored as version ${version} (${
              written < version ? "an older entry restored in place of the current one" : "not the entry written there"
            })`
          })
        }
        return plain
      })

    return { seal, open }
  })
