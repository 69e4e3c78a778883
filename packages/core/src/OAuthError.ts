/**
 * The errors of the protocol core. Every failure of `@effect-oauth/core` is one of
 * these tagged classes, in the Effect error channel; none of them ever prints a
 * token or a secret (messages are built from secret-free fields only, and every
 * field that could hold a credential is `Redacted`).
 *
 * @since 0.1.0
 */
import { Predicate, type Redacted, Schema } from "effect"
import {
  AuthorizationDenied,
  DeviceCodeExpired,
  InvalidCallback,
  IssuerMismatch,
  StateMismatch
} from "./internal/errors/callback.js"
import { ConfigurationError, TransportError } from "./internal/errors/transport.js"
import * as Mask from "./internal/wire/mask.js"

export {
  AuthorizationDenied,
  ConfigurationError,
  DeviceCodeExpired,
  InvalidCallback,
  IssuerMismatch,
  StateMismatch,
  TransportError
}

/**
 * What a caller can do about a failure:
 *
 * - `retry`: transient (network, timeout, 5xx, 429, an unparseable body); the
 *   grant is intact, try again later (see `retryAfter`).
 * - `reauthorize`: the grant is dead (`invalid_grant`, `access_denied`, …); the
 *   user must authorize again.
 * - `fixConfiguration`: the client is misconfigured (`invalid_client`,
 *   `unauthorized_client`, `invalid_scope`, `unsupported_grant_type`, …);
 *   the grant may be valid again once the configuration is fixed.
 *
 * @since 0.1.0
 * @category models
 */
export const Remedy = Schema.Literal("retry", "reauthorize", "fixConfiguration")

/**
 * @since 0.1.0
 * @category models
 */
export type Remedy = typeof Remedy.Type

const reauthorizeCodes: ReadonlySet<string> = new Set([
  "invalid_grant",
  "access_denied",
  "expired_token",
  "invalid_token",
  "consent_required",
  "login_required",
  "interaction_required"
])
const retryCodes: ReadonlySet<string> = new Set([
  "temporarily_unavailable",
  "server_error",
  "slow_down",
  "authorization_pending",
  // RFC 9449 §8: the server wants the request again with its DPoP nonce.
  "use_dpop_nonce"
])
const configurationCodes: ReadonlySet<string> = new Set([
  "invalid_request",
  "invalid_client",
  "unauthorized_client",
  "unsupported_grant_type",
  "unsupported_response_type",
  "unsupported_token_type",
  "invalid_scope",
  "invalid_target",
  "invalid_dpop_proof"
])

/**
 * Classifies an RFC 6749 §5.2 error code (or an extension code) into a
 * {@link Remedy}. `overrides` (from a provider's quirks) win; a code of RFC 6749,
 * 7009, 8628, 8693 or 9449 keeps its meaning whatever the status; unknown codes
 * are `retry` for 5xx and 429 responses and `fixConfiguration` otherwise.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category constructors
 */
export const classify = (
  error: string,
  status: number,
  overrides?: Readonly<Record<string, Remedy>> | undefined
): Remedy => {
  const override = overrides?.[error]
  if (override !== undefined) return override
  if (reauthorizeCodes.has(error)) return "reauthorize"
  if (retryCodes.has(error)) return "retry"
  if (configurationCodes.has(error)) return "fixConfiguration"
  if (status >= 500 || status === 429) return "retry"
  return "fixConfiguration"
}

/**
 * An error response from an authorization server (RFC 6749 §5.2, RFC 7009 §2.2.1,
 * RFC 8628 §3.5): the `error` code as received, its description and uri, the
 * HTTP status (200 when a provider puts the error inside a success response),
 * `Retry-After` in seconds when the server sent one, and the {@link Remedy}.
 *
 * `details` keeps provider-specific error fields (Graph API `type`, `code`,
 * `error_subcode`, `fbtrace_id`; Microsoft `error_codes`, `trace_id`, …).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category errors
 */
