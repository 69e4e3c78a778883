/**
 * Auth0 (a tenant's domain or custom domain), as data or by discovery: Auth0 is
 * OpenID certified, so {@link discover} reads the tenant's metadata and adds
 * the options that differ.
 *
 * Quirks: refresh tokens come with `offline_access` and rotate when the API
 * enables rotation (reuse of a rotated one revokes the family); Auth0's own
 * documented error codes read as the RFC 6749 code they mean (`mfa_required` →
 * `interaction_required`, `invalid_user_password` → `invalid_grant`), the
 * `mfa_token` kept `Redacted` in `details`.
 *
 * @see https://auth0.com/docs/api/authentication
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import * as Generic from "./Generic.js"
import * as vocabulary from "./internal/vocabulary.js"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks of Auth0: its own error codes read as RFC 6749 codes.
 *
 * @see https://auth0.com/docs/secure/multi-factor-authentication/authenticate-using-ropg-flow-with-mfa
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: vocabulary.readError({
    codes: {
      mfa_required: ["interaction_required", "reauthorize"],
      invalid_user_password: "invalid_grant"
    }
  })
}

/**
 * Options of {@link make} and {@link discover}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The tenant's domain (`example.us.auth0.com`) or custom domain, without scheme. */
  readonly domain: string
  /** `audience`: the API the access token is for. */
  readonly audience?: string | undefined
  /** Scopes requested when a call names none. Default `["openid", "profile", "email", "offline_access"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

const common = (options: Options) => ({
  defaultScopes: options.scopes ?? ["openid", "profile", "email", "offline_access"],
  tokenResponse,
  ...(options.audience === undefined ? {} : { requests: { authorizationParams: { audience: options.audience } } })
})

/**
 * The Auth0 preset from the tenant's fixed paths: authorization, token,
 * revocation (RFC 7009), device authorization, userinfo and key set.
 *
 * @example
 * ```ts
 * import { Auth0 } from "@effect-oauth/providers"
 *
 * const provider = Auth0.make({ domain: "example.us.auth0.com", audience: "https://api.example.com" })
 * ```
 *
 * @see https://auth0.com/docs/api/authentication
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Provider.Provider => {
  const issuer = `https://${options.domain.replace(/\/+$/, "")}/`
  return {
    name: "auth0",
    issuer,
    authorizationEndpoint: `${issuer}authorize`,
    tokenEndpoint: `${issuer}oauth/token`,
    revocationEndpoint: `${issuer}oauth/revoke`,
    deviceAuthorizationEndpoint: `${issuer}oauth/device/code`,
    userinfoEndpoint: `${issuer}userinfo`,
    jwksUri: `${issuer}.well-known/jwks.json`,
    tokenEndpointAuthMethodsSupported: ["client_secret_post", "client_secret_basic", "private_key_jwt"],
    codeChallengeMethodsSupported: ["S256"],
    ...common(options)
  }
}

/**
 * The Auth0 preset from the tenant's OpenID Connect metadata, with the options
 * above. Fails as `Generic.discover` does.
 *
 * @see https://auth0.com/docs/get-started/applications/configure-applications-with-oidc-discovery
 * @since 0.1.0
 * @category constructors
 */
export const discover = (
  options: Options
): Generic.Discovered => Generic.discover(`https://${options.domain.replace(/\/+$/, "")}/`, { name: "auth0", algorithm: "oidc", ...common(options) })

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://auth0.com/docs/secure/tokens/refresh-tokens/refresh-token-rotation
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Auth0",
  docs: "https://auth0.com/docs/api/authentication",
  refresh: "rotating when enabled (reuse revokes the family); `offline_access`",
  quirks: "OpenID certified (`Auth0.discover`); `audience`; `mfa_required` → `interaction_required`",
  provider: make({ domain: "example.us.auth0.com" })
}
