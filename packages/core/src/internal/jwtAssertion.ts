import { Clock, Duration, Effect, Redacted } from "effect"
import { importJWK, SignJWT } from "jose"
import type * as JwtAssertion from "../JwtAssertion.js"
import { ConfigurationError } from "../OAuthError.js"
import { randomToken } from "./crypto.js"

const defaultLifetime = Duration.seconds(60)

const invalid = (alg: string, what: string) =>
  new ConfigurationError({ reason: "InvalidCredential", detail: `the assertion key cannot sign with ${alg}: ${what}` })

// jose's messages may quote header or claim values, never key material; only
// its error code (`ERR_JOSE_NOT_SUPPORTED`, …) or the error name is kept.
const describe = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const code = (error as { code?: unknown }).code
    if (typeof code === "string") return code
    const name = (error as { name?: unknown }).name
    if (typeof name === "string") return name
  }
  return "unknown error"
}

/** @internal */
export const keyOf = (
  key: JwtAssertion.SigningKey
): Effect.Effect<CryptoKey | Uint8Array, ConfigurationError> => {
  const material = key.key
  const imported = Redacted.isRedacted(material)
    ? Effect.tryPromise({
      try: () => importJWK({ ...Redacted.value(material) }, key.alg),
      catch: (error) => invalid(key.alg, describe(error))
    })
    : Effect.succeed(material)
  // A public key imports fine and fails only when it signs: refuse it up front.
  return Effect.filterOrFail(
    imported,
    (imported) => imported instanceof Uint8Array || imported.type !== "public",
    () => invalid(key.alg, "it is a public key; sign with the private key and register the public one")
  )
}

/** @internal */
export const signWith = (
  key: CryptoKey | Uint8Array,
  alg: string,
  kid: string | undefined,
  options: Omit<JwtAssertion.SignOptions, "key">
): Effect.Effect<Redacted.Redacted<string>, ConfigurationError> =>
  Effect.gen(function*() {
    const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const lifetime = Math.max(1, Math.round(Duration.toSeconds(options.lifetime ?? defaultLifetime)))
    const jti = Redacted.value(yield* randomToken())
    const audience = typeof options.audience === "string" ? options.audience : [...options.audience]
    const jwt = yield* Effect.tryPromise({
      try: () =>
        new SignJWT({ ...options.claims })
          .setProtectedHeader({ alg, typ: "JWT", ...(kid === undefined ? {} : { kid }) })
          .setIssuer(options.issuer)
          .setSubject(options.subject)
          .setAudience(audience)
          .setIssuedAt(now)
          .setExpirationTime(now + lifetime)
          .setJti(jti)
          .sign(key),
      catch: (error) => invalid(alg, describe(error))
    })
    return Redacted.make(jwt)
  })

/** @internal */
export const sign = (options: JwtAssertion.SignOptions): Effect.Effect<Redacted.Redacted<string>, ConfigurationError> =>
  Effect.flatMap(keyOf(options.key), (key) => signWith(key, options.key.alg, options.key.kid, options))
