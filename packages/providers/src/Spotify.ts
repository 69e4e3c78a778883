/**
 * Spotify, as data.
 *
 * Quirks: client credentials go in the Basic header (or PKCE alone for public
 * clients); a refresh may or may not return a new refresh token (when it does
 * not, the previous one is kept); no RFC 7009 revocation.
 *
 * @see https://developer.spotify.com/documentation/web-api/tutorials/code-flow
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
  /** Scopes requested when a call names none. Default `["user-read-email"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** `show_dialog`: ask again even when the user already approved. */
  readonly showDialog?: boolean | undefined
}

/**
 * The Spotify preset: authorization and token endpoints, secrets in the Basic header, PKCE (S256).
 *
 * @example
 * ```ts
 * import { Spotify } from "@effect-oauth/providers"
 *
 * const provider = Spotify.make({ scopes: ["user-read-private", "user-read-email"] })
 * ```
 *
 * @see https://developer.spotify.com/documentation/web-api/tutorials/code-pkce-flow
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "spotify",
  authorizationEndpoint: "https://accounts.spotify.com/authorize",
  tokenEndpoint: "https://accounts.spotify.com/api/token",
  userinfoEndpoint: "https://api.spotify.com/v1/me",
  tokenEndpointAuthMethodsSupported: ["client_secret_basic", "client_secret_post"],
  codeChallengeMethodsSupported: ["S256"],
  defaultScopes: options.scopes ?? ["user-read-email"],
  ...(options.showDialog === undefined ? {} : { requests: { authorizationParams: { show_dialog: String(options.showDialog) } } })
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developer.spotify.com/documentation/web-api/tutorials/refreshing-tokens
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Spotify",
  docs: "https://developer.spotify.com/documentation/web-api/tutorials/code-flow",
  refresh: "a refresh may or may not return a new refresh token",
  quirks: "Basic auth; `show_dialog`",
  provider: make()
}
