/**
 * JSON Web Token assertions (RFC 7523) signed by the client: the credential of
 * `private_key_jwt` and `client_secret_jwt` client authentication (RFC 7523 §2.2,
 * OpenID Connect Core §9) and of the JWT bearer authorization grant (RFC 7523 §2.1,
 * `OAuthClient.jwtBearer`).
 *
 * ```ts
 * const key: JwtAssertion.SigningKey = { key: Redacted.make(privateJwk), alg: "ES256", kid: "k1" }
 * const assertion = yield* JwtAssertion.sign({ key, issuer: "svc", subject: "alice", audience: issuer })
 * const tokens = yield* client.jwtBearer(assertion)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523
 * @since 0.1.0
 */
import type { Duration, Effect, Redacted } from "effect"
import * as internal from "./internal/jwtAssertion.js"
import type { ConfigurationError } from "./OAuthError.js"

/**
 * JWS algorithms an assertion may be signed with: asymmetric ones for a private
 * key, `HS*` for a shared secret (`client_secret_jwt`). `none` is not among them.
 *
 * @since 0.1.0
 * @category models
 */
export type Algorithm =
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "PS512"
  | "ES256"
  | "ES384"
  | "ES512"
  | "EdDSA"
  | "Ed25519"
  | "HS256"
  | "HS384"
  | "HS512"

/**
 * A key that signs assertions: a WebCrypto `CryptoKey` (not extractable is
 * fine) or a private JWK, kept `Redacted` so it never prints. `kid` goes into
 * the JWS header so the server picks the right key of the client's JWKS.
 *
 * @since 0.1.0
 * @category models
 */
export interface SigningKey {
  readonly key: CryptoKey | Redacted.Redacted<JsonWebKey>
  readonly alg: Algorithm
  readonly kid?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SignOptions {
  readonly key: SigningKey
  /** `iss`: who issued the assertion (the client id for client authentication). */
  readonly issuer: string
  /** `sub`: the principal (the client id for client authentication, a user for the grant). */
  readonly subject: string
  /** `aud`: the authorization server, by its issuer identifier or token endpoint URL (RFC 7523 §3). */
  readonly audience: string | ReadonlyArray<string>
  /** Time until `exp`. Default 60 seconds: long enough for clock skew, short enough to limit replay. */
  readonly lifetime?: Duration.DurationInput | undefined
  /** More claims; the registered ones above win over any of the same name. */
  readonly claims?: Readonly<Record<string, unknown>> | undefined
}

/**
 * Signs an assertion with `iss`, `sub`, `aud`, `exp`, `iat` and a random `jti`
 * (RFC 7523 §3), the times from Effect's `Clock`. The result is `Redacted`: it
 * is a bearer credential until it expires.
 *
 * Fails with `ConfigurationError` (`InvalidCredential`) when the key cannot sign
 * with `alg` (a public key, a key of another type); the message names the
 * algorithm, never the key.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 * @since 0.1.0
 * @category constructors
 */
export const sign: (options: SignOptions) => Effect.Effect<Redacted.Redacted<string>, ConfigurationError> =
  internal.sign

/**
 * The `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2).
 *
 * @since 0.1.0
 * @category models
 */
export const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

/**
 * The `grant_type` of the JWT bearer authorization grant (RFC 7523 §2.1).
 *
 * @since 0.1.0
 * @category models
 */
export const jwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"
