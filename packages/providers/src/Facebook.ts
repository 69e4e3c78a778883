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
import type { OAuthClient, OAuthError, Provider, TokenSet } from "@effect-oauth/core"
import type { HttpClient } from "@effect/platform"
import { Schema } from "effect"
import type { Duration, Effect, Redacted } from "effect"
import * as internal from "./internal/facebook.js"
import type { InvalidToken } from "./ProviderError.js"
import type * as Preset from "./Preset.js"

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
 * Authorization request parameters Facebook Login defines beyond RFC 6749.
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#login
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationOptions {
  /**
   * `auth_type`: `rerequest` asks again for declined permissions,
   * `reauthenticate` asks for the password again, `reauthorize` renews data access.
   */
  readonly authType?: "rerequest" | "reauthenticate" | "reauthorize" | undefined
  /** `config_id` of a Facebook Login for Business configuration (replaces `scope`). */
  readonly configId?: string | undefined
}

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
 * Exchanges a short-lived user access token for a long-lived one (about 60
 * days) with `grant_type=fb_exchange_token` at the token endpoint of the
 * `OAuthClient` in context (built with this preset and the app's secret). The
 * answer has no refresh token; when it omits the permissions, those of `tokens`
 * are kept. An expired token cannot be exchanged (Graph error 190): the user must
 * log in again.
 *
 * Fails with `OAuthError` (a Graph error; see `remedy`), `InvalidTokenResponse`,
 * `TransportError`, `ConfigurationError`.
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
 * @since 0.1.0
 * @category grants
 */
export const exchangeForLongLived: (
  tokens: TokenSet.TokenSet | Redacted.Redacted<string>
) => Effect.Effect<TokenSet.TokenSet, OAuthError.TokenEndpointError, OAuthClient.OAuthClient> =
  internal.exchangeForLongLived

/**
 * A permission with the objects it was granted for (`granular_scopes`).
 *
 * @see https://developers.facebook.com/docs/graph-api/reference/debug_token
 * @since 0.1.0
 * @category models
 */
export class GranularScope extends Schema.Class<GranularScope>("@effect-oauth/providers/Facebook/GranularScope")({
  scope: Schema.String,
  targetIds: Schema.Array(Schema.String)
}) {}

/**
 * What `debug_token` says about a valid token. Times are epoch milliseconds;
 * `expiresAt` is absent for a token that does not expire (Graph `expires_at: 0`).
 *
 * @see https://developers.facebook.com/docs/graph-api/reference/debug_token
 * @since 0.1.0
 * @category models
 */
export class DebugToken extends Schema.Class<DebugToken>("@effect-oauth/providers/Facebook/DebugToken")({
  appId: Schema.String,
  /** `USER`, `PAGE`, `APP`, … */
  type: Schema.optional(Schema.String),
  application: Schema.optional(Schema.String),
  userId: Schema.optional(Schema.String),
  expiresAt: Schema.optional(Schema.Number),
  /** When the app's access to the user's data ends (re-authorization renews it). */
  dataAccessExpiresAt: Schema.optional(Schema.Number),
  issuedAt: Schema.optional(Schema.Number),
  scopes: Schema.Array(Schema.String),
  granularScopes: Schema.Array(GranularScope),
  extra: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * Options of {@link debugToken}: the app the token must belong to, and how to
 * authenticate the call (the app token `{app-id}|{app-secret}`, built from
 * `appSecret`, or another access token of the app's developers).
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/access-tokens#apptokens
 * @since 0.1.0
 * @category models
 */
export interface DebugTokenOptions {
  readonly appId: string
  readonly appSecret: Redacted.Redacted<string>
  readonly version?: GraphVersion | undefined
  /** The endpoint. Default: {@link endpoints}`(version).debugToken`. */
  readonly url?: string | undefined
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Validates a token with the Graph API's `debug_token`: it must be valid, belong
 * to `appId` (a token of another app is refused) and not be expired by the local
 * clock. Credentials travel in the query string, as Meta documents; they are kept
 * out of spans and masked in errors.
 *
 * Fails with `InvalidToken` (`Rejected` with the Graph code and message of
 * `data.error`, `Expired` for subcode 463 or a past `expires_at`,
 * `AudienceMismatch`), `OAuthError` (a Graph error for the call itself, such as
 * a wrong app secret), `InvalidTokenResponse`, `TransportError`, `ConfigurationError`.
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/%20access-tokens/debugging
 * @since 0.1.0
 * @category combinators
 */
export const debugToken: (
  token: Redacted.Redacted<string>,
  options: DebugTokenOptions
) => Effect.Effect<
  DebugToken,
  InvalidToken | OAuthError.OAuthError | OAuthError.InvalidTokenResponse | OAuthError.TransportError | OAuthError.ConfigurationError,
  HttpClient.HttpClient
> = internal.debugToken

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
