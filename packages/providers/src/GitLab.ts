/**
 * GitLab (gitlab.com or a self-managed instance), as data. GitLab is an OpenID
 * Connect provider at the instance's root, so the preset is its fixed paths on
 * the base URL; `Generic.discover(baseUrl)` reads the same from the instance.
 *
 * Quirks: every refresh returns a new refresh token and the old one stops
 * working (rotation); access tokens last two hours; `created_at` is kept in the
 * token set's extra fields.
 *
 * @see https://docs.gitlab.com/api/oauth2/
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import type * as Preset from "./Preset.js"

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** A self-managed instance, `https://gitlab.example.com`. Default `https://gitlab.com`. */
  readonly baseUrl?: string | undefined
  /** Scopes requested when a call names none. Default `["read_user"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The GitLab preset: authorization, token, revocation (RFC 7009), device
 * authorization, userinfo and key-set endpoints on the instance; PKCE (S256).
 *
 * @example
 * ```ts
 * import { GitLab } from "@effect-oauth/providers"
 *
 * const provider = GitLab.make({ baseUrl: "https://gitlab.example.com", scopes: ["read_api"] })
 * ```
 *
 * @see https://docs.gitlab.com/api/oauth2/#authorization-code-with-proof-key-for-code-exchange-pkce
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => {
  const base = (options.baseUrl ?? "https://gitlab.com").replace(/\/+$/, "")
  return {
    name: "gitlab",
    issuer: base,
    authorizationEndpoint: `${base}/oauth/authorize`,
    tokenEndpoint: `${base}/oauth/token`,
    revocationEndpoint: `${base}/oauth/revoke`,
    deviceAuthorizationEndpoint: `${base}/oauth/authorize_device`,
    userinfoEndpoint: `${base}/oauth/userinfo`,
    jwksUri: `${base}/oauth/discovery/keys`,
    tokenEndpointAuthMethodsSupported: ["client_secret_post", "client_secret_basic"],
    codeChallengeMethodsSupported: ["S256", "plain"],
    defaultScopes: options.scopes ?? ["read_user"]
  }
}

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://docs.gitlab.com/api/oauth2/
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "GitLab",
  docs: "https://docs.gitlab.com/api/oauth2/",
  refresh: "rotating: every refresh returns a new refresh token",
  quirks: "self-managed base URL (`baseUrl`); `created_at` beside the tokens; token error bodies not documented",
  provider: make()
}
