import { Clock, Duration, Effect, Either, Redacted } from "effect"
import * as OAuthClient from "../OAuthClient.js"
import { AuthorizationDenied, DeviceCodeExpired, InvalidTokenResponse } from "../OAuthError.js"
import type { DevicePollError, OAuthError, TokenEndpointError } from "../OAuthError.js"
import type { TokenSet } from "../TokenSet.js"
import * as http from "./http.js"

/** @internal */
export const deviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default."
const defaultInterval = 5

const known: ReadonlySet<string> = new Set([
  "device_code",
  "user_code",
  "verification_uri",
  "verification_url",
  "verification_uri_complete",
  "expires_in",
  "interval"
])

const isWebUrl = (value: string): boolean => {
  try {
    const url = new URL(value)
    return url.protocol === "https:" || url.protocol === "http:"
  } catch {
    return false
  }
}

const seconds = (value: unknown): number | undefined => {
  const number = typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value
  return typeof number === "number" && Number.isFinite(number) && number >= 0 ? number : undefined
}

/**
 * Reads a device authorization response (RFC 8628 §3.2). An error body (any
 * status) is an `OAuthError`; a missing or mistyped required field is
 * `InvalidTokenResponse` naming the field.
 *
 * @internal
 */
export const readAuthorization = (
  response: http.RawResponse,
  options: {
    readonly requestedAt: number
    readonly scopes: ReadonlyArray<string>
    readonly context: http.ErrorContext
  }
): Effect.Effect<OAuthClient.DeviceAuthorization, OAuthError | InvalidTokenResponse> => {
  const body = http.jsonObject(response.body)
  if (response.status < 200 || response.status >= 300 || (body !== undefined && typeof body["error"] === "string")) {
    return http.failure(response, options.context)
  }
  const invalid = (field: string | undefined, detail: string | undefined, reason: "NotJson" | "InvalidField" = "InvalidField") =>
    Effect.fail(
      new InvalidTokenResponse({
        reason,
        status: response.status,
        endpoint: options.context.endpoint,
        ...(field === undefined ? {} : { field }),
        ...(detail === undefined ? {} : { detail }),
        ...http.excerptOf(response, body)
      })
    )
  if (body === undefined) return invalid(undefined, undefined, "NotJson")
  const text = (field: string): string | undefined => {
    const value = body[field]
    return typeof value === "string" && value !== "" ? value : undefined
  }
  const deviceCode = text("device_code")
  if (deviceCode === undefined) return invalid("device_code", "is missing or not a non-empty string")
  const userCode = text("user_code")
  if (userCode === undefined) return invalid("user_code", "is missing or not a non-empty string")
  // Google's device endpoint names it `verification_url`
  // (https://developers.google.com/identity/protocols/oauth2/limited-input-device#step-2:-handle-the-authorization-server-response).
  const verificationUri = text("verification_uri") ?? text("verification_url")
  if (verificationUri === undefined) return invalid("verification_uri", "is missing or not a non-empty string")
  // The device shows or opens these URIs: anything but a web URL (`javascript:`,
  // `file:`) from a hostile or broken server is refused.
  if (!isWebUrl(verificationUri)) return invalid("verification_uri", "is not an http(s) URL")
  const complete = body["verification_uri_complete"]
  if (complete !== undefined && (typeof complete !== "string" || !isWebUrl(complete))) {
    return invalid("verification_uri_complete", "is not an http(s) URL")
  }
  const expiresIn = seconds(body["expires_in"])
  if (expiresIn === undefined || expiresIn === 0) return invalid("expires_in", "is missing or not a positive number of seconds")
  const interval = body["interval"] === undefined ? defaultInterval : seconds(body["interval"])
  if (interval === undefined) return invalid("interval", "is not a non-negative number of seconds")
  const extra: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(body)) {
    if (!known.has(field)) extra[field] = value
  }
  return Effect.succeed(
    new OAuthClient.DeviceAuthorization({
      deviceCode: Redacted.make(deviceCode),
      userCode,
      verificationUri,
      ...(typeof complete === "string" ? { verificationUriComplete: complete } : {}),
      expiresAt: options.requestedAt + expiresIn * 1000,
      // At least a second between polls, whatever the server says.
      interval: Math.max(1, interval),
      scopes: options.scopes,
      extra
    })
  )
}

