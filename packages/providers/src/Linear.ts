/**
 * Linear, as data.
 *
 * Quirks: `scope` may come back as a JSON array (read as is); apps created
 * since October 2025 get 24-hour access tokens with a rotating refresh token,
 * older apps a ten-year access token and no refresh token; revocation (RFC
 * 7009) at `/oauth/revoke`.
 *
 * @see https://linear.app/developers/oauth-2-0-authentication
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
  /** Scopes requested when a call names none. Default `["read"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** `actor=app`: act as the application rather than the user. */
  readonly actor?: "user" | "app" | undefined
}

/**
 * The Linear preset: authorization, token and revocation endpoints, secrets in
 * the body, PKCE (S256); `scope` read back as an array or a joined string.
 *
 * @example
 * ```ts
 * import { Linear } from "@effect-oauth/providers"
 *
 * const provider = Linear.make({ scopes: ["read", "write"] })
 * ```
 *
 * @see https://linear.app/developers/oauth-2-0-authentication
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "linear",
  authorizationEndpoint: "https://linear.app/oauth/authorize",
  tokenEndpoint: "https://api.linear.app/oauth/token",
  revocationEndpoint: "https://api.linear.app/oauth/revoke",
  tokenEndpointAuthMethodsSupported: ["client_secret_post"],
  codeChallengeMethodsSupported: ["S256"],
  defaultScopes: options.scopes ?? ["read"],
  tokenResponse: { scopeSeparator: "any" },
  ...(options.actor === undefined ? {} : { requests: { authorizationParams: { actor: options.actor } } })
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://linear.app/developers/oauth-2-0-authentication#refresh-an-access-token
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Linear",
  docs: "https://linear.app/developers/oauth-2-0-authentication",
  refresh: "rotating for apps since October 2025; none for older apps (ten-year token)",
  quirks: "`scope` as an array or a comma- or space-joined string; `actor=app`",
  provider: make()
}
