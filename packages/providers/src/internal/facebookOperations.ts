/**
 * The Graph API operations of the Facebook preset, re-exported by `Facebook`.
 */
import type { OAuthClient, OAuthError, TokenSet } from "@effect-oauth/core"
import type { HttpClient } from "@effect/platform"
import type { Effect, Redacted } from "effect"
import type { InvalidToken } from "../ProviderError.js"
import * as internal from "./facebook.js"
import type { DebugToken, DebugTokenOptions } from "./facebookTypes.js"

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
