/**
 * The errors of the protocol core. Every failure of `@effect-oauth/core` is one of
 * these tagged classes, in the Effect error channel; none of them ever prints a
 * token or a secret (messages are built from secret-free fields only, and every
 * field that could hold a credential is `Redacted`).
 *
 * @since 0.1.0
 */
import type { HttpClientError } from "@effect/platform"
import { Predicate, type Redacted, Schema } from "effect"
import * as Mask from "./internal/wire/mask.js"

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
 * The user (or the server) refused the authorization request: the redirect
 * carried `error=access_denied` (or another RFC 6749 §4.1.2.1 code).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 * @since 0.1.0
 * @category errors
 */
export class AuthorizationDenied extends Schema.TaggedError<AuthorizationDenied>(
  "@effect-oauth/core/AuthorizationDenied"
)("AuthorizationDenied", {
  error: Schema.String,
  description: Schema.optional(Schema.String),
  uri: Schema.optional(Schema.String)
}) {
  /**
   * `retry` for `temporarily_unavailable` and `server_error` (RFC 6749 §4.1.2.1: the
   * server could not answer now; send the user again later), else `reauthorize`.
   */
  get remedy(): Remedy {
    return this.error === "temporarily_unavailable" || this.error === "server_error" ? "retry" : "reauthorize"
  }

  override get message(): string {
    const description = this.description === undefined ? "" : `: ${this.description}`
    return `authorization denied: ${this.error}${description}`
  }
}

/**
 * The callback's `state` differs from the one sent with the authorization request
 * (or is missing): a possible CSRF attempt or a stale browser tab.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 * @since 0.1.0
 * @category errors
 */
export class StateMismatch extends Schema.TaggedError<StateMismatch>("@effect-oauth/core/StateMismatch")(
  "StateMismatch",
  { missing: Schema.Boolean }
) {
  /** Always `reauthorize`: drop this callback and start a new authorization. */
  get remedy(): Remedy {
    return "reauthorize"
  }

  override get message(): string {
    return this.missing
      ? "callback has no state parameter (RFC 6749 §10.12)"
      : "callback state differs from the one sent (RFC 6749 §10.12)"
  }
}

/**
 * The callback's `iss` parameter is missing (while the server advertises
 * `authorization_response_iss_parameter_supported`) or names another issuer:
 * a possible mix-up attack. Also used when discovery metadata names a different
 * issuer than the one asked for.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 * @since 0.1.0
 * @category errors
 */
export class IssuerMismatch extends Schema.TaggedError<IssuerMismatch>("@effect-oauth/core/IssuerMismatch")(
  "IssuerMismatch",
  { expected: Schema.String, received: Schema.optional(Schema.String) }
) {
  /**
   * Always `reauthorize`: drop this callback and start a new authorization (from
   * discovery: check the issuer the application asked for).
   */
  get remedy(): Remedy {
    return "reauthorize"
  }

  override get message(): string {
    return this.received === undefined
      ? `issuer "${this.expected}" expected, none received (RFC 9207)`
      : `issuer "${this.expected}" expected, "${this.received}" received (RFC 9207)`
  }
}

/**
 * A callback URL that is not an authorization response: no `code` and no `error`,
 * a duplicated parameter, or an unparseable URL.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @since 0.1.0
 * @category errors
 */
export class InvalidCallback extends Schema.TaggedError<InvalidCallback>("@effect-oauth/core/InvalidCallback")(
  "InvalidCallback",
  { reason: Schema.Literal("InvalidUrl", "MissingCode", "DuplicateParameter", "UnexpectedParameter"), parameter: Schema.optional(Schema.String) }
) {
  /** Always `reauthorize`: the callback cannot be used; start a new authorization. */
  get remedy(): Remedy {
    return "reauthorize"
  }

  override get message(): string {
    const parameter = this.parameter === undefined ? "" : ` ("${this.parameter}")`
    return `invalid authorization callback: ${this.reason}${parameter}`
  }
}

/**
 * A device authorization (RFC 8628) ended before the user approved it: the
 * server answered `expired_token`, or the device code's `expires_in` passed
 * while polling (then no further request is sent). `expiresAt` is the device
 * code's expiry (epoch ms); `description` is the server's, when it sent one.
 * Only a new device authorization helps.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category errors
 */
