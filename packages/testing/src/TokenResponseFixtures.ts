/**
 * Shape suites for `TokenResponse.parse`: token endpoint responses as a
 * specification or a provider documents them, one row per response with its
 * documentation URL and the outcome it must give, and a function that declares
 * one vitest test per row. It is imported from its own path, not from the
 * package index, because it loads vitest (which only runs inside a vitest run):
 *
 * ```ts
 * import * as TokenResponseFixtures from "@effect-oauth/testing/TokenResponseFixtures"
 *
 * describe("GitHub / documented token responses", () => {
 *   TokenResponseFixtures.tests(rows, { quirks: GitHub.make().tokenResponse })
 * })
 * ```
 *
 * Every row's request was sent at {@link requestedAt}; expiries are written
 * with {@link after}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 */
import type { OAuthError, Provider, TokenSet } from "@effect-oauth/core"
import type { Either } from "effect"
import * as internal from "./internal/tokenResponseFixtures.js"

/**
 * When every row's request was sent: 2025-01-15T12:00:00Z, in epoch ms.
 *
 * @since 0.1.0
 * @category testing
 */
export const requestedAt: number = internal.requestedAt

/**
 * `requestedAt + seconds`, in epoch ms: the expiry a row with that lifetime must produce.
 *
 * @since 0.1.0
 * @category testing
 */
export const after: (seconds: number) => number = internal.after

/**
 * The HTTP-date form of `requestedAt + seconds`, for `Date` and `Retry-After` headers.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7
 * @since 0.1.0
 * @category testing
 */
export const httpDate: (seconds: number) => string = internal.httpDate

/**
 * `Content-Type: application/json`.
 *
 * @since 0.1.0
 * @category testing
 */
export const json: Readonly<Record<string, string>> = { "content-type": "application/json" }

/**
 * `Content-Type: application/json; charset=utf-8`.
 *
 * @since 0.1.0
 * @category testing
 */
export const jsonUtf8: Readonly<Record<string, string>> = { "content-type": "application/json; charset=utf-8" }

/**
 * `Content-Type: application/x-www-form-urlencoded; charset=utf-8`.
 *
 * @since 0.1.0
 * @category testing
 */
export const form: Readonly<Record<string, string>> = {
  "content-type": "application/x-www-form-urlencoded; charset=utf-8"
}

/**
 * `Content-Type: text/plain; charset=UTF-8`.
 *
 * @since 0.1.0
 * @category testing
 */
export const text: Readonly<Record<string, string>> = { "content-type": "text/plain; charset=UTF-8" }

/**
 * The normalised `TokenSet` a row must produce (credentials in clear; absent fields omitted).
 *
 * @since 0.1.0
 * @category testing
 */
export interface ExpectedTokens {
  readonly _tag: "TokenSet"
  readonly accessToken: string
  readonly tokenType: string
  readonly expiresAt?: number
  readonly refreshToken?: string
  readonly refreshTokenExpiresAt?: number
  readonly scopes: ReadonlyArray<string>
  readonly idToken?: string
  readonly extra: Readonly<Record<string, unknown>>
}

/**
 * The `OAuthError` a row must produce (absent fields omitted; `Redacted`
 * details written as `{ redacted: value }`).
 *
 * @since 0.1.0
 * @category testing
 */
export interface ExpectedOAuthError {
  readonly _tag: "OAuthError"
  readonly error: string
  readonly description?: string
  readonly uri?: string
  readonly status: number
  readonly remedy: "retry" | "reauthorize" | "fixConfiguration"
  readonly retryAfter?: number
  readonly details?: Readonly<Record<string, unknown>>
}

/**
 * The `InvalidTokenResponse` a row must produce (absent fields omitted; the
 * excerpt is compared only when the row gives one).
 *
 * @since 0.1.0
 * @category testing
 */
export interface ExpectedInvalid {
  readonly _tag: "InvalidTokenResponse"
  readonly reason: OAuthError.InvalidTokenResponse["reason"]
  readonly status: number
  readonly field?: string
  readonly excerpt?: string
  readonly retryAfter?: number
}

/**
 * The outcome a row must produce.
 *
 * @since 0.1.0
 * @category testing
 */
export type Expected = ExpectedTokens | ExpectedOAuthError | ExpectedInvalid

/**
 * One token endpoint response as documented: the documentation URL it came
 * from, the response as received, the request's scopes, and the outcome. A row
 * may carry its own `quirks`; otherwise those given to {@link tests} apply.
 * Tokens are the documentation's own example values (none of them live).
 *
 * @since 0.1.0
 * @category testing
 */
export interface Fixture {
  readonly name: string
  /** The documentation page the shape comes from (an https URL). */
  readonly source: string
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array
  readonly quirks?: Provider.TokenResponseQuirks
  readonly requestedScopes?: ReadonlyArray<string>
  readonly useDateHeader?: boolean
  readonly expected: Expected
}

/**
 * @since 0.1.0
 * @category testing
 */
export interface Options {
  /** Quirks for rows that carry none (a provider preset's `tokenResponse`). */
  readonly quirks?: Provider.TokenResponseQuirks | undefined
  /** Strings no failure's message or JSON may contain (the rows' example credentials). */
  readonly hidden?: ReadonlyArray<string> | undefined
}

/**
 * The fields of {@link oauthError}'s row.
 *
 * @since 0.1.0
 * @category testing
 */
export interface OAuthErrorRow {
  readonly name: string
  readonly source: string
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** The §5.2 `error` code. */
  readonly error: string
  readonly description?: string
  readonly uri?: string
  /** Members beside `error`, `error_description` and `error_uri`, expected in `details`. */
  readonly details?: Readonly<Record<string, unknown>>
  readonly remedy: ExpectedOAuthError["remedy"]
}

/**
 * A row whose body is a JSON error response (`error`, `error_description`,
 * `error_uri` and any `details` members) and whose outcome is the `OAuthError`
 * with those fields, at the row's status.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category testing
 */
export const oauthError: (row: OAuthErrorRow) => Fixture = internal.oauthError

/**
 * A parse outcome in the shape of {@link Expected}, for comparison with a row's
 * `expected`: credentials unwrapped, `Redacted` details as `{ redacted: value }`,
 * an `InvalidTokenResponse` excerpt kept only when `expected` pins one.
 *
 * @since 0.1.0
 * @category testing
 */
export const view: (
  result: Either.Either<TokenSet.TokenSet, OAuthError.OAuthError | OAuthError.InvalidTokenResponse>,
  expected: Expected
) => Record<string, unknown> = internal.view

/**
 * Fails (throws, as an assertion does) unless the rows have unique names and
 * each an https documentation URL.
 *
 * @since 0.1.0
 * @category testing
 */
export const checkRows: (rows: ReadonlyArray<Fixture>) => void = internal.checkRows

/**
 * Declares one test per row, named `"<name> (HTTP <status>)"`: `TokenResponse.parse`
 * of the row's response (sent at {@link requestedAt}) gives the row's `expected`,
 * and a failure's message and JSON contain none of `options.hidden`.
 *
 * @since 0.1.0
 * @category testing
 */
export const tests: (rows: ReadonlyArray<Fixture>, options?: Options) => void = internal.tests
