/**
 * Dropbox, as data.
 *
 * Quirks: a refresh token comes only with `token_access_type=offline` (this
 * preset sends it; `online` gives a short-lived token alone); a refresh returns
 * no refresh token (the first one is kept and lasts until revoked); `account_id`
 * and `uid` are kept in the token set's extra fields. Revocation is Dropbox's own
 * RPC call (`/2/auth/token/revoke` with the token as Bearer), not RFC 7009.
 *
 * @see https://www.dropbox.com/developers/documentation/http/documentation#oauth2-token
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
  /** `token_access_type`: `offline` (default) asks for a refresh token. */
  readonly tokenAccessType?: "offline" | "online" | undefined
  /** Scopes requested when a call names none (the app's configured scopes otherwise). */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The Dropbox preset: authorization and token endpoints, secrets in the Basic
 * header, PKCE (S256), `token_access_type=offline`.
 *
 * @example
 * ```ts
 * import { Dropbox } from "@effect-oauth/providers"
 *
 * const provider = Dropbox.make({ scopes: ["account_info.read", "files.content.read"] })
 * ```
 *
 * @see https://www.dropbox.com/developers/documentation/http/documentation#oauth2-authorize
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "dropbox",
  authorizationEndpoint: "https://www.dropbox.com/oauth2/authorize",
  tokenEndpoint: "https://api.dropboxapi.com/oauth2/token",
  tokenEndpointAuthMethodsSupported: ["client_secret_basic", "client_secret_post"],
  codeChallengeMethodsSupported: ["S256", "plain"],
  ...(options.scopes === undefined ? {} : { defaultScopes: options.scopes }),
  requests: { authorizationParams: { token_access_type: options.tokenAccessType ?? "offline" } }
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://www.dropbox.com/developers/documentation/http/documentation#oauth2-token
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Dropbox",
  docs: "https://www.dropbox.com/developers/documentation/http/documentation#oauth2-token",
  refresh: "not rotated; long-lived until revoked (`token_access_type=offline`)",
  quirks: "`token_access_type=offline`; revocation is an RPC call, not RFC 7009; token error bodies not documented",
  provider: make()
}
