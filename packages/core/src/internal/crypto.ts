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
 * Compares two strings without an early exit over their characters. The lengths
 * are compared first: what is compared here (a `state`, a `nonce`) has a length
 * its generator fixes (43 characters for {@link randomToken}), which is public;
 * its characters are what must not leak, and the loop over them always runs to
 * the end. Synchronous: no digest, no trip through the crypto thread pool.
 *
 * @internal
 */
export const timingSafeEqual = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return difference === 0
}
