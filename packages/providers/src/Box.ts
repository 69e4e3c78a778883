/**
 * Box, as data.
 *
 * Quirks: refresh tokens are single use and last 60 days: every refresh
 * returns a new one and the old one is dead at once (the session stores the
 * new one before handing out the access token); `restricted_to` is kept in the
 * token set's extra fields.
 *
 * @see https://developer.box.com/guides/authentication/oauth2/
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
  /** Scopes requested when a call names none (Box takes the app's configured scopes otherwise). */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The Box preset: authorization, token and revocation (RFC 7009) endpoints, secrets in the body.
 *
 * @example
 * ```ts
 * import { Box } from "@effect-oauth/providers"
 *
 * const provider = Box.make()
 * ```
 *
 * @see https://developer.box.com/reference/post-oauth2-token/
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "box",
  authorizationEndpoint: "https://account.box.com/api/oauth2/authorize",
  tokenEndpoint: "https://api.box.com/oauth2/token",
  revocationEndpoint: "https://api.box.com/oauth2/revoke",
  tokenEndpointAuthMethodsSupported: ["client_secret_post"],
  ...(options.scopes === undefined ? {} : { defaultScopes: options.scopes })
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developer.box.com/guides/authentication/tokens/refresh/
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Box",
  docs: "https://developer.box.com/reference/post-oauth2-token/",
  refresh: "rotating, single use; 60 days",
  quirks: "`restricted_to` kept in extra fields; the error body for a dead refresh token is not documented",
  provider: make()
}
