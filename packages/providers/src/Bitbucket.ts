/**
 * Bitbucket Cloud, as data.
 *
 * Quirks: the granted scopes come back as `scopes` (not RFC 6749's `scope`,
 * kept in the token set's extra fields); client credentials go in the Basic
 * header; access tokens last two hours and a refresh returns a refresh token.
 *
 * @see https://developer.atlassian.com/cloud/bitbucket/oauth-2/
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
  /** Scopes requested when a call names none (Bitbucket takes the consumer's configured scopes otherwise). */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The Bitbucket preset: authorization and token endpoints, secrets in the Basic header.
 *
 * @example
 * ```ts
 * import { Bitbucket } from "@effect-oauth/providers"
 *
 * const provider = Bitbucket.make({ scopes: ["account", "repository"] })
 * ```
 *
 * @see https://developer.atlassian.com/cloud/bitbucket/oauth-2/
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "bitbucket",
  authorizationEndpoint: "https://bitbucket.org/site/oauth2/authorize",
  tokenEndpoint: "https://bitbucket.org/site/oauth2/access_token",
  userinfoEndpoint: "https://api.bitbucket.org/2.0/user",
  tokenEndpointAuthMethodsSupported: ["client_secret_basic"],
  ...(options.scopes === undefined ? {} : { defaultScopes: options.scopes })
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developer.atlassian.com/cloud/bitbucket/oauth-2/
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Bitbucket",
  docs: "https://developer.atlassian.com/cloud/bitbucket/oauth-2/",
  refresh: "a refresh token with every token; two-hour access tokens",
  quirks: "granted scopes in `scopes`, not `scope`; no RFC 7009 revocation; token error bodies not documented",
  provider: make()
}
