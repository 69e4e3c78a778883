/**
 * X (formerly Twitter) OAuth 2.0 with PKCE, as data plus its error body.
 *
 * Quirks: PKCE is required; confidential clients send their credentials in the
 * Basic header, public clients send `client_id` alone; a refresh token comes
 * with the `offline.access` scope and rotates on every refresh; rate limits
 * answer HTTP 429 with an RFC 7807 problem body
 * (`{ "title": "Too Many Requests", "status": 429, … }`), read as
 * `temporarily_unavailable`.
 *
 * @see https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks of X: its problem-details rate-limit body as
 * `temporarily_unavailable`, and "Value passed for the token was invalid"
 * (`invalid_request`, a used or revoked refresh token) as `invalid_grant`.
 *
 * @see https://docs.x.com/x-api/fundamentals/rate-limits
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: (body) => {
    // A used (rotated) or revoked refresh token is answered `invalid_request`.
    const { error: own, error_description } = body
    if (own === "invalid_request" && typeof error_description === "string" && /token was invalid/i.test(error_description)) {
      return { error: "invalid_grant", description: error_description, details: { provider_error: own } }
    }
    const { title, detail, status, ...rest } = body
    if (typeof title !== "string" || typeof status !== "number" || body["error"] !== undefined) return undefined
    const error = status === 429 ? "temporarily_unavailable" : status === 401 ? "invalid_client" : status >= 500 ? "server_error" : "invalid_request"
    return { error, description: typeof detail === "string" ? detail : title, details: { ...rest, title, status } }
  }
}

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
 * secrets in the Basic header, PKCE (S256), and {@link tokenResponse}.
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
  defaultScopes: options.scopes ?? ["tweet.read", "users.read", "offline.access"],
  tokenResponse
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
  quirks: "PKCE required; Basic auth for confidential clients; 429 problem body → `temporarily_unavailable`; a dead refresh token's `invalid_request` → `invalid_grant`",
  provider: make()
}
