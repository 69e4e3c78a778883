/**
 * Withings (Public Health Data API), as data plus quirk options.
 *
 * Quirks: the token endpoint is one action of Withings' web service: every
 * request carries `action=requesttoken`; the answer wraps the token response
 * as `{ "status": 0, "body": { … } }` (read through `wrappedIn`), with
 * `userid` kept in the extra fields and `scope` comma-separated; failures are
 * HTTP 200 with a non-zero `status` and an `error` text, read by
 * {@link tokenResponse}; each refresh returns a new refresh token (the old one
 * lives eight more hours or until the new access token is used).
 *
 * @see https://developer.withings.com/api-reference/#tag/oauth2/operation/oauth2-getaccesstoken
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import type * as Preset from "./Preset.js"

// Withings' response statuses and the RFC 6749 §5.2 code each range means.
// https://developer.withings.com/api-reference/#section/Response-status
// 100–102, 200 and 401 are failed authentications (a dead code or refresh
// token), 601 too many requests, 2555 an unknown server error; the rest
// (503 "Invalid Params", …) are request errors.
const statusCode = (status: number): string =>
  [100, 101, 102, 200, 401].includes(status)
    ? "invalid_grant"
    : status === 601
    ? "temporarily_unavailable"
    : status === 2555
    ? "server_error"
    : "invalid_request"

/**
 * The token-response quirks of Withings: the wrapped body, comma-separated
 * scopes, and a non-zero `status` read as an RFC 6749 code (`601`, too many
 * requests, as `temporarily_unavailable`; `503`, invalid parameters, as
 * `invalid_request`), Withings' status kept in `details`.
 *
 * @see https://developer.withings.com/api-reference/#section/Response-status
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  wrappedIn: "body",
  scopeSeparator: ",",
  readError: (body) => {
    const { status, error } = body
    if (typeof status !== "number" || status === 0) return undefined
    const code = statusCode(status)
    return {
      error: code,
      ...(typeof error === "string" ? { description: error } : {}),
      details: { provider_error: status },
      ...(code === "temporarily_unavailable" || code === "server_error" ? { remedy: "retry" as const } : {})
    }
  }
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Scopes requested when a call names none. Default `["user.info", "user.metrics"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** The HIPAA cloud (`account.us.withingsmed.com`, `wbsapi.us.withingsmed.net`). Default `false`. */
  readonly usCloud?: boolean | undefined
}

/**
 * The Withings preset: authorization and token endpoints, secrets in the body,
 * `action=requesttoken` on every token request, and {@link tokenResponse}.
 *
 * @example
 * ```ts
 * import { Withings } from "@effect-oauth/providers"
 *
 * const provider = Withings.make({ scopes: ["user.metrics", "user.activity"] })
 * ```
 *
 * @see https://developer.withings.com/developer-guide/v3/integration-guide/public-health-data-api/get-access/oauth-web-flow
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "withings",
  authorizationEndpoint: options.usCloud === true
    ? "https://account.us.withingsmed.com/oauth2_user/authorize2"
    : "https://account.withings.com/oauth2_user/authorize2",
  tokenEndpoint: options.usCloud === true ? "https://wbsapi.us.withingsmed.net/v2/oauth2" : "https://wbsapi.withings.net/v2/oauth2",
  tokenEndpointAuthMethodsSupported: ["client_secret_post"],
  defaultScopes: options.scopes ?? ["user.info", "user.metrics"],
  tokenResponse,
  requests: { tokenParams: { action: "requesttoken" } }
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developer.withings.com/developer-guide/v3/integration-guide/dropship-cellular/get-access/access-and-refresh-tokens/
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Withings",
  docs: "https://developer.withings.com/api-reference/#tag/oauth2/operation/oauth2-getaccesstoken",
  refresh: "rotating: one year; the old one lives 8 hours or until the new access token is used",
  quirks: "body wrapped in `{ status, body }`; `action=requesttoken`; errors in HTTP 200 by `status`",
  provider: make()
}
