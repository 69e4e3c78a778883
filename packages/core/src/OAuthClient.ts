/**
 * The OAuth 2.0 client of one provider: authorization URLs and every grant, over
 * `HttpClient.HttpClient`. Stateless: it holds configuration, never tokens.
 *
 * Every token request is a POST (or the provider's method) that never follows a
 * redirect, has a timeout and a response size cap, refuses plain `http:` except
 * for loopback hosts, and goes through `TokenResponse.parse`.
 *
 * Redirects: any 3xx answer is a `TransportError` (`Redirect`), whatever
 * `HttpClient` is provided (do not wrap it in `HttpClient.followRedirects`). With
 * `FetchHttpClient`, each request runs with `redirect: "manual"` merged into the
 * `FetchHttpClient.RequestInit` of the calling context, so `fetch` itself never
 * re-sends a form or an `Authorization` header to another URL; a `RequestInit`
 * given only to the layer is replaced for these requests, so provide it in the
 * context of the calls instead.
 *
 * Spans: `OAuthClient.<method>` with the provider name and grant type as
 * attributes, never a credential. When a provider takes token requests as GET
 * (credentials in the query string), the platform's HTTP span, whose attributes
 * hold the full URL, is not recorded.
 *
 * @since 0.1.0
 */
import type { HttpClient } from "@effect/platform"
import { Context, Schema } from "effect"
import type { Duration, Effect, Layer, Redacted } from "effect"
import type { AuthorizationRequest, AuthorizationResponse } from "./Callback.js"
import type * as IdToken from "./IdToken.js"
import * as internal from "./internal/oauthClient.js"
import type {
  ConfigurationError,
  DevicePollError,
  IdTokenInvalid,
  InvalidTokenResponse,
  OAuthError,
  TokenEndpointError,
  TransportError
} from "./OAuthError.js"
import type * as Dpop from "./Dpop.js"
import type { SigningKey } from "./JwtAssertion.js"
import type { ClientAuthMethod, Provider } from "./Provider.js"
import type { TokenSet } from "./TokenSet.js"

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
 * Token type identifiers of RFC 8693 §3, for `subject_token_type`,
 * `actor_token_type`, `requested_token_type` and `issued_token_type`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 * @since 0.1.0
 * @category models
 */
export const TokenTypeUri = {
  accessToken: "urn:ietf:params:oauth:token-type:access_token",
  refreshToken: "urn:ietf:params:oauth:token-type:refresh_token",
  idToken: "urn:ietf:params:oauth:token-type:id_token",
  saml1: "urn:ietf:params:oauth:token-type:saml1",
  saml2: "urn:ietf:params:oauth:token-type:saml2",
  jwt: "urn:ietf:params:oauth:token-type:jwt"
} as const

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
 * An RFC 7662 introspection response.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 * @since 0.1.0
 * @category models
 */
