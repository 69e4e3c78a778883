/**
 * The single door for token endpoint responses: every grant of every provider goes
 * through {@link parse}, which turns `{ status, headers, body }` into a `TokenSet`
 * or a typed error. Provider quirks are normalised here and nowhere else, selected
 * by `TokenResponseQuirks`.
 *
 * @since 0.1.0
 */
import type { Effect, Redacted } from "effect"
import * as internal from "./internal/tokenResponse.js"
import type { InvalidTokenResponse, OAuthError } from "./OAuthError.js"
import type { TokenResponseQuirks } from "./Provider.js"
import type { TokenSet } from "./TokenSet.js"

/**
 * A token endpoint response as received. Header names are matched
 * case-insensitively; `body` is the raw body (text or bytes).
 *
 * @since 0.1.0
 * @category models
 */
export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: string | Uint8Array
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ParseOptions {
  /** When the request was sent (epoch ms, local clock): the anchor of `expiresAt`. */
  readonly requestedAt: number
  /** The scopes that were requested: the granted scopes when the response omits `scope`. */
  readonly requestedScopes?: ReadonlyArray<string> | undefined
  /** Provider quirks (RFC 6749 behaviour when absent). */
  readonly quirks?: TokenResponseQuirks | undefined
  /**
   * Correct for the server's clock offset from its `Date` header when it reports an
   * absolute expiry (`expires_at`). Default `true`.
   */
  readonly useDateHeader?: boolean | undefined
  /** `origin + path` of the endpoint, for error messages. */
  readonly endpoint?: string | undefined
  /**
   * Credentials that were sent with the request (client secret, code, refresh
   * token): any echo of them in a server's error text is masked.
   */
  readonly secrets?: ReadonlyArray<Redacted.Redacted<string>> | undefined
}

/**
 * Parses a token endpoint response (RFC 6749 §5.1 success, §5.2 error).
 *
 * - Body: JSON or `application/x-www-form-urlencoded`, a UTF-8 BOM tolerated.
 * - `expires_in` as a number or numeric string, counted from `requestedAt`;
 *   absolute `expires_at` (seconds since the epoch) corrected by the `Date`
 *   header; no expiry field means no known expiry.
 * - `token_type` normalised (`bearer` → `Bearer`); `scope` split into an array.
 * - An error object inside HTTP 200 (GitHub) is an `OAuthError`.
 *
 * Fails with `OAuthError` (a §5.2 error), `InvalidTokenResponse` (anything else:
 * HTML, empty body, 400 without `error`, missing or empty `access_token`,
 * negative or non-finite `expires_in`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @since 0.1.0
 * @category parsing
 */
export const parse: (
  response: RawResponse,
  options: ParseOptions
) => Effect.Effect<TokenSet, OAuthError | InvalidTokenResponse> = internal.parse
