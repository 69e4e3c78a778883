/**
 * The option and request types of `OAuthClient`, re-exported there.
 */
import type { Duration, Effect, Redacted } from "effect"
import type * as Dpop from "../../Dpop.js"
import type * as IdToken from "../../IdToken.js"
import type { SigningKey } from "../../JwtAssertion.js"
import type { ClientAuthMethod, Provider } from "../../Provider.js"
import type { TokenSet } from "../../TokenSet.js"

/**
 * The client's registration at the provider.
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  readonly clientId: string
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  /** The registered redirect URI, sent exactly as registered (RFC 9700 §4.1.3). */
  readonly redirectUri?: string | undefined
  /**
   * Default: `private_key_jwt` with a `signingKey`; else, with a secret,
   * `client_secret_basic` (the RFC 8414 §2 default), or `client_secret_post` when
   * the provider's `tokenEndpointAuthMethodsSupported` lists it but not
   * `client_secret_basic` (Facebook and GitHub document only credentials in the
   * request); else `none`.
   */
  readonly authMethod?: ClientAuthMethod | undefined
  /**
   * The private key of `private_key_jwt` (RFC 7523 §2.2); its public half is in
   * the client's registered JWKS. Each request carries a fresh assertion.
   */
  readonly signingKey?: SigningKey | undefined
  /** The MAC algorithm of `client_secret_jwt`. Default `HS256`. */
  readonly secretJwtAlg?: "HS256" | "HS384" | "HS512" | undefined
  /** Scopes requested when a call names none (else the provider's `defaultScopes`). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /**
   * Resource indicators (RFC 8707) requested when a call names none: sent as
   * `resource` in authorization requests and in every token request (code,
   * refresh, client credentials), so the access tokens are meant for them.
   */
  readonly resource?: string | ReadonlyArray<string> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly provider: Provider
  readonly client: Client
  /** Timeout of each request. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Largest response body read. Default 1 MiB. */
  readonly maxResponseBytes?: number | undefined
  /**
   * Send the current trace context (`traceparent`, `b3`) to the authorization
   * server. Default `false`: the server is another party's.
   */
  readonly tracePropagation?: boolean | undefined
  /** How ID tokens are validated (OpenID Connect Core §3.1.3.7). */
  readonly idToken?: IdTokenOptions | undefined
  /**
   * Grants RFC 9700 deprecates, enabled one by one for servers that offer nothing
   * else: `"password"` (§2.4: "MUST NOT be used") and `"implicit"` (§2.1.2:
   * "SHOULD NOT"). Default none: `password` and `implicitAuthorizationUrl` fail
   * with `ConfigurationError` (`Unsupported`).
   */
  readonly legacyGrants?: ReadonlyArray<"password" | "implicit"> | undefined
  /**
   * Bind tokens to this key with DPoP (RFC 9449): every token request carries a
   * proof, a `use_dpop_nonce` error is retried once with the server's nonce, and
   * the refresh of a bound grant is proven with the same key. Resource requests
   * use the same key through {@link Service.dpop} (`AuthorizedHttpClient` does).
   */
  readonly dpop?: Dpop.Key | undefined
}

/**
 * ID token validation settings. Every ID token of a code exchange, a refresh or
 * a device authorization is validated when the provider has an `issuer` and a
 * `jwks_uri` (or `keys` is given); with `openid` requested, a missing or
 * unverifiable ID token is a failure. Other grants leave an ID token unchecked,
 * without `idTokenClaims`.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @since 0.1.0
 * @category models
 */
export interface IdTokenOptions {
  /**
   * Accepted `alg` values. Default: the provider's
   * `id_token_signing_alg_values_supported`, else `RS256`. `none` is always refused.
   */
  readonly algorithms?: ReadonlyArray<string> | undefined
  /** Tolerated clock difference for `exp`, `iat`, `nbf`. Default 60 seconds. */
  readonly clockSkew?: Duration.DurationInput | undefined
  /** The issuer's keys. Default: `IdToken.remoteKeySet(provider.jwksUri)`. */
  readonly keys?: IdToken.KeySet | undefined
  /** Shortest time between two JWKS fetches caused by an unknown `kid`. Default 30 seconds. */
  readonly jwksRefetchCooldown?: Duration.DurationInput | undefined
  /**
   * Audiences besides the client's own that may appear in `aud`. Default none: an
   * ID token naming another audience is refused (OpenID Connect Core §3.1.3.7 (3)).
   */
  readonly trustedAudiences?: ReadonlyArray<string> | undefined
}

/**
 * A userinfo response (OpenID Connect Core §5.3.2): `sub` plus the claims the
 * granted scopes release.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @since 0.1.0
 * @category models
 */
