/**
 * Keycloak (a realm of any Keycloak server), as data or by discovery: Keycloak
 * is OpenID certified, so {@link discover} reads the realm's metadata.
 *
 * Quirks: the refresh token's own lifetime comes as `refresh_expires_in`
 * (read into `refreshTokenExpiresAt`; `0` for an offline token without a
 * maximum); whether a refresh rotates depends on the realm ("Revoke Refresh
 * Token"); `session_state` and `not-before-policy` are kept in the extra fields.
 *
 * @see https://www.keycloak.org/securing-apps/oidc-layers
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import * as Generic from "./Generic.js"
import type * as Preset from "./Preset.js"

/**
 * Options of {@link make} and {@link discover}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The server's base URL, `https://keycloak.example.com` (add `/auth` for servers before version 17). */
  readonly baseUrl: string
  /** The realm's name. */
  readonly realm: string
  /** Scopes requested when a call names none. Default `["openid"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The realm's issuer, `<baseUrl>/realms/<realm>`.
 *
 * @see https://www.keycloak.org/securing-apps/oidc-layers#_endpoints
 * @since 0.1.0
 * @category constructors
 */
export const issuer = (options: Options): string =>
  `${options.baseUrl.replace(/\/+$/, "")}/realms/${encodeURIComponent(options.realm)}`

/**
 * The Keycloak preset from the realm's fixed paths: authorization, token,
 * revocation (RFC 7009), introspection, device authorization, userinfo, key set.
 *
 * @example
 * ```ts
 * import { Keycloak } from "@effect-oauth/providers"
 *
 * const provider = Keycloak.make({ baseUrl: "https://keycloak.example.com", realm: "acme" })
 * ```
 *
 * @see https://www.keycloak.org/securing-apps/oidc-layers#_endpoints
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Provider.Provider => {
  const realm = issuer(options)
  const oidc = `${realm}/protocol/openid-connect`
  return {
    name: "keycloak",
    issuer: realm,
    authorizationEndpoint: `${oidc}/auth`,
    tokenEndpoint: `${oidc}/token`,
    revocationEndpoint: `${oidc}/revoke`,
    introspectionEndpoint: `${oidc}/token/introspect`,
    deviceAuthorizationEndpoint: `${oidc}/auth/device`,
    userinfoEndpoint: `${oidc}/userinfo`,
    jwksUri: `${oidc}/certs`,
    tokenEndpointAuthMethodsSupported: ["client_secret_basic", "client_secret_post", "private_key_jwt", "client_secret_jwt"],
    codeChallengeMethodsSupported: ["S256", "plain"],
    defaultScopes: options.scopes ?? ["openid"]
  }
}

/**
 * The Keycloak preset from the realm's OpenID Connect metadata. Fails as `Generic.discover` does.
 *
 * @see https://www.keycloak.org/securing-apps/oidc-layers#_oidc_available_endpoints
 * @since 0.1.0
 * @category constructors
 */
export const discover = (
  options: Options
): Generic.Discovered => Generic.discover(issuer(options), { name: "keycloak", algorithm: "oidc", defaultScopes: options.scopes ?? ["openid"] })

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://www.keycloak.org/docs/latest/server_admin/#_timeouts
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Keycloak",
  docs: "https://www.keycloak.org/securing-apps/oidc-layers",
  refresh: "`refresh_expires_in` (SSO session idle, 30 min by default); rotation per realm",
  quirks: "OpenID certified (`Keycloak.discover`); realm URL; `0` refresh lifetime for offline tokens; token error bodies not documented",
  provider: make({ baseUrl: "https://keycloak.example.com", realm: "acme" })
}
