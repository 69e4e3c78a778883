/**
 * Atlassian Cloud (Jira, Confluence) OAuth 2.0 (3LO), as data.
 *
 * Quirks: the authorization request needs `audience=api.atlassian.com` and
 * `prompt=consent`; a refresh token comes with the `offline_access` scope and
 * rotates on every refresh (the previous one stays usable for a short grace
 * period; an unused one expires after 90 days, any after 365). A dead refresh
 * token is answered 403 `invalid_grant` ("Unknown or invalid refresh token."),
 * an RFC 6749 code: no Atlassian code needs reading.
 *
 * @see https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/
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
  /** Scopes requested when a call names none. Default `["read:me", "offline_access"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The Atlassian preset: authorization and token endpoints with the
 * `audience` and `prompt` parameters Atlassian requires, secrets in the body.
 *
 * @example
 * ```ts
 * import { Atlassian } from "@effect-oauth/providers"
 *
 * const provider = Atlassian.make({ scopes: ["read:jira-work", "offline_access"] })
 * ```
 *
 * @see https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/#1--direct-the-user-to-the-authorization-url-to-get-an-authorization-code
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "atlassian",
  authorizationEndpoint: "https://auth.atlassian.com/authorize",
  tokenEndpoint: "https://auth.atlassian.com/oauth/token",
  userinfoEndpoint: "https://api.atlassian.com/me",
  tokenEndpointAuthMethodsSupported: ["client_secret_post"],
  defaultScopes: options.scopes ?? ["read:me", "offline_access"],
  requests: { authorizationParams: { audience: "api.atlassian.com", prompt: "consent" } }
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/#use-a-refresh-token-to-get-another-access-token-and-refresh-token-pair
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Atlassian",
  docs: "https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/",
  refresh: "rotating (`offline_access`); 90 days unused, 365 days at most",
  quirks: "`audience=api.atlassian.com` and `prompt=consent`; a dead refresh token answered 403 `invalid_grant`",
  provider: make()
}
