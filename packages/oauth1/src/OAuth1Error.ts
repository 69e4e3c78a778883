/**
 * The errors of `@effect-oauth/oauth1`. Every failure of the package is one of
 * these tagged classes (or `@effect-oauth/core`'s `TransportError` and
 * `ConfigurationError`), in the Effect error channel. Messages are built from
 * secret-free fields only; no token, secret, verifier or signature is ever kept
 * in a field of an error.
 *
 * @since 0.1.0
 */
import { OAuthError } from "@effect-oauth/core"
import { Predicate, Schema } from "effect"

/**
 * What a caller can do about a failure (shared with `@effect-oauth/core`):
 * `retry`, `reauthorize` or `fixConfiguration`.
 *
 * @since 0.1.0
 * @category models
 */
export type Remedy = OAuthError.Remedy

const reauthorizeProblems: ReadonlySet<string> = new Set([
  "token_used",
  "token_expired",
  "token_revoked",
  "token_rejected",
  "verifier_invalid",
  "additional_authorization_required",
  "permission_denied",
  "user_refused"
])
const retryProblems: ReadonlySet<string> = new Set(["timestamp_refused", "nonce_used", "consumer_key_refused"])

/**
 * Classifies an `oauth_problem` code of the OAuth Problem Reporting extension
 * into a {@link Remedy}: a dead token or a refusal by the user means
 * `reauthorize`; a refused timestamp or nonce, a throttled consumer, a 5xx or a
 * 429 mean `retry`; anything else (bad signature, unknown consumer key, rejected
 * signature method, missing parameter) means `fixConfiguration`.
 *
 * @see https://wiki.oauth.net/w/page/12238543/ProblemReporting
 * @since 0.1.0
 * @category constructors
 */
export const classify = (problem: string, status: number): Remedy => {
  if (reauthorizeProblems.has(problem)) return "reauthorize"
  if (retryProblems.has(problem)) return "retry"
  if (status >= 500 || status === 429) return "retry"
  return "fixConfiguration"
}

/**
 * A provider refused a request and said why: an `oauth_problem` (OAuth Problem
 * Reporting extension) in the response body or in its `WWW-Authenticate: OAuth`
 * header, for example `signature_invalid`, `timestamp_refused`, `token_rejected`.
 *
 * `advice` is `oauth_problem_advice`; `details` keeps the other problem fields
 * (`oauth_parameters_absent`, `oauth_acceptable_timestamps`, …).
 *
 * @see https://wiki.oauth.net/w/page/12238543/ProblemReporting
 * @since 0.1.0
 * @category errors
 */
export class OAuth1Error extends Schema.TaggedError<OAuth1Error>("@effect-oauth/oauth1/OAuth1Error")("OAuth1Error", {
  problem: Schema.String,
  advice: Schema.optional(Schema.String),
  status: Schema.Number,
  endpoint: Schema.optional(Schema.String),
  remedy: OAuthError.Remedy,
  details: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String }))
}) {
  /** `true` when retrying the same request cannot succeed. */
  get isTerminal(): boolean {
    return this.remedy !== "retry"
  }

  override get message(): string {
    const advice = this.advice === undefined ? "" : `: ${this.advice}`
    const where = this.endpoint === undefined ? "" : ` from ${this.endpoint}`
    const details = this.details === undefined || Object.keys(this.details).length === 0
      ? ""
      : `; ${Object.entries(this.details).map(([name, value]) => `${name}=${value}`).join(", ")}`
    return `oauth_problem=${this.problem}${advice} (HTTP ${this.status}${where}; remedy: ${this.remedy}${details})`
  }
}

/**
 * Why a provider's response could not be used.
 *
 * - `EmptyBody`, `NotForm`: the body is not an `application/x-www-form-urlencoded`
 *   credentials response (RFC 5849 §2.1, §2.3).
 * - `MissingField`, `DuplicateField`: `oauth_token` or `oauth_token_secret` is
 *   absent or repeated.
 * - `CallbackNotConfirmed`: a temporary credentials response without
 *   `oauth_callback_confirmed=true` (RFC 5849 §2.1), the mark of a pre-1.0a server.
 * - `UnexpectedStatus`: an error status without an `oauth_problem`.
 * - `TooLarge`: a body over the size limit.
 *
 * @since 0.1.0
 * @category models
 */
export const InvalidResponseReason = Schema.Literal(
  "EmptyBody",
  "NotForm",
  "MissingField",
  "DuplicateField",
  "CallbackNotConfirmed",
  "UnexpectedStatus",
  "TooLarge"
)