export class Introspection extends Schema.Class<Introspection>("@effect-oauth/core/Introspection")({
  active: Schema.Boolean,
  scopes: Schema.Array(Schema.String),
  clientId: Schema.optional(Schema.String),
  username: Schema.optional(Schema.String),
  tokenType: Schema.optional(Schema.String),
  /** Epoch ms. */
  expiresAt: Schema.optional(Schema.Number),
  /** Epoch ms. */
  issuedAt: Schema.optional(Schema.Number),
  subject: Schema.optional(Schema.String),
  audience: Schema.Array(Schema.String),
  issuer: Schema.optional(Schema.String),
  extra: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * A device authorization response (RFC 8628 §3.2): what the device shows the
 * user (`userCode`, `verificationUri`, `verificationUriComplete`) and what it
 * polls with (`deviceCode`, kept `Redacted`; `interval`). `expiresAt` is
 * `expires_in` anchored at the moment the request was sent (epoch ms).
 * `scopes` are the scopes requested (the granted ones when the token response
 * omits `scope`); `extra` keeps the response's other fields (Microsoft's
 * `message`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 * @since 0.1.0
 * @category models
 */
export class DeviceAuthorization extends Schema.Class<DeviceAuthorization>("@effect-oauth/core/DeviceAuthorization")({
  deviceCode: Schema.Redacted(Schema.String),
  userCode: Schema.String,
  verificationUri: Schema.String,
  verificationUriComplete: Schema.optional(Schema.String),
  /** Epoch ms. */
  expiresAt: Schema.Number,
  /** Seconds between polls; 5 when the server sent none (RFC 8628 §3.2). */
  interval: Schema.Number,
  scopes: Schema.Array(Schema.String),
  extra: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

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
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly provider: Provider
  readonly clientId: string
  /** The time limit of each request (`Options.timeout`): a session's refresh lease must outlast it. */
  readonly timeout?: Duration.Duration | undefined
  /** The DPoP prover of this client's key and nonces (RFC 9449), when `dpop` was given. */
  readonly dpop?: Dpop.Prover | undefined

  /**
   * Builds an authorization request (RFC 6749 §4.1.1) with PKCE S256 (RFC 7636),
   * a 32-byte random `state`, a `nonce` for OpenID Connect and the `resource`
   * indicators (RFC 8707). When the provider has a pushed authorization request
   * endpoint (or `pushed: true`), the parameters are pushed first (RFC 9126 §2)
   * and the URL carries only `client_id` and `request_uri`. Keep the result until
   * the callback; pass it to `Callback.parse`.
   *
   * Fails with `ConfigurationError` (no authorization endpoint, no redirect URI,
   * an insecure URL, `pushed` asked for without the endpoint or refused while the
   * provider requires it), and for a pushed request with `OAuthError` (an RFC 9126
   * §2.3 error such as `invalid_request`), `InvalidTokenResponse` (no
   * `request_uri`) and `TransportError`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
   * @see https://www.rfc-editor.org/rfc/rfc9126#section-2
   */
  readonly authorizationUrl: (
    options?: AuthorizationUrlOptions | undefined
  ) => Effect.Effect<AuthorizationRequest, ConfigurationError | OAuthError | InvalidTokenResponse | TransportError>

  /**
   * Exchanges an authorization code (RFC 6749 §4.1.3), sending the PKCE verifier
   * and the redirect URI of the request it answers. An ID token in the response
   * is validated (`IdToken.validate`, with the request's `nonce`) and its claims
   * set as `idTokenClaims` (read with `TokenSet.claims`); with `openid` requested
   * it must be there.
   *
   * Fails with `OAuthError` (`invalid_grant` for a used or expired code),
   * `InvalidTokenResponse`, `TransportError`, `IdTokenInvalid`, and
   * `ConfigurationError` when an ID token is due but the provider has no
   * `issuer` or `jwks_uri`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
   * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponseValidation
   */
  readonly exchangeCode: (
    response: AuthorizationResponse
  ) => Effect.Effect<TokenSet, TokenEndpointError | IdTokenInvalid>

  /**
   * Refreshes (RFC 6749 §6). Keeps the previous refresh token when the response
   * has none, and the previous ID token with its claims. A new ID token is
   * validated, and its `iss`, `sub`, `aud`, `azp` and `auth_time` must equal the
   * previous one's (OpenID Connect Core §12.2; a `nonce` may be absent or equal).
   * One that fails on whose it is (signature, `iss`, `sub`, `aud`, `azp`,
   * `auth_time`, `nonce`) means the tokens may belong to someone else: `refresh`
   * fails with `IdTokenInvalid` and hands out no access token of that response; the
   * error's `refreshToken` is the refresh token the response carried (or the one
   * sent, when it carried none), since the server may already have rotated the old
   * one (DESIGN invariant 3). One refused only for its validity period (`exp`,
   * `iat`, `nbf`) or whose key set cannot be read now is dropped with a logged
   * warning, and the previous ID token kept.
   *
   * Fails with `ConfigurationError` (`MissingCredential`) when `tokens` has no
   * refresh token, with `IdTokenInvalid` as above, and with the token endpoint's errors.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
   */
  readonly refresh: (
    tokens: TokenSet,
    options?: GrantOptions | undefined
  ) => Effect.Effect<TokenSet, TokenEndpointError | IdTokenInvalid>

  /**
   * The client credentials grant (RFC 6749 §4.4), with the given scopes, else the
   * client's, else the provider's defaults.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
   */
  readonly clientCredentials: (options?: GrantOptions | undefined) => Effect.Effect<TokenSet, TokenEndpointError>

  /**
   * Starts a device authorization (RFC 8628 §3.1) with client authentication and
   * the given scopes (else the client's, else the provider's defaults). Show the
   * user `userCode` and `verificationUri` (or `verificationUriComplete`), then
   * call `pollDeviceToken`.
   *
   * Fails with `ConfigurationError` (`MissingEndpoint`: no
   * `device_authorization_endpoint`), `OAuthError` (an RFC 6749 §5.2 error body,
   * such as `invalid_client` or `invalid_scope`), `InvalidTokenResponse` (a
   * required field missing or of the wrong type, a verification URI that is not
   * `http(s)`), `TransportError`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
   */
  readonly deviceAuthorization: (
    options?: GrantOptions | undefined
  ) => Effect.Effect<DeviceAuthorization, TokenEndpointError>

  /**
   * Polls the token endpoint with the device code (RFC 8628 §3.4) until the user
   * approves or the flow ends. Waits `interval` seconds before each request on
   * Effect's `Clock`; `authorization_pending` continues; `slow_down` adds 5
   * seconds to the interval for this and every later poll (or takes the
   * `interval` the error body names, when longer, as GitHub sends); a network failure,
   * a 5xx or a 429 doubles the interval (or waits `Retry-After`) and continues.
   * Interrupting the effect stops polling. Every response goes through
   * `TokenResponse.parse`.
   *
   * Fails with `AuthorizationDenied` (`access_denied`), `DeviceCodeExpired`
   * (`expired_token`, or `expiresAt` reached: no request is sent after it),
   * `OAuthError` (any other error code stops polling, RFC 8628 §3.5),
   * `InvalidTokenResponse`, `ConfigurationError`, and `IdTokenInvalid`: the ID
   * token is validated as the code exchange's is, without a `nonce` (the device
   * grant has no front channel to carry one), and required when `openid` was asked for.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
   * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
   */
  readonly pollDeviceToken: (
    authorization: DeviceAuthorization,
    options?: PollOptions | undefined
  ) => Effect.Effect<TokenSet, DevicePollError>

  /**
   * The JWT bearer authorization grant (RFC 7523 §2.1): trades a signed assertion
   * (from `JwtAssertion.sign` or an identity provider) for tokens. The client
   * authenticates as configured as well.
   *
   * Fails with `OAuthError` (`invalid_grant` when the assertion is refused),
   * `InvalidTokenResponse`, `TransportError`, `ConfigurationError`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
   */
  readonly jwtBearer: (
    assertion: Redacted.Redacted<string>,
    options?: GrantOptions | undefined
  ) => Effect.Effect<TokenSet, TokenEndpointError>

  /**
   * Token exchange (RFC 8693): trades a subject token (and an actor token, for
   * delegation) for a token for another audience, resource or type.
   *
   * Fails with `OAuthError` (`invalid_request`, `invalid_target`, …),
   * `InvalidTokenResponse` (also when `issued_token_type`, which RFC 8693 §2.2.1
   * requires, is missing, or `actorToken` comes without `actorTokenType`),
   * `TransportError`, `ConfigurationError`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8693#section-2
   */
  readonly exchangeToken: (request: TokenExchangeRequest) => Effect.Effect<ExchangedToken, TokenEndpointError>

  /**
   * The resource owner password credentials grant (RFC 6749 §4.3): legacy, off
   * unless `legacyGrants` includes `"password"` (RFC 9700 §2.4: it "MUST NOT be used").
   *
   * Fails with `ConfigurationError` (`Unsupported`) when not enabled, and with the
   * token endpoint's errors (`invalid_grant` for wrong credentials).
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3
   */
  readonly password: (
    credentials: PasswordCredentials,
    options?: GrantOptions | undefined
  ) => Effect.Effect<TokenSet, TokenEndpointError>

  /**
   * Builds an implicit-grant authorization request (RFC 6749 §4.2,
   * `response_type=token`): legacy, off unless `legacyGrants` includes
   * `"implicit"` (RFC 9700 §2.1.2). The tokens come back in the redirect's
   * fragment; read them with `Callback.parseImplicit`.
   *
   * Fails with `ConfigurationError` (`Unsupported` when not enabled), and
   * otherwise as `authorizationUrl` (a pushed request, RFC 9126, is pushed here too).
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.2.1
   */
  readonly implicitAuthorizationUrl: (
    options?: AuthorizationUrlOptions | undefined
  ) => Effect.Effect<AuthorizationRequest, ConfigurationError | OAuthError | InvalidTokenResponse | TransportError>

  /**
   * Any grant at the token endpoint, with client authentication and the provider's
   * quirks: the door for extension grants (device code, token exchange, JWT bearer,
   * `fb_exchange_token`). `params` must include `grant_type`. Values listed in
   * `secrets` are masked in error text.
   */
  readonly grant: (
    params: Readonly<Record<string, string>>,
    options?: (GrantOptions & { readonly secrets?: ReadonlyArray<Redacted.Redacted<string>> | undefined }) | undefined
  ) => Effect.Effect<TokenSet, TokenEndpointError>

  /**
   * Revokes a token (RFC 7009). Passing a `TokenSet` revokes its refresh token
   * (which revokes the grant) or else its access token. A 200 is success whatever
   * the body; an unknown token is success too (RFC 7009 §2.2).
   *
   * Fails with `OAuthError` for an RFC 7009 §2.2.1 error body
   * (`unsupported_token_type`, `invalid_client`), `InvalidTokenResponse`
   * (`UnexpectedStatus`; a 503 is `retry`, with `retryAfter`), `TransportError`, and
   * `ConfigurationError` (`MissingEndpoint`) when the provider has no revocation endpoint.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
   */
  readonly revoke: (
    token: TokenSet | Redacted.Redacted<string>,
    options?: { readonly hint?: "access_token" | "refresh_token" | undefined } | undefined
  ) => Effect.Effect<void, OAuthError | InvalidTokenResponse | TransportError | ConfigurationError>

  /**
   * Introspects a token (RFC 7662) with client authentication. An unknown, expired
   * or revoked token is `active: false`, not a failure.
   *
   * Fails with `OAuthError` (an error body such as `invalid_client`),
   * `InvalidTokenResponse` (not JSON, `active` not a boolean, a field of the wrong
   * type), `TransportError`, and `ConfigurationError` (`MissingEndpoint`).
   *
   * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
   */
  readonly introspect: (
    token: Redacted.Redacted<string>,
    options?: { readonly hint?: "access_token" | "refresh_token" | undefined } | undefined
  ) => Effect.Effect<Introspection, OAuthError | InvalidTokenResponse | TransportError | ConfigurationError>

  /**
   * Reads the userinfo endpoint (OpenID Connect Core §5.3) with the access token
   * of `tokens`. The response's `sub` must equal the validated ID token's
   * (`TokenSet.claims(tokens)`) or `options.subject`: "if they do not match, the
   * UserInfo Response values MUST NOT be used" (§5.3.2).
   *
   * Fails with `OAuthError` (a 401/403 whose `WWW-Authenticate` names an error
   * such as `invalid_token`, or an error body), `InvalidTokenResponse` (not a
   * JSON object, no `sub`), `IdTokenInvalid` (`SubjectMismatch`), `TransportError`,
   * and `ConfigurationError` (`MissingEndpoint`; `MissingCredential` when there is
   * no subject to compare with; `Unsupported` for a signed `application/jwt` response).
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
   */
  readonly userinfo: (
    tokens: TokenSet,
    options?: { readonly subject?: string | undefined } | undefined
  ) => Effect.Effect<UserInfo, OAuthError | InvalidTokenResponse | IdTokenInvalid | TransportError | ConfigurationError>
}

/**
 * The service tag.
 *
 * @since 0.1.0
 * @category models
 */
export class OAuthClient extends Context.Tag("@effect-oauth/core/OAuthClient")<OAuthClient, Service>() {}

/**
 * Builds a client. Fails with `ConfigurationError` when an endpoint is not
 * `https:` (plain `http:` is allowed for loopback hosts only).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<Service, ConfigurationError, HttpClient.HttpClient> =
  internal.make

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

/**
 * Sends one request to a provider endpoint with the guarantees of token requests:
 * `https:` only (plain `http:` for loopback hosts), no redirect followed (a 3xx is
 * a `TransportError` with reason `Redirect`), a timeout and a response size cap.
 * A GET with parameters keeps its URL (which then carries credentials) out of the
 * platform's HTTP span, and errors name the endpoint by origin and path only.
 * Any status is a success here: the caller reads the body.
 *
 * Fails with `ConfigurationError` (`InvalidUrl`, `InsecureUrl`) and
 * `TransportError` (`Transport`, `Timeout`, `Redirect`, `TooLarge`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const request: (
  options: EndpointRequest
) => Effect.Effect<EndpointResponse, TransportError | ConfigurationError, HttpClient.HttpClient> = internal.request

/**
 * A layer of {@link OAuthClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options: Options) => Layer.Layer<OAuthClient, ConfigurationError, HttpClient.HttpClient> =
  internal.layer
