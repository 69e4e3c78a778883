/**
 * Yandex ID, as data plus its error codes.
 *
 * Quirks: access tokens live a year (`expires_in` in seconds); a refresh
 * returns a new refresh token; Yandex answers a wrong or expired code with
 * `bad_verification_code` and a wrong client with `invalid_client` or
 * `unauthorized_client`; {@link tokenResponse} reads its own codes as RFC 6749 codes.
 *
 * @see https://yandex.com/dev/id/doc/en/codes/code-url
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import * as vocabulary from "./internal/vocabulary.js"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks of Yandex: `bad_verification_code` and
 * `authorization_pending`-style codes read as RFC 6749 codes.
 *
 * @see https://yandex.com/dev/id/doc/en/codes/code-url#code-response
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: vocabulary.readError({
    codes: {
      bad_verification_code: "invalid_grant",
      invalid_refresh_token: "invalid_grant",
      unsupported_token_type: "unsupported_token_type"
    }
  })
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Scopes requested when a call names none (the app's configured scopes otherwise). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** `force_confirm`: ask the user to confirm even when already authorized. */
  readonly forceConfirm?: boolean | undefined
}

/**
 * The Yandex preset: authorization and token endpoints, secrets in the body or
 * the Basic header, PKCE (S256), and {@link tokenResponse}.
 *
 * @example
 * ```ts
 * import { Yandex } from "@effect-oauth/providers"
 *
 * const provider = Yandex.make({ scopes: ["login:info", "login:email"] })
 * ```
 *
 * @see https://yandex.com/dev/id/doc/en/codes/code-url
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "yandex",
  authorizationEndpoint: "https://oauth.yandex.com/authorize",
  tokenEndpoint: "https://oauth.yandex.com/token",
  userinfoEndpoint: "https://login.yandex.ru/info?format=json",
  tokenEndpointAuthMethodsSupported: ["client_secret_post", "client_secret_basic"],
  codeChallengeMethodsSupported: ["S256", "plain"],
  ...(options.scopes === undefined ? {} : { defaultScopes: options.scopes }),
  tokenResponse,
  ...(options.forceConfirm === undefined ? {} : { requests: { authorizationParams: { force_confirm: options.forceConfirm ? "yes" : "no" } } })
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://yandex.com/dev/id/doc/en/tokens/refresh-client
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Yandex",
  docs: "https://yandex.com/dev/id/doc/en/codes/code-url",
  refresh: "a new refresh token with every refresh; one-year access tokens",
  quirks: "`bad_verification_code` read as `invalid_grant`; no RFC 7009 revocation",
  provider: make()
}