export class OAuthError extends Schema.TaggedError<OAuthError>("@effect-oauth/core/OAuthError")("OAuthError", {
  error: Schema.String,
  description: Schema.optional(Schema.String),
  uri: Schema.optional(Schema.String),
  status: Schema.Number,
  retryAfter: Schema.optional(Schema.Number),
  endpoint: Schema.optional(Schema.String),
  remedy: Remedy,
  details: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
}) {
  /**
   * `true` when retrying the same request cannot succeed (`remedy` is not `retry`).
   */
  get isTerminal(): boolean {
    return this.remedy !== "retry"
  }

  override get message(): string {
    const where = this.endpoint === undefined ? "" : ` from ${this.endpoint}`
    const description = this.description === undefined ? "" : `: ${this.description}`
    const retry = this.retryAfter === undefined ? "" : `, retry after ${this.retryAfter}s`
    return `${this.error}${description} (HTTP ${this.status}${where}; remedy: ${this.remedy}${retry})`
  }
}

/**
 * Why a token endpoint response could not be read.
 *
 * @since 0.1.0
 * @category models
 */
export const InvalidTokenResponseReason = Schema.Literal(
  "EmptyBody",
  "NotJson",
  "TooLarge",
  "UnexpectedStatus",
  "MissingAccessToken",
  "InvalidField"
)

/**
 * A token endpoint answered something that is neither a token response nor an
 * RFC 6749 §5.2 error: HTML from a proxy, an empty body, a 5xx page, a 400 without
 * `error`, or a field with an absurd value. `excerpt` is a short, secret-free view
 * of the body (field names only for structured bodies; long token-like runs masked
 * for text). `field` names the offending field when there is one; `retryAfter` is
 * the `Retry-After` header in seconds when the server sent one (a 503 page).
 *
 * `remedy` is `retry` for 2xx, 429 and 5xx responses (a proxy page or a glitch is
 * transient) and `fixConfiguration` for other statuses.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @since 0.1.0
 * @category errors
 */
export class InvalidTokenResponse extends Schema.TaggedError<InvalidTokenResponse>(
  "@effect-oauth/core/InvalidTokenResponse"
)("InvalidTokenResponse", {
  reason: InvalidTokenResponseReason,
  status: Schema.Number,
  field: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.String),
  excerpt: Schema.optional(Schema.String),
  endpoint: Schema.optional(Schema.String),
  retryAfter: Schema.optional(Schema.Number)
}) {
  /** What a caller can do about it. */
  get remedy(): Remedy {
    return this.status < 300 || this.status === 429 || this.status >= 500 ? "retry" : "fixConfiguration"
  }

  /** `true` when retrying cannot help. */
  get isTerminal(): boolean {
    return this.remedy !== "retry"
  }

  override get message(): string {
    const where = this.endpoint === undefined ? "" : ` from ${this.endpoint}`
    const field = this.field === undefined ? "" : `"${this.field}" `
    const detail = this.detail === undefined ? "" : `${field}${this.detail}; `
    const excerpt = this.excerpt === undefined ? "" : `; body: ${this.excerpt}`
    const retry = this.retryAfter === undefined ? "" : `; retry after ${this.retryAfter}s`
    const lost = this.status >= 200 && this.status < 300
      ? "; the server answered success, so it may have spent the code or rotated the refresh token: the grant may be lost"
      : ""
    return `invalid token response (${this.reason}): ${detail}HTTP ${this.status}${where}${retry}${lost}${excerpt}`
  }
}

/**
 * Why an ID token was refused (OpenID Connect Core §3.1.3.7, §12.2).
 *
 * @since 0.1.0
 * @category models
 */
export const IdTokenInvalidReason = Schema.Literal(
  "Missing",
  "Malformed",
  "AlgorithmNone",
  "UnsupportedAlgorithm",
  "UnknownKey",
  "SignatureInvalid",
  "MissingClaim",
  "IssuerMismatch",
  "AudienceMismatch",
  "AuthorizedPartyMismatch",
  "Expired",
  "IssuedInFuture",
  "NotYetValid",
  "NonceMismatch",
  "SubjectMismatch",
  "AuthTimeMismatch"
)

/**
 * An ID token (or a userinfo response) the client must not use: missing when
 * `openid` was requested, not a signed JWT, signed with `none` or an algorithm
 * not allowed, by a key the issuer's JWKS does not hold, with a bad signature, or
 * with a claim that fails its check (`iss`, `aud`, `azp`, `exp`, `iat`, `nbf`,
 * `nonce`; on refresh `iss`, `sub`, `aud` differ from the first ID token; a
 * userinfo `sub` differs from the ID token's). `claim` names the claim, `detail`
 * says what was wrong; neither the token nor a claim value that could identify a
 * user beyond `iss`/`aud` is printed.
 *
 * `remedy` is `retry` for `UnknownKey` (the issuer may be rotating keys) and
 * `reauthorize` otherwise.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @since 0.1.0
 * @category errors
 */
