/**
 * The `OAuthClient.Service` interface, re-exported by `OAuthClient`.
 */
import type { Duration, Effect, Redacted } from "effect"
import type { AuthorizationRequest, AuthorizationResponse } from "../../Callback.js"
import type * as Dpop from "../../Dpop.js"
import type { DeviceAuthorization, Introspection } from "../../OAuthClient.js"
import type {
  ConfigurationError,
  DevicePollError,
  IdTokenInvalid,
  InvalidTokenResponse,
  OAuthError,
  TokenEndpointError,
  TransportError
} from "../../OAuthError.js"
import type { Provider } from "../../Provider.js"
import type { TokenSet } from "../../TokenSet.js"
import type {
  AuthorizationUrlOptions,
  ExchangedToken,
  GrantOptions,
  PasswordCredentials,
  PollOptions,
  TokenExchangeRequest,
  UserInfo
} from "./options.js"

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
