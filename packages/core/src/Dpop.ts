/**
 * DPoP, demonstrating proof of possession (RFC 9449): access and refresh tokens
 * bound to a key pair the client holds, so a stolen token is useless without
 * the private key. A {@link Prover} signs a fresh proof JWT for each request
 * and remembers each server's `DPoP-Nonce`.
 *
 * ```ts
 * const key = yield* Dpop.generateKey()                      // ES256, non-extractable
 * const oauth = yield* OAuthClient.make({ provider, client, dpop: key })
 * // token requests carry `DPoP` proofs; tokens come back with token_type DPoP;
 * // AuthorizedHttpClient then sends `Authorization: DPoP …` with a proof (and `ath`).
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449
 * @since 0.1.0
 */
import type { Effect, Redacted } from "effect"
import type { JWK } from "jose"
import * as internal from "./internal/dpop.js"
import type { ConfigurationError } from "./OAuthError.js"

/**
 * Asymmetric JWS algorithms a proof may use (RFC 9449 §4.2: "MUST NOT be none
 * or an identifier for a symmetric algorithm").
 *
 * @since 0.1.0
 * @category models
 */
export type Algorithm = "ES256" | "ES384" | "ES512" | "EdDSA" | "Ed25519" | "RS256" | "PS256"

/**
 * A proof key: the private key (a WebCrypto `CryptoKey`, never printed), its
 * public JWK (sent in every proof's header) and the JWK SHA-256 thumbprint
 * (RFC 7638) that bound tokens carry as `cnf.jkt`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Key {
  readonly alg: Algorithm
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
  readonly thumbprint: string
}

/**
 * What a proof is for: the request's method and URL (`htu` drops query and
 * fragment, RFC 9449 §4.2), and the access token it presents (for `ath`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ProofRequest {
  readonly method: string
  readonly url: URL | string
  readonly accessToken?: Redacted.Redacted<string> | undefined
  /** A server-provided nonce; default: the last one this prover received from that origin. */
  readonly nonce?: string | undefined
}

/**
 * Signs proofs with one key and keeps the latest `DPoP-Nonce` per origin
 * (RFC 9449 §8: "the client MUST use the nonce value provided by the server in
 * the next DPoP proof"). Shared by `OAuthClient` (token requests) and
 * `AuthorizedHttpClient` (resource requests) of one grant.
 *
 * @since 0.1.0
 * @category models
 */
export interface Prover {
  readonly key: Key
  /** A new proof JWT (`typ: dpop+jwt`, `jwk`, `jti`, `htm`, `htu`, `iat`, `nonce`, `ath`). */
  readonly proof: (request: ProofRequest) => Effect.Effect<Redacted.Redacted<string>>
  /** Records the `DPoP-Nonce` header of a response from `url`'s origin, if any. */
  readonly remember: (url: URL | string, headers: Readonly<Record<string, string | undefined>>) => Effect.Effect<void>
  /** The nonce last received from `url`'s origin. */
  readonly nonce: (url: URL | string) => Effect.Effect<string | undefined>
}

/**
 * Generates a non-extractable key pair (default ES256, the algorithm every DPoP
 * server supports).
 *
 * Fails with `ConfigurationError` (`InvalidCredential`) when the platform cannot
 * generate keys of `alg`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 * @since 0.1.0
 * @category constructors
 */
export const generateKey: (alg?: Algorithm | undefined) => Effect.Effect<Key, ConfigurationError> =
  internal.generateKey

/**
 * A key from an existing pair (e.g. kept in a platform key store), with its
 * thumbprint computed.
 *
 * Fails with `ConfigurationError` (`InvalidCredential`) when `privateKey` is not
 * a private key or `publicKey` cannot be exported as a JWK.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromKeyPair: (
  pair: { readonly privateKey: CryptoKey; readonly publicKey: CryptoKey },
  alg: Algorithm
) => Effect.Effect<Key, ConfigurationError> = internal.fromKeyPair

/**
 * A {@link Prover} for `key`, with an empty nonce cache.
 *
 * @since 0.1.0
 * @category constructors
 */
export const prover: (key: Key) => Prover = internal.prover

/**
 * `ath`: base64url SHA-256 of the access token (RFC 9449 §4.2).
 *
 * @since 0.1.0
 * @category combinators
 */
export const accessTokenHash: (accessToken: Redacted.Redacted<string>) => Effect.Effect<string> =
  internal.accessTokenHash
