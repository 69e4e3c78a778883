/**
 * ZITADEL (an instance: ZITADEL Cloud or self-hosted), as data or by
 * discovery: ZITADEL is OpenID certified, so {@link discover} reads the
 * instance's metadata.
 *
 * Quirks: refresh tokens come with `offline_access` and rotate on every
 * refresh (idle and absolute lifetimes are instance settings); the project's
 * roles come with the `urn:zitadel:iam:org:project:id:zitadel:aud` scope;
 * errors are RFC 6749 codes.
 *
 * @see https://zitadel.com/docs/apis/openidoauth/endpoints
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
  /** The instance's URL, `https://example-abc123.zitadel.cloud` or a custom domain. */
  readonly instanceUrl: string
  /** Scopes requested when a call names none. Default `["openid", "profile", "email", "offline_access"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

const scopesOf = (options: Options) => options.scopes ?? ["openid", "profile", "email", "offline_access"]

/**
 * The ZITADEL preset from the instance's fixed paths: authorization, token,
 * revocation (RFC 7009), introspection, device authorization, userinfo and key set.
 *
 * @example
 * ```ts
 * import { Zitadel } from "@effect-oauth/providers"
 *
 * const provider = Zitadel.make({ instanceUrl: "https://example-abc123.zitadel.cloud" })
 * ```
 *
 * @see https://zitadel.com/docs/apis/openidoauth/endpoints
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Provider.Provider => {
  const base = options.instanceUrl.replace(/\/+$/, "")
  return {
    name: "zitadel",
    issuer: base,
    authorizationEndpoint: `${base}/oauth/v2/authorize`,
    tokenEndpoint: `${base}/oauth/v2/token`,
    revocationEndpoint: `${base}/oauth/v2/revoke`,
    introspectionEndpoint: `${base}/oauth/v2/introspect`,
    deviceAuthorizationEndpoint: `${base}/oauth/v2/device_authorization`,
    userinfoEndpoint: `${base}/oidc/v1/userinfo`,
    jwksUri: `${base}/oauth/v2/keys`,
    tokenEndpointAuthMethodsSupported: ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
    codeChallengeMethodsSupported: ["S256"],
    defaultScopes: scopesOf(options)
  }
}

/**
 * The ZITADEL preset from the instance's OpenID Connect metadata. Fails as `Generic.discover` does.
 *
 * @see https://zitadel.com/docs/apis/openidoauth/endpoints#openid-configuration
 * @since 0.1.0
 * @category constructors
 */
export const discover = (
  options: Options
): Generic.Discovered => Generic.discover(options.instanceUrl.replace(/\/+$/, ""), { name: "zitadel", algorithm: "oidc", defaultScopes: scopesOf(options) })

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://zitadel.com/docs/guides/integrate/login/oidc/login-users#refresh-token
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "ZITADEL",
  docs: "https://zitadel.com/docs/apis/openidoauth/endpoints",
  refresh: "rotating (`offline_access`); idle and absolute lifetimes per instance",
  quirks: "OpenID certified (`Zitadel.discover`); instance URL",
  provider: make({ instanceUrl: "https://example-abc123.zitadel.cloud" })
}
