/**
 * Facebook Login and the Meta Graph API, as data plus two provider operations.
 *
 * Quirks, normalised by `TokenResponse.parse` through this preset's options:
 *
 * - the token endpoint is called with GET (credentials in the query string, kept
 *   out of spans and masked in errors) and the client secret as a parameter
 *   (`client_secret_post`);
 * - `redirect_uri` is required on the code exchange and must equal the one of
 *   the authorization request (`OAuthClient.exchangeCode` sends it);
 * - current versions answer JSON; old ones answered
 *   `access_token=…&expires=…` as `text/plain` (`expires` read as `expires_in`);
 * - errors are Graph error objects, `{ "error": { "message", "type", "code",
 *   "error_subcode", "fbtrace_id" } }`: `error` is the `type`, `description` the
 *   `message`, the rest kept in `details`, and the remedy follows the numeric
 *   `code` (190 → `reauthorize`, rate limits and `is_transient` → `retry`, …);
 * - scopes (permissions) are comma-separated;
 * - there is no refresh token: a short-lived user token (1–2 hours) is exchanged
 *   for a long-lived one (about 60 days) with {@link exchangeForLongLived}, and
 *   once a token has expired only a new login helps (a session then reports
 *   `Unauthorized` with reason `NoRefreshToken`).
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import * as internal from "./internal/facebook.js"
import type { AuthorizationOptions } from "./internal/facebookTypes.js"
import type * as Preset from "./Preset.js"

export { debugToken, exchangeForLongLived } from "./internal/facebookOperations.js"
export { DebugToken, GranularScope } from "./internal/facebookTypes.js"
/**
 * Facebook's authorization parameters and the options of `debugToken`.
 *
 * @since 0.1.0
 * @category models
 */
export type { AuthorizationOptions, DebugTokenOptions } from "./internal/facebookTypes.js"

/**
 * A Graph API version, such as `v25.0`. Versions are retired about two years
 * after release: pin the one your app is configured for.
 *
 * @see https://developers.facebook.com/docs/graph-api/guides/versioning
 * @since 0.1.0
 * @category models
 */
export type GraphVersion = `v${number}.${number}`

/**
 * The version used when none is given.
 *
 * @see https://developers.facebook.com/docs/graph-api/changelog
 * @since 0.1.0
 * @category models
 */
export const defaultVersion: GraphVersion = "v25.0"

/**
 * The endpoints of a Graph API version.
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
 * @since 0.1.0
 * @category constructors
 */
export const endpoints = (version: GraphVersion = defaultVersion) => ({
  authorization: `https://www.facebook.com/${version}/dialog/oauth`,
  token: `https://graph.facebook.com/${version}/oauth/access_token`,
  debugToken: `https://graph.facebook.com/${version}/debug_token`,
  userinfo: `https://graph.facebook.com/${version}/me`
})

/**
 * The token-response quirks of the Graph API: comma-separated permissions, the
 * legacy `expires` field, and Graph error objects read into `OAuthError`s whose
 * remedy follows the numeric error code.
 *
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = internal.tokenResponse

/**
 * Options of {@link make}.
 *
 * @see https://developers.facebook.com/docs/permissions
 * @since 0.1.0
 * @category models
 */
export interface Options extends AuthorizationOptions {
  /** Default {@link defaultVersion}. */
  readonly version?: GraphVersion | undefined
  /** Permissions requested when a call names none. Default `["public_profile", "email"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * Facebook's authorization parameters as a query record, for
 * `OAuthClient.authorizationUrl({ params })`.
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#login
 * @since 0.1.0
 * @category combinators
 */
export const authorizationParams: (options: AuthorizationOptions) => Readonly<Record<string, string>> =
  internal.authorizationParams

/**
 * The Facebook preset: the dialog and token endpoints of one Graph API version,
 * GET token requests with the secret as a parameter, and the Graph quirks.
 * Facebook has no RFC 7009 revocation endpoint (permissions are removed with
 * `DELETE /me/permissions`), so `OAuthClient.revoke` fails with
 * `ConfigurationError` (`MissingEndpoint`).
 *
 * @example
 * ```ts
 * import { Facebook } from "@effect-oauth/providers"
 *
 * const provider = Facebook.make({ version: "v25.0", scopes: ["public_profile", "pages_show_list"] })
 * ```
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#exchangecode
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options | undefined) => Provider.Provider = internal.make

/**
 * This preset's row of `docs/providers.md`.
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Facebook",
  docs: "https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow",
  refresh: "none: short-lived tokens exchanged for 60-day ones (`Facebook.exchangeForLongLived`)",
  quirks: "token endpoint by GET; Graph `code`/`error_subcode` read as RFC codes; comma-separated `scope`; `Facebook.debugToken`",
  provider: make()
}
