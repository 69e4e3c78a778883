/**
 * X (formerly Twitter) OAuth 2.0 with PKCE, as data.
 *
 * Quirks: PKCE is required; confidential clients send their credentials in the
 * Basic header, public clients send `client_id` alone; a refresh token comes
 * with the `offline.access` scope and rotates on every refresh. The token
 * endpoint's error bodies are not shown in the documentation found, so no X
 * body is read specially: an error is read as RFC 6749 §5.2 reads it.
 *
 * @see https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token
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
  /** Scopes requested when a call names none. Default `["tweet.read", "users.read", "offline.access"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The X preset: authorization, token and revocation (RFC 7009) endpoints,
 * secrets in the Basic header, PKCE (S256).
 *
 * @example
 * ```ts
 * import { X } from "@effect-oauth/providers"
 *
 * const provider = X.make({ scopes: ["tweet.read", "users.read", "offline.access"] })
 * ```
 *
 * @see https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "x",
  authorizationEndpoint: "https://x.com/i/oauth2/authorize",
  tokenEndpoint: "https://api.x.com/2/oauth2/token",
  revocationEndpoint: "https://api.x.com/2/oauth2/revoke",
  userinfoEndpoint: "https://api.x.com/2/users/me",
  tokenEndpointAuthMethodsSupported: ["client_secret_basic", "none"],
  codeChallengeMethodsSupported: ["S256", "plain"],
  defaultScopes: options.scopes ?? ["tweet.read", "users.read", "offline.access"]
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "X",
  docs: "https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token",
  refresh: "rotating (`offline.access`)",
  quirks: "PKCE required; Basic auth for confidential clients; token error bodies not documented",
  provider: make()
}
