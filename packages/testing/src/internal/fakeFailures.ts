import { OAuthError } from "@effect-oauth/core"

/**
 * The fake token endpoint, named by the errors below.
 *
 * @since 0.1.0
 * @category constants
 */
export const endpoint = "https://as.example/token"

/**
 * The connection reset before the request went out (`TransportError`, `Transport`): the grant is untouched.
 *
 * @since 0.1.0
 * @category errors
 */
export const transportError = () =>
  new OAuthError.TransportError({ reason: "Transport", method: "POST", endpoint, detail: "RequestError (Transport) ECONNRESET" })

/**
 * The connection dropped after the request went out (`requestSent: true`): the server may have acted on it.
 *
 * @since 0.1.0
 * @category errors
 */
export const responseLost = () =>
  new OAuthError.TransportError({
    reason: "Timeout",
    method: "POST",
    endpoint,
    detail: "no response within the time limit",
    requestSent: true
  })

/**
 * `503 temporarily_unavailable` (RFC 6749 §5.2 style), with `Retry-After` seconds when given (RFC 9110 §10.2.3).
 *
 * @since 0.1.0
 * @category errors
 */
export const unavailable = (retryAfter?: number) =>
  new OAuthError.OAuthError({
    error: "temporarily_unavailable",
    status: 503,
    remedy: "retry",
    endpoint,
    ...(retryAfter === undefined ? {} : { retryAfter })
  })

/**
 * `429 Too Many Requests` with `Retry-After` seconds (RFC 6585 §4).
 *
 * @since 0.1.0
 * @category errors
 */
export const tooManyRequests = (retryAfter: number) =>
  new OAuthError.InvalidTokenResponse({ reason: "UnexpectedStatus", status: 429, endpoint, retryAfter })

/**
 * `401 invalid_client` (RFC 6749 §5.2): a configuration error, not retried.
 *
 * @since 0.1.0
 * @category errors
 */
export const invalidClient = () =>
  new OAuthError.OAuthError({ error: "invalid_client", status: 401, remedy: "fixConfiguration", endpoint })

/**
 * `400 invalid_grant` (RFC 6749 §5.2): the grant is gone, the user must authorize again.
 *
 * @since 0.1.0
 * @category errors
 */
export const invalidGrant = (description = "grant request is invalid") =>
  new OAuthError.OAuthError({ error: "invalid_grant", description, status: 400, remedy: "reauthorize", endpoint })
