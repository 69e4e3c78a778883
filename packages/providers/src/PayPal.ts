/**
 * Log in with PayPal, as data.
 *
 * Quirks: client credentials go in the Basic header; the code exchange answers
 * `nonce` (kept in the extra fields) and a refresh token; the sandbox has its own
 * hosts (`sandbox: true`); no RFC 7009 revocation.
 *
 * @see https://developer.paypal.com/docs/log-in-with-paypal/integrate/
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
  /** Use the sandbox (`sandbox.paypal.com`, `api-m.sandbox.paypal.com`). Default `false`. */
  readonly sandbox?: boolean | undefined
  /** Scopes requested when a call names none. Default `["openid", "email"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The PayPal preset: authorization, token and userinfo endpoints, secrets in the Basic header.
 *
 * @example
 * ```ts
 * import { PayPal } from "@effect-oauth/providers"
 *
 * const provider = PayPal.make({ sandbox: true })
 * ```
 *
 * @see https://developer.paypal.com/docs/log-in-with-paypal/integrate/
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => {
  const sandbox = options.sandbox === true ? ".sandbox" : ""
  return {
    name: "paypal",
    authorizationEndpoint: `https://www${sandbox}.paypal.com/signin/authorize`,
    tokenEndpoint: `https://api-m${sandbox}.paypal.com/v1/oauth2/token`,
    userinfoEndpoint: `https://api-m${sandbox}.paypal.com/v1/identity/openidconnect/userinfo?schema=openid`,
    tokenEndpointAuthMethodsSupported: ["client_secret_basic"],
    defaultScopes: options.scopes ?? ["openid", "email"]
  }
}

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developer.paypal.com/docs/log-in-with-paypal/integrate/#link-exchangeauthorizationcodeforaccesstoken
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "PayPal",
  docs: "https://developer.paypal.com/docs/log-in-with-paypal/integrate/",
  refresh: "a refresh token with the code exchange; not rotated",
  quirks: "Basic auth; `nonce` beside the tokens; sandbox hosts (`sandbox`); token error bodies not documented",
  provider: make()
}