/** A failure after which polling continues with a longer interval (RFC 8628 §3.5). */
const isTransient = (error: TokenEndpointError): boolean =>
  error._tag === "TransportError" ||
  (error._tag === "InvalidTokenResponse" && (error.status >= 500 || error.status === 429))

/** A token request with client authentication, parsed by `TokenResponse.parse`. @internal */
export type TokenRequest = (
  params: Record<string, string>,
  requestedScopes: ReadonlyArray<string>,
  secrets: ReadonlyArray<Redacted.Redacted<string>>
) => Effect.Effect<TokenSet, TokenEndpointError>

/**
 * Polls the token endpoint with the device code (RFC 8628 §3.4, §3.5).
 *
 * @internal
 */
export const poll = (
  tokenRequest: TokenRequest,
  authorization: OAuthClient.DeviceAuthorization,
  options: OAuthClient.PollOptions = {}
): Effect.Effect<TokenSet, DevicePollError> => {
  const params = { grant_type: deviceCodeGrantType, device_code: Redacted.value(authorization.deviceCode) }
  const expired = (description?: string | undefined) =>
    new DeviceCodeExpired({
      expiresAt: authorization.expiresAt,
      ...(description === undefined ? {} : { description })
    })
  const report = (poll: OAuthClient.DevicePoll) => options.onPoll === undefined ? Effect.void : options.onPoll(poll)

  const loop = (attempt: number, interval: number, wait: number): Effect.Effect<TokenSet, DevicePollError> =>
    Effect.gen(function*() {
      const remaining = authorization.expiresAt - (yield* Clock.currentTimeMillis)
      // No request after the device code's expiry: it can only be refused.
      if (wait * 1000 >= remaining) {
        if (remaining > 0) yield* Effect.sleep(Duration.millis(remaining))
        return yield* expired()
      }
      yield* Effect.sleep(Duration.seconds(wait))
      const result = yield* Effect.either(tokenRequest(params, authorization.scopes, [authorization.deviceCode]))
      if (Either.isRight(result)) return result.right
      const error = result.left
      if (error._tag === "OAuthError") {
        switch (error.error) {
          case "authorization_pending":
            yield* report({ attempt, outcome: "authorization_pending", interval })
            return yield* loop(attempt + 1, interval, interval)
          case "slow_down": {
            // "the interval MUST be increased by 5 seconds for this and all subsequent requests";
            // GitHub also names the new interval in the error body, which may be longer
            // (https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#error-codes-for-the-device-flow).
            const named = seconds(error.details?.["interval"])
            const slower = Math.max(interval + 5, named ?? 0)
            yield* report({ attempt, outcome: "slow_down", interval: slower })
            return yield* loop(attempt + 1, slower, slower)
          }
          case "access_denied":
            return yield* new AuthorizationDenied({
              error: error.error,
              ...(error.description === undefined ? {} : { description: error.description }),
              ...(error.uri === undefined ? {} : { uri: error.uri })
            })
          case "expired_token":
            return yield* expired(error.description)
        }
        // "If the client receives an error response with any other error code, it MUST stop polling."
        return yield* error
      }
      if (isTransient(error)) {
        // A network failure or an overloaded server: back off exponentially.
        const slower = interval * 2
        const retryAfter = error._tag === "InvalidTokenResponse" ? error.retryAfter : undefined
        const next = Math.max(slower, retryAfter ?? 0)
        yield* report({ attempt, outcome: "transient", interval: next })
        return yield* loop(attempt + 1, slower, next)
      }
      return yield* error
    })

  return loop(1, authorization.interval, authorization.interval)
}
