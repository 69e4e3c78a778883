/**
 * Okta (an org's authorization server or a custom one), as data or by
 * discovery: Okta is OpenID certified, so {@link discover} reads the server's
 * metadata.
 *
 * Quirks: the org server lives at `https://<org>/oauth2/v1/…` with issuer
 * `https://<org>`; a custom server (`default` or an id) at
 * `https://<org>/oauth2/<id>/v1/…` with issuer `https://<org>/oauth2/<id>`;
 * refresh tokens come with `offline_access` and rotate when the app enables it;
 * a user rate limit at the token endpoint answers 429 with `invalid_grant` and
 * "API call exceeded rate limit due to too many requests.", read as
 * `temporarily_unavailable` (Okta's OAuth 2.0 error catalogue).
 *
 * @see https://developer.okta.com/docs/api/openapi/okta-oauth/guides/overview/
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import * as Generic from "./Generic.js"
import type * as Preset from "./Preset.js"

/** The `errorDescription` of Okta's `user_rate_limited` OAuth 2.0 error (HTTP 429, `invalid_grant`). */
const userRateLimited = "API call exceeded rate limit due to too many requests."

/**
 * The token-response quirks of Okta: its user rate limit, which the token
 * endpoint answers with `invalid_grant`, read as `temporarily_unavailable`.
 *
 * @see https://developer.okta.com/docs/reference/error-codes/
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: (body) => {
    const { error, error_description, ...rest } = body
    if (error !== "invalid_grant" || error_description !== userRateLimited) return undefined
    return { error: "temporarily_unavailable", description: userRateLimited, details: { ...rest, provider_error: error }, remedy: "retry" }
  }
}

/**
 * Options of {@link make} and {@link discover}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The org's domain, `example.okta.com` (or a custom domain), without scheme. */
  readonly domain: string
  /** A custom authorization server: `"default"` or its id. Omit for the org server. */
  readonly authorizationServerId?: string | undefined
  /** Scopes requested when a call names none. Default `["openid", "profile", "email", "offline_access"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The authorization server's issuer.
 *
 * @see https://developer.okta.com/docs/concepts/auth-servers/
 * @since 0.1.0
 * @category constructors
 */
export const issuer = (options: Options): string => {
  const org = `https://${options.domain.replace(/\/+$/, "")}`
  return options.authorizationServerId === undefined ? org : `${org}/oauth2/${encodeURIComponent(options.authorizationServerId)}`
}

/**
 * The Okta preset from the server's fixed paths: authorization, token,
 * revocation (RFC 7009), introspection, device authorization, userinfo, key set.
 *
 * @example
 * ```ts
 * import { Okta } from "@effect-oauth/providers"
 *
 * const provider = Okta.make({ domain: "example.okta.com", authorizationServerId: "default" })
 * ```
 *
 * @see https://developer.okta.com/docs/api/openapi/okta-oauth/guides/overview/
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Provider.Provider => {
  const iss = issuer(options)
  const v1 = options.authorizationServerId === undefined ? `${iss}/oauth2/v1` : `${iss}/v1`
  return {
    name: "okta",
    issuer: iss,
    authorizationEndpoint: `${v1}/authorize`,
    tokenEndpoint: `${v1}/token`,
    revocationEndpoint: `${v1}/revoke`,
    introspectionEndpoint: `${v1}/introspect`,
    deviceAuthorizationEndpoint: `${v1}/device/authorize`,
    userinfoEndpoint: `${v1}/userinfo`,
    jwksUri: `${v1}/keys`,
    tokenEndpointAuthMethodsSupported: ["client_secret_basic", "client_secret_post", "private_key_jwt", "client_secret_jwt"],
    codeChallengeMethodsSupported: ["S256"],
    defaultScopes: options.scopes ?? ["openid", "profile", "email", "offline_access"],
    tokenResponse
  }
}

/**
 * The Okta preset from the server's OpenID Connect metadata. Fails as `Generic.discover` does.
 *
 * @see https://developer.okta.com/docs/api/openapi/okta-oauth/oauth/tag/CustomAS/#tag/CustomAS/operation/getWellKnownOpenIDConfigurationCustomAS
 * @since 0.1.0
 * @category constructors
 */
export const discover = (
  options: Options
): Generic.Discovered =>
  Generic.discover(issuer(options), {
    name: "okta",
    algorithm: "oidc",
    defaultScopes: options.scopes ?? ["openid", "profile", "email", "offline_access"],
    tokenResponse
  })

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developer.okta.com/docs/guides/refresh-tokens/main/
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Okta",
  docs: "https://developer.okta.com/docs/api/openapi/okta-oauth/guides/overview/",
  refresh: "rotating when enabled (grace period configurable); `offline_access`",
  quirks: "OpenID certified (`Okta.discover`); org or custom server; a 429 `invalid_grant` user rate limit → `temporarily_unavailable`",
  provider: make({ domain: "example.okta.com", authorizationServerId: "default" })
}
