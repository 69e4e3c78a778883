/**
 * Yahoo (OpenID Connect at api.login.yahoo.com), as data.
 *
 * Quirks: the token response adds `xoauth_yahoo_guid` (kept in the extra
 * fields); refresh tokens do not expire and are not rotated (a refresh returns
 * the same one); no RFC 7009 revocation.
 *
 * @see https://developer.yahoo.com/oauth2/guide/flows_authcode/
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
  /** Scopes requested when a call names none. Default `["openid", "email", "profile"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The Yahoo preset: authorization, token, userinfo and key-set endpoints,
 * secrets in the Basic header.
 *
 * @example
 * ```ts
 * import { Yahoo } from "@effect-oauth/providers"
 *
 * const provider = Yahoo.make()
 * ```
 *
 * @see https://developer.yahoo.com/oauth2/guide/openid_connect/getting_started.html
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "yahoo",
  issuer: "https://api.login.yahoo.com",
  authorizationEndpoint: "https://api.login.yahoo.com/oauth2/request_auth",
  tokenEndpoint: "https://api.login.yahoo.com/oauth2/get_token",
  userinfoEndpoint: "https://api.login.yahoo.com/openid/v1/userinfo",
  jwksUri: "https://api.login.yahoo.com/openid/v1/certs",
  tokenEndpointAuthMethodsSupported: ["client_secret_basic", "client_secret_post"],
  defaultScopes: options.scopes ?? ["openid", "email", "profile"]
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developer.yahoo.com/oauth2/guide/flows_authcode/#refresh-token-label
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Yahoo",
  docs: "https://developer.yahoo.com/oauth2/guide/flows_authcode/",
  refresh: "not rotated; no expiry (ends when the user revokes)",
  quirks: "`xoauth_yahoo_guid` beside the tokens; no RFC 7009 revocation; token error bodies not documented",
  provider: make()
}
