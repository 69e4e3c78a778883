/**
 * OpenID Connect ID tokens: the claims a validated token carries, the issuer's
 * signing keys (its JWKS, cached, refetched once when a token names a key it does
 * not hold), and the validation of OpenID Connect Core §3.1.3.7 (and §12.2 for a
 * token from a refresh). Signatures are verified with `jose`.
 *
 * `OAuthClient` validates every ID token it receives with these when the
 * provider has an `issuer` and a `jwks_uri`; the claims land on the `TokenSet`
 * as `idTokenClaims`, redacted (read them with `TokenSet.claims`).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @since 0.1.0
 */
import type { HttpClient } from "@effect/platform"
import { Schema } from "effect"
import type { Duration, Effect, Redacted } from "effect"
import * as internal from "./internal/idToken.js"
import type { ConfigurationError, IdTokenInvalid, TransportError } from "./OAuthError.js"

/**
 * The claims of a validated ID token (OpenID Connect Core §2), with their JWT
 * names: the required `iss`, `sub`, `aud`, `exp`, `iat` (seconds since the
 * epoch), the optional `nonce`, `azp`, `auth_time`, and every other claim the
 * token carries (`email`, `name`, …).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @since 0.1.0
 * @category models
 */
export const Claims = Schema.Struct(
  {
    iss: Schema.String,
    sub: Schema.String,
    aud: Schema.Union(Schema.String, Schema.Array(Schema.String)),
    exp: Schema.Number,
    iat: Schema.Number,
    nonce: Schema.optional(Schema.String),
    azp: Schema.optional(Schema.String),
    auth_time: Schema.optional(Schema.Number)
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * @since 0.1.0
 * @category models
 */
export interface Claims extends Schema.Schema.Type<typeof Claims> {}

/**
 * A JSON Web Key as a JWKS holds it (RFC 7517 §4): the fields key selection
 * reads, plus the key material.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 * @since 0.1.0
 * @category models
 */
export interface Jwk {
  readonly kty: string
  readonly kid?: string | undefined
  readonly use?: string | undefined
  readonly alg?: string | undefined
  readonly crv?: string | undefined
  readonly key_ops?: ReadonlyArray<string> | undefined
  readonly [parameter: string]: unknown
}

/**
 * The verification keys of an issuer. `keys(false)` may answer from a cache;
 * `keys(true)` asks for a fresh copy (a key set may refuse, within its cooldown).
 *
 * @since 0.1.0
 * @category models
 */
export interface KeySet {
  readonly keys: (refresh: boolean) => Effect.Effect<ReadonlyArray<Jwk>, TransportError | ConfigurationError>
}

/**
 * Options of {@link remoteKeySet}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteKeySetOptions {
  /**
   * Shortest time between two fetches caused by an unknown `kid`: a stream of
   * tokens naming made-up keys cannot make the client hammer the issuer.
   * Default 30 seconds.
   */
  readonly cooldown?: Duration.DurationInput | undefined
  /** How long a fetched key set is used before it is fetched again. Default 10 minutes. */
  readonly cacheLifetime?: Duration.DurationInput | undefined
  /** Timeout of the request. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Largest JWKS document read. Default 1 MiB. */
  readonly maxResponseBytes?: number | undefined
}

/**
 * The key set at an issuer's `jwks_uri` (OpenID Connect Discovery §3; RFC 7517
 * §5): fetched on first use, then cached for `cacheLifetime`; fetched again on
 * demand (an unknown `kid`) at most once per cooldown, counted from the last such
 * fetch. Imported keys are cached with their set. Concurrent callers share one fetch. Same
 * request rules as every other call: `https:` (plain `http:` on loopback only),
 * no redirects, a timeout and a size cap.
 *
 * Fails with `ConfigurationError` for an unusable URL; a fetch fails with
 * `TransportError` or `ConfigurationError` (`InvalidMetadata`: not a JWKS).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 * @since 0.1.0
 * @category constructors
 */
export const remoteKeySet: (
  jwksUri: string,
  options?: RemoteKeySetOptions | undefined
) => Effect.Effect<KeySet, ConfigurationError, HttpClient.HttpClient> = internal.remoteKeySet

/**
 * A fixed key set (keys configured out of band, tests).
 *
 * @since 0.1.0
 * @category constructors
 */
export const localKeySet: (jwks: { readonly keys: ReadonlyArray<Jwk> }) => KeySet = internal.localKeySet

/**
 * What an ID token is checked against.
 *
 * @since 0.1.0
 * @category models
 */
export interface ValidateOptions {
  /** The issuer identifier: `iss` must equal it exactly. */
  readonly issuer: string
  /** The client's `client_id`: `aud` must contain it (and `azp`, when present or when `aud` has several values, equal it). */
  readonly clientId: string
  readonly keys: KeySet
  /**
   * Signing algorithms accepted (`alg`). Default `["RS256"]`, the OpenID Connect
   * default. `none` is refused whatever this says; symmetric `HS*` algorithms are
   * not supported.
   */
  readonly algorithms?: ReadonlyArray<string> | undefined
  /** The `nonce` sent with the authorization request: the claim must equal it. */
  readonly nonce?: Redacted.Redacted<string> | undefined
  /** Tolerated clock difference for `exp`, `iat` and `nbf`. Default 60 seconds. */
  readonly clockSkew?: Duration.DurationInput | undefined
  /**
   * The claims of the ID token issued at authentication, for a token from a
   * refresh (OpenID Connect Core §12.2): `iss`, `sub` and `aud` must be the same.
   */
  readonly previous?: Claims | undefined
  /**
   * Audiences besides `clientId` the client trusts in `aud`. Default none: an ID
   * token naming another audience is refused (OpenID Connect Core §3.1.3.7 (3)).
   */
  readonly trustedAudiences?: ReadonlyArray<string> | undefined
  /**
   * The `max_age` sent with the authentication request: `auth_time` must then be
   * present and no older (§3.1.3.7 (13)).
   */
  readonly maxAge?: Duration.DurationInput | undefined
}

/**
 * Validates an ID token and returns its claims, in this order (OpenID Connect
 * Core §3.1.3.7): a compact JWS with three parts; `alg` not `none` and among the
 * allowed algorithms; the key named by `kid` (or the only key of the right type)
 * found in the key set, refetched once when absent; the signature; then `iss`,
 * `aud`, `azp`, `exp`, `iat`, `nbf` (with the clock skew, time from Effect's
 * `Clock`), `nonce` (compared in constant time), `auth_time` with `maxAge`, and,
 * for a refresh, `iss`/`sub`/`aud`/`azp`/`auth_time` (and a present `nonce`)
 * against `previous` (§12.2). `sub` must be 1 to 255 ASCII characters; an `aud`
 * naming an audience not trusted is refused; a JWT access token (`typ` `at+jwt`,
 * RFC 9068) is refused. No claim is read before the signature is verified.
 *
 * Fails with `IdTokenInvalid` (its `reason` says which check), and with the key
 * set's `TransportError` / `ConfigurationError`.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
 * @since 0.1.0
 * @category parsing
 */
export const validate: (
  idToken: Redacted.Redacted<string>,
  options: ValidateOptions
) => Effect.Effect<Claims, IdTokenInvalid | TransportError | ConfigurationError> = internal.validate
