/**
 * Strava, as data plus one quirk hook.
 *
 * Quirks: the token response has both `expires_in` and the absolute
 * `expires_at` (epoch seconds; `expires_in` is read first); a refresh may
 * return a new refresh token, and the old one then stops working; the code
 * exchange embeds the `athlete` (kept in the extra fields); the granted scopes
 * come only in the callback URL (`scope=read,activity:read`, comma-separated:
 * read them with {@link grantedScopes}); errors are
 * `{ "message": "Bad Request", "errors": [{ "resource", "field", "code" }] }`,
 * read by {@link tokenResponse} as RFC 6749 codes.
 *
 * @see https://developers.strava.com/docs/authentication/
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import type * as Preset from "./Preset.js"

// Strava's `errors[0].resource` and the RFC 6749 §5.2 code a failure of it means.
const resources: Readonly<Record<string, string>> = {
  RefreshToken: "invalid_grant",
  AuthorizationCode: "invalid_grant",
  Application: "invalid_client"
}

/**
 * The token-response quirks of Strava: its `errors` array read as an RFC 6749
 * code (a rate limit as `temporarily_unavailable`), Strava's fields in `details`.
 *
 * @see https://developers.strava.com/docs/#client-code
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: (body) => {
    const { message, errors, ...rest } = body
    if (typeof message !== "string" || !Array.isArray(errors)) return undefined
    const first: unknown = errors[0]
    const resource = typeof first === "object" && first !== null ? (first as Record<string, unknown>)["resource"] : undefined
    const field = typeof first === "object" && first !== null ? (first as Record<string, unknown>)["field"] : undefined
    const error = field === "rate limit"
      ? "temporarily_unavailable"
      : (typeof resource === "string" ? resources[resource] : undefined) ?? "invalid_request"
    return { error, description: message, details: { ...rest, errors } }
  }
}

/**
 * The scopes the athlete granted, from the callback URL's `scope` parameter
 * (the athlete may untick some of those requested).
 *
 * @see https://developers.strava.com/docs/authentication/#detailsaboutrequestingaccess
 * @since 0.1.0
 * @category parsing
 */
export const grantedScopes = (callback: URL): ReadonlyArray<string> =>
  (callback.searchParams.get("scope") ?? "").split(",").map((scope) => scope.trim()).filter((scope) => scope.length > 0)

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Scopes requested when a call names none. Default `["read"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** `approval_prompt`: `force` shows the page even when already authorized. */
  readonly approvalPrompt?: "auto" | "force" | undefined
}

/**
 * The Strava preset: authorization and token endpoints, secrets in the body,
 * comma-separated scopes, and {@link tokenResponse}.
 *
 * @example
 * ```ts
 * import { Strava } from "@effect-oauth/providers"
 *
 * const provider = Strava.make({ scopes: ["read", "activity:read"] })
 * ```
 *
 * @see https://developers.strava.com/docs/authentication/#requestingaccess
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "strava",
  authorizationEndpoint: "https://www.strava.com/oauth/authorize",
  tokenEndpoint: "https://www.strava.com/oauth/token",
  tokenEndpointAuthMethodsSupported: ["client_secret_post"],
  defaultScopes: options.scopes ?? ["read"],
  tokenResponse: { ...tokenResponse, scopeSeparator: "," },
  ...(options.approvalPrompt === undefined ? {} : { requests: { authorizationParams: { approval_prompt: options.approvalPrompt } } })
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developers.strava.com/docs/authentication/#refreshingexpiredaccesstokens
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Strava",
  docs: "https://developers.strava.com/docs/authentication/",
  refresh: "may rotate: a new refresh token invalidates the old one",
  quirks: "`expires_at` beside `expires_in`; granted scopes only in the callback (`Strava.grantedScopes`); `errors` array read as RFC codes",
  provider: make()
}