/**
 * A provider answered something that is neither a credentials response nor a
 * reported problem. `excerpt` is a secret-free view of the body: field names only
 * for form bodies, long token-like runs masked for text.
 *
 * `remedy` is `retry` for 429 and 5xx and `fixConfiguration` otherwise.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 * @since 0.1.0
 * @category errors
 */
export class InvalidResponse extends Schema.TaggedError<InvalidResponse>("@effect-oauth/oauth1/InvalidResponse")(
  "InvalidResponse",
  {
    reason: InvalidResponseReason,
    status: Schema.Number,
    field: Schema.optional(Schema.String),
    endpoint: Schema.optional(Schema.String),
    excerpt: Schema.optional(Schema.String)
  }
) {
  /** What a caller can do about it. */
  get remedy(): Remedy {
    return this.status === 429 || this.status >= 500 ? "retry" : "fixConfiguration"
  }

  /** `true` when retrying cannot help. */
  get isTerminal(): boolean {
    return this.remedy !== "retry"
  }

  override get message(): string {
    const field = this.field === undefined ? "" : ` "${this.field}"`
    const where = this.endpoint === undefined ? "" : ` from ${this.endpoint}`
    const excerpt = this.excerpt === undefined ? "" : `; body: ${this.excerpt}`
    return `invalid OAuth 1.0a response (${this.reason}${field}): HTTP ${this.status}${where}${excerpt}`
  }
}

/**
 * A request could not be signed: its URL is not an absolute `http:`/`https:` URL
 * (RFC 5849 §3.4.1.2), a credential the signature method needs is missing, the
 * RSA private key cannot be read, or a form-encoded body is a stream that cannot
 * be read without consuming it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4
 * @since 0.1.0
 * @category errors
 */
export class SigningError extends Schema.TaggedError<SigningError>("@effect-oauth/oauth1/SigningError")(
  "SigningError",
  {
    reason: Schema.Literal("InvalidUrl", "MissingCredential", "InvalidPrivateKey", "UnsupportedBody"),
    detail: Schema.String
  }
) {
  /** Always `fixConfiguration`. */
  get remedy(): Remedy {
    return "fixConfiguration"
  }

  override get message(): string {
    return `cannot sign the request (${this.reason}): ${this.detail}`
  }
}

/**
 * A callback URL that is not an authorization callback (RFC 5849 §2.2): no
 * `oauth_token` or no `oauth_verifier`, a repeated parameter, or an unparseable URL.
 * (A refusal by the user is `@effect-oauth/core`'s `AuthorizationDenied`.)
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.2
 * @since 0.1.0
 * @category errors
 */
export class MalformedCallback extends Schema.TaggedError<MalformedCallback>("@effect-oauth/oauth1/MalformedCallback")(
  "MalformedCallback",
  {
    reason: Schema.Literal("InvalidUrl", "MissingToken", "MissingVerifier", "DuplicateParameter"),
    parameter: Schema.optional(Schema.String)
  }
) {
  override get message(): string {
    const parameter = this.parameter === undefined ? "" : ` ("${this.parameter}")`
    return `invalid OAuth 1.0a callback: ${this.reason}${parameter}`
  }
}

/**
 * The `oauth_token` of a callback (or of a verifier) is not the temporary
 * credentials identifier it is used with: a stale tab, a mixed-up session, or a
 * forged callback (RFC 5849 §4.13). Compared in constant time.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.2
 * @since 0.1.0
 * @category errors
 */
export class TokenMismatch extends Schema.TaggedError<TokenMismatch>("@effect-oauth/oauth1/TokenMismatch")(
  "TokenMismatch",
  {}
) {
  override get message(): string {
    return "callback oauth_token differs from the temporary credentials it is used with (RFC 5849 §2.2)"
  }
}

/**
 * The errors of `Callback.parse`: a malformed callback, a callback for other
 * temporary credentials, or a refusal by the user (`@effect-oauth/core`'s
 * `AuthorizationDenied`, with `error` set to the `oauth_problem` received, or to
 * `user_refused` for Twitter/X's `denied` parameter).
 *
 * @since 0.1.0
 * @category errors
 */
export type CallbackError = MalformedCallback | TokenMismatch | OAuthError.AuthorizationDenied

/**
 * Every error defined by `@effect-oauth/oauth1`.
 *
 * @since 0.1.0
 * @category errors
 */
export type OAuth1PackageError =
  | OAuth1Error
  | InvalidResponse
  | SigningError
  | MalformedCallback
  | TokenMismatch

const tags: ReadonlySet<string> = new Set([
  "OAuth1Error",
  "InvalidResponse",
  "SigningError",
  "MalformedCallback",
  "TokenMismatch"
])

/**
 * `true` for any error defined by `@effect-oauth/oauth1`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isOAuth1PackageError = (u: unknown): u is OAuth1PackageError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag)
