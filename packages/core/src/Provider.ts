/**
 * A provider descriptor: an authorization server's endpoints plus the quirk options
 * that make a non-conforming server work. RFC behaviour is the default; a preset in
 * `@effect-oauth/providers` is one of these, as data.
 *
 * @since 0.1.0
 */
import type { HttpClient } from "@effect/platform"
import type { Duration, Effect } from "effect"
import * as discovery from "./internal/discovery.js"
import type { ConfigurationError, IssuerMismatch, Remedy, TransportError } from "./OAuthError.js"

/**
 * Options of `TokenResponse.parse` that normalise a provider's token responses.
 * Every field defaults to RFC 6749 behaviour.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenResponseQuirks {
  /**
   * How the `scope` field separates scopes. RFC 6749 §3.3 says space; GitHub,
   * Facebook, Strava and Slack use commas. `"any"` splits on both.
   */
  readonly scopeSeparator?: " " | "," | "any" | undefined
  /**
   * Other names under which a provider sends `expires_in` (seconds from now),
   * tried when `expires_in` is absent: Facebook's legacy form body uses `expires`.
   */
  readonly expiresInAliases?: ReadonlyArray<string> | undefined
  /**
   * Names of fields holding the refresh token's own lifetime in seconds.
   * Default: `refresh_token_expires_in` (GitHub Apps) and `refresh_expires_in` (Keycloak).
   */
  readonly refreshTokenExpiresInFields?: ReadonlyArray<string> | undefined
  /** `token_type` to assume when the response has none (RFC 6749 requires it). Default `Bearer`. */
  readonly defaultTokenType?: string | undefined
  /**
   * A provider's own `token_type` values (matched case-insensitively) and the type
   * each one means: Slack answers `"bot"` or `"user"` for Bearer tokens. Without a
   * mapping, a type other than Bearer or DPoP is refused (RFC 6749 §7.1).
   */
  readonly tokenTypes?: Readonly<Record<string, string>> | undefined
  /**
   * The member that holds the token response, for a provider that wraps it:
   * Withings answers `{ "status": 0, "body": { "access_token": … } }`. `readError`
   * still sees the outer object first (Withings' errors sit beside `status`).
   */
  readonly wrappedIn?: string | undefined
  /** Remedies for provider-specific error codes (GitHub's `bad_verification_code` → `reauthorize`). */
  readonly errorRemedies?: Readonly<Record<string, Remedy>> | undefined
  /**
   * Reads a provider-specific error body that is not RFC 6749 §5.2 shaped (the
   * Graph API's `{ "error": { "message", "type", "code", … } }`) into an `error`
   * code, description and details. Return `undefined` to fall back to the RFC shape.
   */
  readonly readError?: ((body: Readonly<Record<string, unknown>>) => ProviderErrorFields | undefined) | undefined
}

/**
 * An error read by {@link TokenResponseQuirks.readError}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProviderErrorFields {
  readonly error: string
  readonly description?: string | undefined
  readonly uri?: string | undefined
  readonly details?: Readonly<Record<string, unknown>> | undefined
  /**
   * The remedy, when the provider's shape says more than its `error` code (the
   * Graph API's numeric `code` and `is_transient`). Default:
   * `OAuthError.classify(error, status, errorRemedies)`.
   */
  readonly remedy?: Remedy | undefined
}

/**
 * How the client authenticates at the token endpoint (RFC 6749 §2.3,
 * OpenID Connect Core §9): a secret in the `Authorization` header or the body, a
 * JWT assertion signed with the client's private key (`private_key_jwt`, RFC 7523
 * §2.2) or with its secret (`client_secret_jwt`), or none (a public client).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 * @since 0.1.0
 * @category models
 */
export type ClientAuthMethod =
  | "client_secret_basic"
  | "client_secret_post"
  | "private_key_jwt"
  | "client_secret_jwt"
  | "none"

/**
 * Options of the requests the SDK sends to a provider.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestQuirks {
  /** HTTP method of the token endpoint. Facebook's Graph API accepts GET; default POST. */
  readonly tokenMethod?: "POST" | "GET" | undefined
  /** Headers sent to every endpoint (GitHub needs `Accept: application/json`). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /**
   * `client_secret_basic` credentials are form-urlencoded before base64 as RFC 6749
   * §2.3.1 requires; `"raw"` sends them as-is for servers that do not decode
   * (the two agree unless the id or secret has reserved characters).
   */
  readonly basicAuthEncoding?: "form-urlencoded" | "raw" | undefined
  /** Send `redirect_uri` with refresh requests too (some servers ask for it). */
  readonly redirectUriOnRefresh?: boolean | undefined
  /** Parameters added to every authorization URL (Google: `access_type=offline`). */
  readonly authorizationParams?: Readonly<Record<string, string>> | undefined
  /**
   * Parameters added to every token endpoint request (Withings: `action=requesttoken`).
   * The grant's own parameters win over them.
   */
  readonly tokenParams?: Readonly<Record<string, string>> | undefined
  /** PKCE is on by default (RFC 9700 §2.1.1); only a server that rejects it may turn it off. */
  readonly pkce?: boolean | undefined
  /**
   * A revocation endpoint that is not RFC 7009: GitHub revokes with `DELETE
   * /applications/{client_id}/grant`, Basic client credentials and a JSON body
   * `{ "access_token" }`; Facebook with `DELETE /me/permissions?access_token=…`.
   * `{client_id}` in `revocationEndpoint` is replaced by the client's id.
   */
  readonly revocation?: RevocationQuirks | undefined
}

