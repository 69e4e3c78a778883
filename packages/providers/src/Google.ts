/**
 * Google's OAuth 2.0 and OpenID Connect endpoints (Google Identity), as data.
 *
 * Quirks: a refresh token comes only with `access_type=offline`, and only on the
 * first consent unless `prompt=consent` asks again; a later code exchange or a
 * refresh may omit it, and the stored one is kept (`TokenSet.merge`). A revoked
 * or expired refresh token is `invalid_grant` ("Token has been expired or
 * revoked."), which a session answers by ending in `revoked`. Device-flow
 * polling answers `authorization_pending` with HTTP 428. Revoking a token that is
 * already invalid answers HTTP 400 `invalid_token`, which counts as revoked. Token responses are
 * otherwise RFC 6749 JSON, so no token-response quirk is needed.
 *
 * ```ts
 * const provider = Google.make({ accessType: "offline", prompt: "consent" })
 * const layer = OAuthClient.layer({ provider, client: { clientId, clientSecret, redirectUri } })
 * ```
 *
 * @see https://developers.google.com/identity/protocols/oauth2/web-server
 * @since 0.1.0
 */
import type { OAuthError, Provider } from "@effect-oauth/core"
import type { HttpClient } from "@effect/platform"
import type { Effect, Redacted } from "effect"
import * as internal from "./internal/google.js"
import type { AuthorizationOptions, TokenInfo, TokenInfoOptions } from "./internal/googleTypes.js"
import type { InvalidToken } from "./ProviderError.js"
import type * as Preset from "./Preset.js"

export { TokenInfo } from "./internal/googleTypes.js"
/**
 * Google's authorization parameters and the options of `tokenInfo`.
 *
 * @since 0.1.0
 * @category models
 */
export type { AuthorizationOptions, Prompt, TokenInfoOptions } from "./internal/googleTypes.js"

/**
 * Google's endpoints (from `https://accounts.google.com/.well-known/openid-configuration`).
 *
 * @see https://developers.google.com/identity/openid-connect/openid-connect#discovery
 * @since 0.1.0
 * @category models
 */
export const endpoints = {
  issuer: "https://accounts.google.com",
  authorization: "https://accounts.google.com/o/oauth2/v2/auth",
  token: "https://oauth2.googleapis.com/token",
  revocation: "https://oauth2.googleapis.com/revoke",
  deviceAuthorization: "https://oauth2.googleapis.com/device/code",
  userinfo: "https://openidconnect.googleapis.com/v1/userinfo",
  jwks: "https://www.googleapis.com/oauth2/v3/certs",
  tokenInfo: "https://oauth2.googleapis.com/tokeninfo"
} as const

/**
 * Options of {@link make}: the authorization parameters sent with every
 * authorization URL, and the scopes requested when a call names none.
 *
 * @see https://developers.google.com/identity/protocols/oauth2/scopes
 * @since 0.1.0
 * @category models
 */
export interface Options extends AuthorizationOptions {
  /** Default `["openid", "email", "profile"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * Google's authorization parameters as a query record, for
 * `OAuthClient.authorizationUrl({ params })` when one request needs other values
 * than the preset's (a `login_hint` for one user, `prompt=consent` once).
 *
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#creatingclient
 * @since 0.1.0
 * @category combinators
 */
export const authorizationParams: (options: AuthorizationOptions) => Readonly<Record<string, string>> =
  internal.authorizationParams

/**
 * The Google preset: endpoints, issuer, revocation (RFC 7009) and device
 * authorization (RFC 8628) endpoints, and the given authorization parameters.
 * With `accessType: "offline"` and `prompt: "consent"`, every completed
 * authorization yields a refresh token.
 *
 * @example
 * ```ts
 * import { Google } from "@effect-oauth/providers"
 *
 * const provider = Google.make({ accessType: "offline", prompt: "consent" })
 * ```
 *
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#offline
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options | undefined) => Provider.Provider = internal.make

/**
 * Validates a token at Google's `tokeninfo` endpoint: the token must be live,
 * issued to `audience`, and not expired by the local clock. The token travels in
 * the query string, as Google documents; it is kept out of spans and masked in
 * errors. Prefer local ID token validation (signature and claims) on hot paths:
 * this is one request per call.
 *
 * Fails with `InvalidToken` (`Rejected`: Google answered `invalid_token`;
 * `Expired`; `AudienceMismatch`), `OAuthError` (another error body),
 * `InvalidTokenResponse` (not JSON, a 5xx page, `aud` or `exp` missing),
 * `TransportError`, `ConfigurationError`.
 *
 * @see https://developers.google.com/identity/sign-in/web/backend-auth#calling-the-tokeninfo-endpoint
 * @since 0.1.0
 * @category combinators
 */
export const tokenInfo: (
  token: Redacted.Redacted<string>,
  options: TokenInfoOptions
) => Effect.Effect<
  TokenInfo,
  InvalidToken | OAuthError.OAuthError | OAuthError.InvalidTokenResponse | OAuthError.TransportError | OAuthError.ConfigurationError,
  HttpClient.HttpClient
> = internal.tokenInfo

/**
 * This preset's row of `docs/providers.md`.
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Google",
  docs: "https://developers.google.com/identity/protocols/oauth2/web-server",
  refresh: "not rotated; only with `access_type=offline`, and only on first consent",
  quirks: "`access_type`, `prompt=consent`; HTTP 428 while a device code is pending; `Google.tokenInfo`",
  provider: make()
}
