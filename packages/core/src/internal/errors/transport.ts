/**
 * The errors of the transport (the request did not complete) and of the
 * configuration, re-exported by `OAuthError`.
 */
import type { HttpClientError } from "@effect/platform"
import { Predicate, Schema } from "effect"
import type { Remedy } from "../../OAuthError.js"

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
