/**
 * LINE Login v2.1, as data. LINE Login is OpenID Connect; its token responses
 * are RFC 6749 JSON with an ID token when `openid` is requested.
 *
 * Quirks: access tokens last 30 days; a refresh token is valid up to 90 days
 * after the access token was issued and a refresh may return a new one;
 * revocation (RFC 7009) takes the access token.
 *
 * @see https://developers.line.biz/en/reference/line-login/#issue-access-token
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
  /** Scopes requested when a call names none. Default `["profile", "openid"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** `bot_prompt`: offer to add the channel's LINE Official Account as a friend. */
  readonly botPrompt?: "normal" | "aggressive" | undefined
}

/**
 * The LINE Login preset: authorization, token, revocation (RFC 7009), userinfo
 * and key-set endpoints, secrets in the body, PKCE (S256).
 *
 * @example
 * ```ts
 * import { Line } from "@effect-oauth/providers"
 *
 * const provider = Line.make({ scopes: ["profile", "openid", "email"] })
 * ```
 *
 * @see https://developers.line.biz/en/docs/line-login/integrate-line-login/
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "line",
  issuer: "https://access.line.me",
  authorizationEndpoint: "https://access.line.me/oauth2/v2.1/authorize",
  tokenEndpoint: "https://api.line.me/oauth2/v2.1/token",
  revocationEndpoint: "https://api.line.me/oauth2/v2.1/revoke",
  userinfoEndpoint: "https://api.line.me/oauth2/v2.1/userinfo",
  jwksUri: "https://api.line.me/oauth2/v2.1/certs",
  tokenEndpointAuthMethodsSupported: ["client_secret_post"],
  codeChallengeMethodsSupported: ["S256"],
  defaultScopes: options.scopes ?? ["profile", "openid"],
  ...(options.botPrompt === undefined ? {} : { requests: { authorizationParams: { bot_prompt: options.botPrompt } } })
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developers.line.biz/en/reference/line-login/#refresh-access-token
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "LINE",
  docs: "https://developers.line.biz/en/reference/line-login/#issue-access-token",
  refresh: "up to 90 days after the access token; a refresh returns a refresh token",
  quirks: "`bot_prompt`; 30-day access tokens; token error bodies not documented",
  provider: make()
}