/**
 * The shape of a provider's revocation request, and the errors that mean "already
 * revoked".
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2
 * @since 0.2.0
 * @category models
 */
export interface RevocationQuirks {
  /** Default `POST`. */
  readonly method?: "POST" | "DELETE" | undefined
  /** Where the token goes: a form body (RFC 7009, the default), a JSON body, or the query. */
  readonly tokenIn?: "form" | "json" | "query" | undefined
  /** The token's parameter name; default `token` (then `token_type_hint` is sent too). */
  readonly tokenParameter?: string | undefined
  /** Send client authentication; default `true`. */
  readonly clientAuthentication?: boolean | undefined
  /**
   * Error codes the provider documents for a token that is already invalid, counted
   * as revoked as RFC 7009 §2.2 intends (Google answers 400 `invalid_token`).
   */
  readonly alreadyRevokedErrors?: ReadonlyArray<string> | undefined
}

/**
 * An authorization server: its endpoints (RFC 8414 names, camelCase) and quirks.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @since 0.1.0
 * @category models
 */
export interface Provider {
  /** A short name for messages and spans (`"google"`). */
  readonly name: string
  /** The issuer identifier, when the server has one (RFC 8414 §2, RFC 9207). */
  readonly issuer?: string | undefined
  readonly authorizationEndpoint?: string | undefined
  readonly tokenEndpoint: string
  readonly revocationEndpoint?: string | undefined
  readonly introspectionEndpoint?: string | undefined
  readonly userinfoEndpoint?: string | undefined
  readonly deviceAuthorizationEndpoint?: string | undefined
  readonly pushedAuthorizationRequestEndpoint?: string | undefined
  readonly registrationEndpoint?: string | undefined
  readonly jwksUri?: string | undefined
  /** RFC 9207: the server puts `iss` in every authorization response; the SDK then requires it. */
  readonly authorizationResponseIssParameterSupported?: boolean | undefined
  /**
   * RFC 9126 §5: the server accepts authorization requests only through its
   * `pushedAuthorizationRequestEndpoint`.
   */
  readonly requirePushedAuthorizationRequests?: boolean | undefined
  readonly tokenEndpointAuthMethodsSupported?: ReadonlyArray<string> | undefined
  readonly codeChallengeMethodsSupported?: ReadonlyArray<string> | undefined
  readonly scopesSupported?: ReadonlyArray<string> | undefined
  /** Scopes sent when the caller names none. */
  readonly defaultScopes?: ReadonlyArray<string> | undefined
  readonly tokenResponse?: TokenResponseQuirks | undefined
  readonly requests?: RequestQuirks | undefined
  /** The raw metadata document, when the provider came from discovery. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

/**
 * Builds a provider from its endpoints (any RFC 6749 server).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (provider: Provider): Provider => provider

/**
 * Options of {@link discover}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DiscoverOptions {
  /**
   * Which document to read: `"oidc"` (`/.well-known/openid-configuration`, OpenID
   * Connect Discovery §4), `"oauth2"` (`/.well-known/oauth-authorization-server`,
   * RFC 8414 §3) or `"auto"` (the default): OpenID Connect first, RFC 8414 when the
   * first answers 404.
   */
  readonly algorithm?: "oidc" | "oauth2" | "auto" | undefined
  /** The provider's `name`. Default: the issuer's host. */
  readonly name?: string | undefined
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Timeout of each request. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Largest metadata document read. Default 1 MiB. */
  readonly maxResponseBytes?: number | undefined
  /**
   * Hosts (as in the URL: `name` or `name:port`) that the metadata of a remote
   * issuer may name although they are loopback, link-local or private addresses.
   * Default: none — such an endpoint is refused (`ConfigurationError`, RFC 9728 §7.7
   * applied to RFC 8414 metadata).
   */
  readonly allowHosts?: ReadonlyArray<string> | undefined
}

/**
 * Reads an authorization server's metadata (RFC 8414, OpenID Connect Discovery)
 * and builds a {@link Provider} from it: every endpoint, the RFC 9207
 * `authorization_response_iss_parameter_supported` flag, the supported client
 * authentication methods, PKCE methods and scopes, and the raw document as
 * `metadata`.
 *
 * For an issuer with a path (`https://as.example/tenant`), RFC 8414 inserts the
 * well-known segment before the path (`/.well-known/oauth-authorization-server/tenant`)
 * while OpenID Connect appends it (`/tenant/.well-known/openid-configuration`).
 * The document's `issuer` must equal `issuer` exactly, and every endpoint must be
 * `https:` (plain `http:` only on loopback hosts). Redirects are not followed; the
 * request has a timeout and a size cap.
 *
 * Fails with `IssuerMismatch` (the document names another issuer),
 * `ConfigurationError` (`InvalidMetadata`: no document, not JSON, a missing
 * `token_endpoint`, a field of the wrong type; `InsecureUrl` / `InvalidUrl` for the
 * issuer or an endpoint) and `TransportError` (network, timeout, redirect, size,
 * 429 or 5xx).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Provider } from "@effect-oauth/core"
 * import { Effect } from "effect"
 *
 * const provider = Provider.discover("https://accounts.google.com").pipe(
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @since 0.1.0
 * @category constructors
 */
export const discover: (
  issuer: string,
  options?: DiscoverOptions | undefined
) => Effect.Effect<Provider, TransportError | ConfigurationError | IssuerMismatch, HttpClient.HttpClient> =
  discovery.discover
