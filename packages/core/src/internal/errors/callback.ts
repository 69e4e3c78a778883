/**
 * The errors of an authorization response (the callback) and of a device
 * authorization's end, re-exported by `OAuthError`.
 */
import { Schema } from "effect"
import type { Remedy } from "../../OAuthError.js"

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
