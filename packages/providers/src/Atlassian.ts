/**
 * Atlassian Cloud (Jira, Confluence) OAuth 2.0 (3LO), as data.
 *
 * Quirks: the authorization request needs `audience=api.atlassian.com` and
 * `prompt=consent`; a refresh token comes with the `offline_access` scope and
 * rotates on every refresh (the previous one stays usable for a short grace
 * period; an unused one expires after 90 days, any after 365).
 *
 * @see https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks of Atlassian: an expired or reused rotating refresh
 * token is answered `unauthorized_client` ("refresh_token is invalid"), which
 * means the grant is dead (`invalid_grant`), not that the client is misconfigured.
 *
 * @see https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/#use-a-refresh-token-to-get-another-access-token-and-refresh-token-pair
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: (body) => {
    const { error, error_description, ...rest } = body
    if (error !== "unauthorized_client" || typeof error_description !== "string") return undefined
    if (!/refresh_token is invalid/i.test(error_description)) return undefined
    return { error: "invalid_grant", description: error_description, details: { ...rest, provider_error: error } }
  }
}

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
  tokenResponse,
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
  quirks: "`audience=api.atlassian.com` and `prompt=consent`; a dead refresh token answered `unauthorized_client` read as `invalid_grant`",
  provider: make()
}
