/**
 * Reddit, as data plus one quirk hook.
 *
 * Quirks: client credentials go in the Basic header; a refresh token comes only
 * with `duration=permanent` (this preset asks for it) and is not rotated; every
 * request needs a descriptive `User-Agent` (Reddit throttles or refuses generic
 * ones), so `make` requires one; some errors come inside HTTP 200
 * (`{ "error": "invalid_grant" }`), and a wrong Basic credential answers
 * `{ "message": "Unauthorized", "error": 401 }`, read as `invalid_client`.
 *
 * @see https://github.com/reddit-archive/reddit/wiki/OAuth2
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks of Reddit: its numeric `error` bodies read as RFC 6749 codes.
 *
 * @see https://github.com/reddit-archive/reddit/wiki/OAuth2#retrieving-the-access-token
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: (body) => {
    const { error, message, ...rest } = body
    if (typeof error !== "number") return undefined
    const code = error === 401 ? "invalid_client" : error === 429 ? "temporarily_unavailable" : error >= 500 ? "server_error" : "invalid_request"
    return { error: code, ...(typeof message === "string" ? { description: message } : {}), details: { ...rest, provider_error: error } }
  }
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `User-Agent` for every request, as Reddit asks: `<platform>:<app id>:<version> (by /u/<username>)`. */
  readonly userAgent: string
  /** `duration`: `permanent` (default) for a refresh token, `temporary` for one hour only. */
  readonly duration?: "permanent" | "temporary" | undefined
  /** Scopes requested when a call names none. Default `["identity"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The Reddit preset: authorization, token and revocation (RFC 7009) endpoints,
 * secrets in the Basic header, the `User-Agent`, `duration=permanent`.
 *
 * @example
 * ```ts
 * import { Reddit } from "@effect-oauth/providers"
 *
 * const provider = Reddit.make({ userAgent: "web:com.example.app:v1.0 (by /u/example)" })
 * ```
 *
 * @see https://github.com/reddit-archive/reddit/wiki/OAuth2#authorization
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Provider.Provider => ({
  name: "reddit",
  authorizationEndpoint: "https://www.reddit.com/api/v1/authorize",
  tokenEndpoint: "https://www.reddit.com/api/v1/access_token",
  revocationEndpoint: "https://www.reddit.com/api/v1/revoke_token",
  userinfoEndpoint: "https://oauth.reddit.com/api/v1/me",
  tokenEndpointAuthMethodsSupported: ["client_secret_basic"],
  defaultScopes: options.scopes ?? ["identity"],
  tokenResponse,
  requests: {
    headers: { "user-agent": options.userAgent },
    authorizationParams: { duration: options.duration ?? "permanent" }
  }
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://github.com/reddit-archive/reddit/wiki/OAuth2#refreshing-the-token
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Reddit",
  docs: "https://github.com/reddit-archive/reddit/wiki/OAuth2",
  refresh: "not rotated; only with `duration=permanent`",
  quirks: "Basic auth; required `User-Agent`; errors in HTTP 200; numeric `error` read as RFC codes",
  provider: make({ userAgent: "web:com.example.app:v1.0 (by /u/example)" })
}
