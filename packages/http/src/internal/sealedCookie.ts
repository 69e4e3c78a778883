import { Effect, Encoding, Option, Redacted } from "effect"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** @internal */
export interface Sealer {
  readonly seal: (name: string, payload: unknown) => Effect.Effect<string>
  /** `None` when the value was not sealed by this key under this name (tampered, truncated, another app). */
  readonly open: (name: string, value: string) => Effect.Effect<Option.Option<unknown>>
}

/**
 * An AES-256-GCM key derived from the app's secret with HKDF-SHA256. The cookie's
 * name is the additional authenticated data, so a value sealed for one cookie
 * does not open as another.
 *
 * @internal
 */
export const make = (secret: Redacted.Redacted<string | Uint8Array>): Effect.Effect<Sealer> =>
  Effect.gen(function*() {
    const raw = Redacted.value(secret)
    const bytes = typeof raw === "string" ? encoder.encode(raw) : Uint8Array.from(raw)
    const material = yield* Effect.promise(() =>
      crypto.subtle.importKey("raw", bytes, "HKDF", false, ["deriveKey"])
    )
    const key = yield* Effect.promise(() =>
      crypto.subtle.deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: encoder.encode("@effect-oauth/http"), info: encoder.encode("cookie v1") },
        material,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"]
      )
    )
    const seal = (name: string, payload: unknown) =>
      Effect.promise(async () => {
        const iv = crypto.getRandomValues(new Uint8Array(12))
        const sealed = await crypto.subtle.encrypt(
          { name: "AES-GCM", iv, additionalData: encoder.encode(name) },
          key,
          encoder.encode(JSON.stringify(payload))
        )
        const out = new Uint8Array(12 + sealed.byteLength)
        out.set(iv)
        out.set(new Uint8Array(sealed), 12)
        return Encoding.encodeBase64Url(out)
      })
    const open = (name: string, value: string) =>
      Effect.promise(async () => {
        const bytes = Encoding.decodeBase64Url(value)
        if (bytes._tag === "Left" || bytes.right.length < 12 + 16) return Option.none()
        try {
          const plain = await crypto.subtle.decrypt(
            { name: "AES-GCM", iv: Uint8Array.from(bytes.right.subarray(0, 12)), additionalData: encoder.encode(name) },
            key,
            Uint8Array.from(bytes.right.subarray(12))
          )
          return Option.some(JSON.parse(decoder.decode(plain)) as unknown)
        } catch {
          return Option.none()
        }
      })
    return { seal, open }
  })