export interface UserInfo {
  readonly sub: string
  readonly [claim: string]: unknown
}

/**
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationUrlOptions {
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly redirectUri?: string | undefined
  /** Extra query parameters (`access_type=offline`, `prompt=consent`, `login_hint`, …). */
  readonly params?: Readonly<Record<string, string>> | undefined
  /** Add an OpenID Connect `nonce`. Default: when `openid` is among the scopes. */
  readonly nonce?: boolean | undefined
  /** Resource indicators (RFC 8707 §2.1), else the client's `resource`. */
  readonly resource?: string | ReadonlyArray<string> | undefined
  /**
   * Push the request first (RFC 9126): the parameters go to the server's
   * `pushed_authorization_request_endpoint` with client authentication, and the
   * URL carries only `client_id` and the `request_uri` it returns. Default: when
   * the provider has that endpoint. `false` is refused when the provider requires
   * pushed requests; `true` without the endpoint is a `ConfigurationError`.
   */
  readonly pushed?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface GrantOptions {
  /** Scopes sent as `scope` (and assumed granted when the response omits `scope`). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Extra body parameters (`audience`, …). */
  readonly params?: Readonly<Record<string, string>> | undefined
  /** Resource indicators (RFC 8707 §2.2), else the client's `resource`. */
  readonly resource?: string | ReadonlyArray<string> | undefined
}

/**
 * A token exchange request (RFC 8693 §2.1): the token to exchange (`subject`),
 * optionally the party acting for it (`actor`), and what is wanted back.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 * @since 0.1.0
 * @category models
 */
export interface TokenExchangeRequest {
  readonly subjectToken: Redacted.Redacted<string>
  /** A {@link TokenTypeUri} or another absolute URI the server knows. */
  readonly subjectTokenType: string
  readonly actorToken?: Redacted.Redacted<string> | undefined
  /** Required with `actorToken` (RFC 8693 §2.1). */
  readonly actorTokenType?: string | undefined
  readonly requestedTokenType?: string | undefined
  /** Where the token will be used: absolute URIs, each sent as a `resource` parameter (RFC 8707). */
  readonly resource?: string | ReadonlyArray<string> | undefined
  /** Logical names of the target services, each sent as an `audience` parameter. */
  readonly audience?: string | ReadonlyArray<string> | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The answer to a token exchange: the issued token as a `TokenSet` (its access
 * token is the issued token, whatever its type; `tokenType` is `N_A` when it is
 * not an access token) and its `issued_token_type` (RFC 8693 §2.2.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.2.1
 * @since 0.1.0
 * @category models
 */
export interface ExchangedToken {
  readonly tokens: TokenSet
  readonly issuedTokenType: string
}

/**
 * The resource owner's credentials of the password grant (RFC 6749 §4.3).
 *
 * @since 0.1.0
 * @category models
 */
export interface PasswordCredentials {
  readonly username: string
  readonly password: Redacted.Redacted<string>
}

/**
 * One unsuccessful poll of the token endpoint, reported by `pollDeviceToken`'s
 * `onPoll`: the `outcome` (`authorization_pending`, `slow_down`, or
 * `transient` for a network failure or a 5xx/429 answer, after which polling
 * backs off) and the seconds until the next poll.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category models
 */
export interface DevicePoll {
  /** 1 for the first poll. */
  readonly attempt: number
  readonly outcome: "authorization_pending" | "slow_down" | "transient"
  /** Seconds until the next poll. */
  readonly interval: number
}

/**
 * Options of `pollDeviceToken`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @since 0.1.0
 * @category models
 */
export interface PollOptions {
  /** Runs after each poll that did not end the flow (progress for the user). */
  readonly onPoll?: ((poll: DevicePoll) => Effect.Effect<void>) | undefined
}

/**
 * A request to one of a provider's own endpoints outside the token endpoint, such
 * as a token-validation endpoint (Google's `tokeninfo`, the Graph API's
 * `debug_token`).
 *
 * @since 0.1.0
 * @category models
 */
export interface EndpointRequest {
  readonly method: "GET" | "POST"
  readonly url: string
  /** Sent as the query string (GET) or as an `application/x-www-form-urlencoded` body (POST). */
  readonly params?: Readonly<Record<string, string>> | undefined
  /** Extra headers; `Accept: application/json` is sent unless replaced. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Timeout of the request. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Largest response body read. Default 1 MiB. */
  readonly maxResponseBytes?: number | undefined
}

/**
 * A response as read by {@link request}: the status, the headers (lowercase
 * names) and the whole body. It is a `TokenResponse.RawResponse`, so an error
 * body can go through `TokenResponse.parse` with the provider's quirks.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndpointResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}