export class DeviceCodeExpired extends Schema.TaggedError<DeviceCodeExpired>("@effect-oauth/core/DeviceCodeExpired")(
  "DeviceCodeExpired",
  { expiresAt: Schema.Number, description: Schema.optional(Schema.String) }
) {
  /** Always `reauthorize`: start a new device authorization. */
  get remedy(): Remedy {
    return "reauthorize"
  }

  override get message(): string {
    const description = this.description === undefined ? "" : `: ${this.description}`
    return `the device code expired before the user approved it (RFC 8628 §3.5)${description}`
  }
}

const originAndPath = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return "(invalid URL)"
  }
}

const systemErrorCode = (cause: unknown): string | undefined => {
  for (let current = cause, depth = 0; depth < 4 && Predicate.isObject(current); depth++) {
    if (Predicate.hasProperty(current, "code") && typeof current.code === "string" && /^[A-Z][A-Z0-9_]+$/.test(current.code)) {
      return current.code
    }
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return undefined
}

// System errors raised before a connection exists: the request never left.
const notConnected: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "ERR_INVALID_URL",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID"
])

/**
 * The request to an authorization server did not complete: connection refused,
 * DNS, TLS, timeout, a redirect (token requests never follow one), or a body over
 * the size limit. Wraps `@effect/platform`'s `HttpClientError` at the boundary,
 * keeping method, origin and path but never the query (where some providers carry
 * `client_secret`) nor the request itself.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>("@effect-oauth/core/TransportError")(
  "TransportError",
  {
    reason: Schema.Literal("Transport", "Timeout", "Redirect", "TooLarge", "Decode"),
    method: Schema.String,
    endpoint: Schema.String,
    status: Schema.optional(Schema.Number),
    detail: Schema.optional(Schema.String),
    /**
     * `true` when the request may have reached the server before the failure (a
     * response arrived, or the time ran out or the connection broke after it was
     * sent): the server may have acted on it — a refresh may have rotated the
     * refresh token. `false` or absent when it never left (connection refused,
     * URL policy).
     */
    requestSent: Schema.optional(Schema.Boolean)
  }
) {
  /** Always `retry`: the grant is untouched. */
  get remedy(): Remedy {
    return "retry"
  }

  /** Always `false`. */
  get isTerminal(): boolean {
    return false
  }

  /**
   * Wraps an `HttpClientError` of `@effect/platform` at the boundary: keeps the
   * method, the endpoint's origin and path (never its query), the status and the
   * reason, plus a system error code (`ECONNREFUSED`) when the cause has one. The
   * request and the cause themselves are dropped: their JSON would carry the URL's
   * query and headers.
   *
   * @since 0.1.0
   */
  static fromHttpClientError(error: HttpClientError.HttpClientError): TransportError {
    const code = systemErrorCode(error.cause)
    return new TransportError({
      reason: error._tag === "ResponseError" && error.reason !== "StatusCode" ? "Decode" : "Transport",
      method: error.request.method,
      endpoint: originAndPath(error.request.url),
      ...(error._tag === "ResponseError" ? { status: error.response.status } : {}),
      detail: `${error._tag} (${error.reason})${code === undefined ? "" : ` ${code}`}`,
      requestSent: error._tag === "ResponseError" ||
        (error.reason === "Transport" && (code === undefined || !notConnected.has(code)))
    })
  }

  override get message(): string {
    const status = this.status === undefined ? "" : ` HTTP ${this.status}`
    const detail = this.detail === undefined ? "" : `: ${this.detail}`
    const sent = this.requestSent === true
      ? "; the request may have reached the server, which may have acted on it"
      : this.requestSent === false
      ? "; the request was not sent"
      : ""
    return `${this.reason} error on ${this.method} ${this.endpoint}${status}${detail}${sent}`
  }
}

/**
 * The SDK was asked to do something its configuration does not allow: an `http:`
 * endpoint that is not loopback, a provider without the endpoint an operation
 * needs, a grant without the credential it needs (a refresh without a refresh
 * token), a key that cannot sign (`InvalidCredential`), a legacy grant that was
 * not enabled (`Unsupported`), or discovery metadata that is unusable.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigurationError extends Schema.TaggedError<ConfigurationError>(
  "@effect-oauth/core/ConfigurationError"
)("ConfigurationError", {
  reason: Schema.Literal(
    "InsecureUrl",
    "InvalidUrl",
    "MissingEndpoint",
    "MissingCredential",
    "InvalidCredential",
    "InvalidMetadata",
    "Unsupported"
  ),
  detail: Schema.String
}) {
  /** Always `fixConfiguration`. */
  get remedy(): Remedy {
    return "fixConfiguration"
  }

  override get message(): string {
    return `${this.reason}: ${this.detail}`
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
