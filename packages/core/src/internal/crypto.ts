import { Effect, Redacted } from "effect"

const utf8 = new TextEncoder()

/** @internal */
export const base64 = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** @internal */
export const base64url = (bytes: Uint8Array): string =>
  base64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

/** @internal */
export const utf8Bytes = (text: string): Uint8Array => utf8.encode(text)

/** 32 bytes from the platform CSPRNG, base64url without padding (43 characters). @internal */
export const randomToken = (): Effect.Effect<Redacted.Redacted<string>> =>
  Effect.sync(() => Redacted.make(base64url(globalThis.crypto.getRandomValues(new Uint8Array(32)))))

/** @internal */
export const sha256 = (text: string): Effect.Effect<Uint8Array> =>
  Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", utf8.encode(text))).pipe(
    Effect.map((digest) => new Uint8Array(digest))
  )

/**
 * Compares two strings without an early exit. Both sides are hashed first, so the
 * loop always runs over 32 bytes and the length of neither value leaks; what a
 * timing observer could learn is about the digests, which says nothing about the
 * expected value.
 *
 * @internal
 */
export const timingSafeEqual = (a: string, b: string): Effect.Effect<boolean> =>
  Effect.zipWith(sha256(a), sha256(b), (x, y) => {
    let difference = 0
    for (let i = 0; i < x.length; i++) difference |= (x[i] ?? 0) ^ (y[i] ?? 0)
    return difference === 0
  })
