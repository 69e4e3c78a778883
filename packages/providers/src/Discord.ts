/**
 * Discord, as data plus its rate-limit body.
 *
 * Quirks: a rate-limited request gets HTTP 429 with
 * `{ "message": "You are being rate limited.", "retry_after": 64.57, "global": false }`
 * and no RFC 6749 code: {@link tokenResponse} reads it as
 * `temporarily_unavailable` (remedy `retry`), with Discord's fields in `details`.
 *
 * @see https://discord.com/developers/docs/topics/oauth2
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks of Discord: its rate-limit body as `temporarily_unavailable`.
 *
 * @see https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: (body) => {
    if (typeof body["retry_after"] !== "number" || typeof body["message"] !== "string") return undefined
    const { message, ...details } = body
    return { error: "temporarily_unavailable", description: message, details, remedy: "retry" }
  }
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Scopes requested when a call names none. Default `["identify"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** `prompt=none` skips the consent screen for a user who already authorized. */
  readonly prompt?: "consent" | "none" | undefined
}

/**
 * The Discord preset: authorization, token and revocation (RFC 7009) endpoints,
 * secrets in the Basic header, and {@link tokenResponse}.
 *
 * @example
 * ```ts
 * import { Discord } from "@effect-oauth/providers"
 *
 * const provider = Discord.make({ scopes: ["identify", "email"] })
 * ```
 *
 * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "discord",
  authorizationEndpoint: "https://discord.com/oauth2/authorize",
  tokenEndpoint: "https://discord.com/api/oauth2/token",
  revocationEndpoint: "https://discord.com/api/oauth2/token/revoke",
  userinfoEndpoint: "https://discord.com/api/users/@me",
  tokenEndpointAuthMethodsSupported: ["client_secret_basic", "client_secret_post"],
  codeChallengeMethodsSupported: ["S256"],
  defaultScopes: options.scopes ?? ["identify"],
  tokenResponse,
  ...(options.prompt === undefined ? {} : { requests: { authorizationParams: { prompt: options.prompt } } })
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://discord.com/developers/docs/topics/oauth2#authorization-code-grant-refresh-token-exchange-example
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Discord",
  docs: "https://discord.com/developers/docs/topics/oauth2",
  refresh: "a new refresh token with every refresh",
  quirks: "HTTP 429 `{ message, retry_after }` read as `temporarily_unavailable`; other token error bodies not documented",
  provider: make()
}
