/**
 * Yandex ID, as data.
 *
 * Quirks: access tokens live a year (`expires_in` in seconds); a refresh
 * returns a new refresh token. The token endpoint's error bodies are not shown
 * in the documentation this preset follows, so no Yandex code is mapped: an
 * error is read as RFC 6749 §5.2 reads it.
 *
 * @see https://yandex.com/dev/id/doc/en/codes/code-url
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
  /** Scopes requested when a call names none (the app's configured scopes otherwise). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** `force_confirm`: ask the user to confirm even when already authorized. */
  readonly forceConfirm?: boolean | undefined
}

/**
 * The Yandex preset: authorization and token endpoints, secrets in the body or
 * the Basic header, PKCE (S256).
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
  quirks: "no RFC 7009 revocation; token error bodies not documented",
  provider: make()
}
