/**
 * Salesforce (login.salesforce.com, test.salesforce.com or a My Domain), as data.
 *
 * Quirks: the token response names the org's `instance_url`, the base of every
 * API call, and `id`, `issued_at` and `signature` (all kept in the extra fields;
 * read the first with {@link instanceUrl}); it has no `expires_in` (the session
 * timeout is the org's setting); a refresh returns no refresh token unless the
 * connected app rotates them. Its OAuth error page shows `invalid_grant` bodies
 * ("expired access/refresh token"), RFC 6749 codes read as they are; no
 * Salesforce code is mapped.
 *
 * @see https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
 * @since 0.1.0
 */
import { TokenSet } from "@effect-oauth/core"
import type { Provider } from "@effect-oauth/core"
import type * as Preset from "./Preset.js"

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `https://login.salesforce.com` (default), `https://test.salesforce.com` (sandboxes) or a My Domain URL. */
  readonly baseUrl?: string | undefined
  /** Scopes requested when a call names none. Default `["api", "refresh_token"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The Salesforce preset: authorization, token, revocation (RFC 7009),
 * introspection, userinfo and key-set endpoints; PKCE (S256).
 *
 * @example
 * ```ts
 * import { Salesforce } from "@effect-oauth/providers"
 *
 * const provider = Salesforce.make({ baseUrl: "https://test.salesforce.com" })
 * ```
 *
 * @see https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_endpoints.htm
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => {
  const base = (options.baseUrl ?? "https://login.salesforce.com").replace(/\/+$/, "")
  return {
    name: "salesforce",
    issuer: base,
    authorizationEndpoint: `${base}/services/oauth2/authorize`,
    tokenEndpoint: `${base}/services/oauth2/token`,
    revocationEndpoint: `${base}/services/oauth2/revoke`,
    introspectionEndpoint: `${base}/services/oauth2/introspect`,
    userinfoEndpoint: `${base}/services/oauth2/userinfo`,
    jwksUri: `${base}/id/keys`,
    tokenEndpointAuthMethodsSupported: ["client_secret_post", "client_secret_basic", "private_key_jwt"],
    codeChallengeMethodsSupported: ["S256"],
    defaultScopes: options.scopes ?? ["api", "refresh_token"]
  }
}

/**
 * The org's `instance_url` from a token set Salesforce issued, when it is an
 * https URL; `undefined` otherwise. A refresh answers it again (the newest wins).
 *
 * @see https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
 * @since 0.1.0
 * @category combinators
 */
export const instanceUrl = (tokens: TokenSet.TokenSet): string | undefined => {
  const value = TokenSet.extraField(tokens, "instance_url")
  return typeof value === "string" && /^https:\/\/[^/?#]+/.test(value) ? value : undefined
}

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Salesforce",
  docs: "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm",
  refresh: "not rotated by default; valid until revoked (per connected-app policy)",
  quirks: "`instance_url` kept (`Salesforce.instanceUrl`); no `expires_in`; bodies of its own error codes not documented",
  provider: make()
}