export class IdTokenInvalid extends Schema.TaggedError<IdTokenInvalid>("@effect-oauth/core/IdTokenInvalid")(
  "IdTokenInvalid",
  {
    reason: IdTokenInvalidReason,
    claim: Schema.optional(Schema.String),
    detail: Schema.optional(Schema.String),
    /**
     * On refresh: the refresh token the refused response carried. The server may
     * already have rotated the old one, so the caller keeps this one (never printed).
     */
    refreshToken: Schema.optional(Schema.Redacted(Schema.String))
  }
) {
  /** What a caller can do about it. */
  get remedy(): Remedy {
    return this.reason === "UnknownKey" ? "retry" : "reauthorize"
  }

  /** `true` unless the key set may catch up (`UnknownKey`). */
  get isTerminal(): boolean {
    return this.remedy !== "retry"
  }

  override get message(): string {
    const claim = this.claim === undefined ? "" : ` "${this.claim}"`
    const detail = this.detail === undefined ? "" : `: ${this.detail}`
    return `ID token refused (${this.reason})${claim}${detail} (OpenID Connect Core §3.1.3.7)`
  }
}

/**
 * The errors of a request to a token endpoint.
 *
 * @since 0.1.0
 * @category errors
 */
export type TokenEndpointError = OAuthError | InvalidTokenResponse | TransportError | ConfigurationError

/**
 * The errors of `Callback.parse`.
 *
 * @since 0.1.0
 * @category errors
 */
export type CallbackError = AuthorizationDenied | StateMismatch | IssuerMismatch | InvalidCallback

/**
 * Every error of `@effect-oauth/core`.
 *
 * @since 0.1.0
 * @category errors
 */
export type CoreError = TokenEndpointError | CallbackError | IssuerMismatch | DeviceCodeExpired | IdTokenInvalid

/**
 * The errors of `OAuthClient.pollDeviceToken`: the token endpoint's, plus
 * `AuthorizationDenied` (`access_denied`), `DeviceCodeExpired` and
 * `IdTokenInvalid` (the ID token of an `openid` authorization).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category errors
 */
export type DevicePollError = TokenEndpointError | AuthorizationDenied | DeviceCodeExpired | IdTokenInvalid

const tags: ReadonlySet<string> = new Set([
  "OAuthError",
  "InvalidTokenResponse",
  "AuthorizationDenied",
  "StateMismatch",
  "IssuerMismatch",
  "InvalidCallback",
  "TransportError",
  "ConfigurationError",
  "DeviceCodeExpired",
  "IdTokenInvalid"
])

/**
 * `true` for any error of `@effect-oauth/core`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isCoreError = (u: unknown): u is CoreError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag)

/**
 * The remedy of any core error.
 *
 * @since 0.1.0
 * @category combinators
 */
export const remedyOf = (error: CoreError): Remedy => error.remedy

/**
 * The one masker of the project: `text` with every credential of `secrets` replaced
 * by `<redacted>` — raw, URL-encoded and form-encoded (RFC 6749 Appendix B), and any
 * run of 8 or more characters of one of those forms (a server that echoes part of a
 * token). Pass the base64 value of an `Authorization: Basic` header as one more
 * secret. Every error of every endpoint is built through it; provider code uses it
 * for its own messages.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-B
 * @since 0.2.0
 * @category constructors
 */
export const mask = (text: string, secrets: ReadonlyArray<Redacted.Redacted<string>>): string =>
  Mask.mask(text, secrets)

/**
 * A short, secret-free view of a text body for an error's `excerpt`: markup tags,
 * scripts and styles dropped, whitespace collapsed, {@link mask}ed, every run of 16 or
 * more token-like characters replaced by `…`, at most `length` characters. Linear in
 * the body.
 *
 * @since 0.2.0
 * @category constructors
 */
export const excerpt = (
  text: string,
  secrets: ReadonlyArray<Redacted.Redacted<string>>,
  length = 120
): string => Mask.excerpt(text, Mask.make(secrets), length)
