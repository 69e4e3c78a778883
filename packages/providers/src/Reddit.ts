/**
 * Reddit, as data.
 *
 * Quirks: client credentials go in the Basic header; a refresh token comes only
 * with `duration=permanent` (this preset asks for it) and is not rotated; every
 * request needs a descriptive `User-Agent` (Reddit throttles or refuses generic
 * ones), so `make` requires one. The token endpoint's error bodies are not
 * shown in the documentation found, so none is read specially.
 *
 * @see https://github.com/reddit-archive/reddit/wiki/OAuth2
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import type * as Preset from "./Preset.js"

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
  quirks: "Basic auth; required `User-Agent`; token error bodies not documented",
  provider: make({ userAgent: "web:com.example.app:v1.0 (by /u/example)" })
}
