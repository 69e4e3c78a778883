/**
 * The single door for token endpoint responses: every grant of every provider goes
 * through {@link parse}, which turns `{ status, headers, body }` into a `TokenSet`
 * or a typed error. Provider quirks are normalised here and nowhere else, selected
 * by `TokenResponseQuirks`.
 *
 * @since 0.1.0
 */
import type { Effect, Either, Redacted } from "effect"
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
 * Parses a token endpoint response (RFC 6749 §5.1 success, §5.2 error). Pure and
 * synchronous underneath: no I/O, and the only time it knows is `requestedAt`.
 *
 * Body
 * - JSON, or `application/x-www-form-urlencoded` (GitHub without
 *   `Accept: application/json`, Facebook's legacy `text/plain` answer): the shape is
 *   sniffed, the content type is not trusted. A UTF-8 BOM is ignored; bytes are
 *   decoded as UTF-8. Reading takes time linear in the body (no backtracking
 *   regular expression), and JSON nests at most 32 levels.
 * - A field of RFC 6749 §5.1 or §5.2 sent twice (RFC 6749 §3.2), or nested past the
 *   limit, is `InvalidField`. An extension field that is repeated or nested too
 *   deeply is dropped and named in a warning log, never the tokens: the server has
 *   issued them (and may have retired the refresh token it was sent) by then.
 * - Empty → `EmptyBody`; HTML, plain text, invalid JSON or a JSON array →
 *   `NotJson`; over 1 MiB → `TooLarge`.
 *
 * Errors
 * - A string `error` field makes the body an RFC 6749 §5.2 error, whatever the
 *   status (GitHub and Slack answer errors with HTTP 200): `OAuthError` with the
 *   status as received, `remedy` from `OAuthError.classify(error, status,
 *   quirks.errorRemedies)`, and `retryAfter` from the `Retry-After` header
 *   (delta-seconds, or an HTTP-date counted from the `Date` header, else from
 *   `requestedAt`). `quirks.readError` is asked first, for provider shapes such as
 *   the Graph API's nested `{ "error": { "message", "type", "code", … } }`.
 * - The body's other fields go to `details` (Microsoft's `error_codes`,
 *   `trace_id`, `correlation_id`); string fields named like credentials
 *   (`mfa_token`, `device_code`, …) are kept `Redacted`.
 * - A non-2xx response without `error` is `UnexpectedStatus`.
 *
 * Tokens
 * - `access_token` missing, `null` or empty → `MissingAccessToken`; not a string → `InvalidField`.
 * - `token_type`: `bearer` (any case) → `Bearer`, `dpop` → `DPoP`; another type
 *   is `InvalidField` (RFC 6749 §7.1) unless `quirks.tokenTypes` maps it; missing →
 *   `quirks.defaultTokenType ?? "Bearer"`.
 * - A CR, LF or NUL in `access_token`, `token_type`, `refresh_token` or `id_token`
 *   is `InvalidField` (they end up in headers and logs).
 * - `expires_in` (or a `quirks.expiresInAliases` name): a number or numeric string
 *   of seconds counted from `requestedAt`. `0` → expires at `requestedAt` (due at
 *   once). Negative, non-finite or non-numeric → `InvalidField` naming the field.
 *   More than 10 years is clamped to 10 years, so `expiresAt` stays a safe integer
 *   and a token the server calls "practically forever" is still refreshed one day.
 * - Without `expires_in`, an absolute `expires_at` (seconds since the epoch, as
 *   Strava sends) is shifted by the server's clock offset (`requestedAt` minus its
 *   `Date` header, unless `useDateHeader` is `false`) and clamped to
 *   [`requestedAt`, `requestedAt` + 10 years].
 * - No expiry field → no known expiry (`expiresAt` absent).
 * - `refresh_token` not a string → `InvalidField`; empty or `null` → absent.
 *   `refresh_token_expires_in` / `refresh_expires_in` (or
 *   `quirks.refreshTokenExpiresInFields`) → `refreshTokenExpiresAt`, same rules,
 *   except that `0` means no known expiry (Keycloak's offline tokens).
 * - `scope` split on `quirks.scopeSeparator` (default: whitespace, RFC 6749 §3.3;
 *   a JSON array of strings is accepted); empty or missing → `requestedScopes ?? []`.
 * - `id_token` → `idToken`; every other field is kept in `extra`.
 *
 * Secrets: no error ever holds a token. Structured bodies are described by their
 * field names only; a text body by at most 120 characters with every run of 16 or
 * more token-like characters replaced by `…`. Any value of `options.secrets`
 * (also URL-encoded) in an excerpt, error code, description, uri or detail is
 * replaced by `<redacted>`; descriptions are cut at 500 characters.
 *
 * Fails with `OAuthError` (a §5.2 error) or `InvalidTokenResponse` (anything else).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category parsing
 */
export const parse: (
  response: RawResponse,
  options: ParseOptions
) => Effect.Effect<TokenSet, OAuthError | InvalidTokenResponse> = internal.parse

/**
 * The one reader of error bodies, for every endpoint (token, revocation,
 * introspection, PAR, device, registration, userinfo, a provider's own operation):
 * the same rules as {@link parse}, returning the error. An RFC 6749 §5.2 body, or the
 * shape `quirks.readError` knows, is an `OAuthError` (code, description, `error_uri`
 * and details masked for every credential in `secrets`, `remedy` classified,
 * `Retry-After` read); anything else an `InvalidTokenResponse` (`UnexpectedStatus`
 * for a non-2xx status, with a secret-free excerpt).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.2.0
 * @category parsing
 */
export const parseError: (response: RawResponse, options: ParseOptions) => OAuthError | InvalidTokenResponse =
  internal.parseError

/**
 * The JSON object of a successful answer of an endpoint that is not a token
 * endpoint (Google's `tokeninfo`, Facebook's `debug_token`), read by the same
 * linear, nesting-limited reader that refuses repeated members; an error body, a
 * non-2xx status or anything that is not a JSON object goes to {@link parseError}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.2.0
 * @category parsing
 */
export const parseJson: (
  response: RawResponse,
  options: ParseOptions
) => Either.Either<Readonly<Record<string, unknown>>, OAuthError | InvalidTokenResponse> = internal.parseJson
