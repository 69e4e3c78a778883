/**
 * Figma, as data.
 *
 * Quirks: client credentials go in the Basic header; the code exchange also
 * returns `user_id_string` (kept in the token set's extra fields); a refresh
 * returns no refresh token (the first one is kept).
 *
 * @see https://developers.figma.com/docs/rest-api/authentication/
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
  /** Scopes requested when a call names none. Default `["current_user:read"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The Figma preset: authorization and token endpoints, secrets in the Basic header, PKCE (S256).
 *
 * @example
 * ```ts
 * import { Figma } from "@effect-oauth/providers"
 *
 * const provider = Figma.make({ scopes: ["file_content:read"] })
 * ```
 *
 * @see https://developers.figma.com/docs/rest-api/authentication/
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "figma",
  authorizationEndpoint: "https://www.figma.com/oauth",
  tokenEndpoint: "https://api.figma.com/v1/oauth/token",
  tokenEndpointAuthMethodsSupported: ["client_secret_basic"],
  codeChallengeMethodsSupported: ["S256"],
  defaultScopes: options.scopes ?? ["current_user:read"]
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developers.figma.com/docs/rest-api/authentication/
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Figma",
  docs: "https://developers.figma.com/docs/rest-api/authentication/",
  refresh: "not rotated: a refresh returns no refresh token",
  quirks: "`user_id_string` beside the tokens; no RFC 7009 revocation; docs show no token error body",
  provider: make()
}
