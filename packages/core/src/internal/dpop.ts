import { Clock, Effect, Redacted } from "effect"
import { calculateJwkThumbprint, exportJWK, SignJWT } from "jose"
import type * as Dpop from "../Dpop.js"
import { ConfigurationError } from "../OAuthError.js"
import { base64url, randomToken, sha256 } from "./crypto.js"

const invalid = (alg: string, detail: string) =>
  new ConfigurationError({ reason: "InvalidCredential", detail: `DPoP key (${alg}): ${detail}` })

const generateParams = (alg: Dpop.Algorithm): RsaHashedKeyGenParams | EcKeyGenParams | Algorithm => {
  switch (alg) {
    case "ES256":
      return { name: "ECDSA", namedCurve: "P-256" }
    case "ES384":
      return { name: "ECDSA", namedCurve: "P-384" }
    case "ES512":
      return { name: "ECDSA", namedCurve: "P-521" }
    case "EdDSA":
    case "Ed25519":
      return { name: "Ed25519" }
    case "RS256":
      return { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
    case "PS256":
      return { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }
  }
}

/** @internal */
export const fromKeyPair = (
  pair: { readonly privateKey: CryptoKey; readonly publicKey: CryptoKey },
  alg: Dpop.Algorithm
): Effect.Effect<Dpop.Key, ConfigurationError> =>
  Effect.gen(function*() {
    if (pair.privateKey.type !== "private") return yield* invalid(alg, "privateKey is not a private key")
    const exported = yield* Effect.tryPromise({
      try: () => exportJWK(pair.publicKey),
      catch: () => invalid(alg, "the public key cannot be exported as a JWK")
    })
    // Only the public members go into proofs (RFC 9449 §4.2: "MUST NOT contain a private key").
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = exported
    // A pair that cannot sign with `alg` is refused here, not at the first request.
    yield* Effect.tryPromise({
      try: () => new SignJWT({}).setProtectedHeader({ alg }).sign(pair.privateKey),
      catch: () => invalid(alg, "the private key cannot sign with this algorithm")
    })
    const thumbprint = yield* Effect.promise(() => calculateJwkThumbprint(publicJwk, "sha256"))
    return { alg, privateKey: pair.privateKey, publicJwk, thumbprint }
  })

/** @internal */
export const generateKey = (alg: Dpop.Algorithm = "ES256"): Effect.Effect<Dpop.Key, ConfigurationError> =>
  Effect.tryPromise({
    try: () => crypto.subtle.generateKey(generateParams(alg), false, ["sign", "verify"]) as Promise<CryptoKeyPair>,
    catch: () => invalid(alg, "this platform cannot generate such a key")
  }).pipe(Effect.flatMap((pair) => fromKeyPair(pair, alg)))

/** @internal */
export const accessTokenHash = (accessToken: Redacted.Redacted<string>): Effect.Effect<string> =>
  Effect.map(sha256(Redacted.value(accessToken)), base64url)

/** `htu`: "The HTTP target URI …, without query and fragment parts" (RFC 9449 §4.2). */
const htu = (url: URL | string): string => {
  const target = new URL(url)
  target.search = ""
  target.hash = ""
  return target.href
}

const originOf = (url: URL | string): string => new URL(url).origin

/** @internal */
export const prover = (key: Dpop.Key): Dpop.Prover => {
  const nonces = new Map<string, string>()
  const nonce = (url: URL | string) => Effect.sync(() => nonces.get(originOf(url)))
  return {
    key,
    nonce,
    remember: (url, headers) =>
      Effect.sync(() => {
        const value = headers["dpop-nonce"]
        if (value !== undefined && value !== "") nonces.set(originOf(url), value)
      }),
    proof: (request) =>
      Effect.gen(function*() {
        const iat = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const jti = Redacted.value(yield* randomToken())
        const serverNonce = request.nonce ?? (yield* nonce(request.url))
        const ath = request.accessToken === undefined ? undefined : yield* accessTokenHash(request.accessToken)
        const jwt = yield* Effect.promise(() =>
          new SignJWT({
            jti,
            htm: request.method.toUpperCase(),
            htu: htu(request.url),
            iat,
            ...(serverNonce === undefined ? {} : { nonce: serverNonce }),
            ...(ath === undefined ? {} : { ath })
          })
            .setProtectedHeader({ typ: "dpop+jwt", alg: key.alg, jwk: key.publicJwk })
            .sign(key.privateKey)
        )
        return Redacted.make(jwt)
      })
  }
}
