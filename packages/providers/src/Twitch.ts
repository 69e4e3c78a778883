/**
 * Twitch's OAuth endpoints (`id.twitch.tv`), as data plus one quirk hook. It is
 * also the worked example of `docs/providers.md` ("Adding a provider").
 *
 * Quirks: client credentials go in the body (`client_secret_post`); `scope` comes
 * back as a JSON array (read by `TokenResponse.parse` as is); and token endpoint
 * errors are `{ "status": 400, "message": "Invalid refresh token" }`, with no RFC
 * 6749 code, so {@link tokenResponse} reads the message into one: a dead refresh
 * token or code is `invalid_grant` (a session then ends in `revoked`), a wrong
 * secret `invalid_client`.
 *
 * @see https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import type * as Preset from "./Preset.js"

// Twitch's error messages and the RFC 6749 §5.2 code each one means.
// https://dev.twitch.tv/docs/authentication/refresh-tokens/
const codes: Readonly<Record<string, string>> = {
  "invalid refresh token": "invalid_grant",
  "invalid authorization code": "invalid_grant",
  "invalid client secret": "invalid_client",
  "invalid client": "invalid_client"
}

/**
 * The token-response quirks of Twitch: its `{ status, message }` errors read as
 * RFC 6749 error codes.
 *
 * @see https://dev.twitch.tv/docs/authentication/refresh-tokens/
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: (body) => {
    const message = body["message"]
    if (typeof message !== "string" || typeof body["status"] !== "number") return undefined
    const error = codes[message.toLowerCase()]
    return error === undefined ? undefined : { error, description: message }
  }
}

/**
 * Options of {@link make}.
 *
 * @see https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/#authorization-code-grant-flow
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `force_verify`: show the consent screen even when the user already authorized. */
  readonly forceVerify?: boolean | undefined
  /** Scopes requested when a call names none. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The Twitch preset: authorization, token, revocation (RFC 7009) and device
 * endpoints, client credentials in the body, and {@link tokenResponse}.
 *
 * @example
 * ```ts
 * import { Twitch } from "@effect-oauth/providers"
 *
 * const provider = Twitch.make({ scopes: ["user:read:email"], forceVerify: true })
 * ```
 *
 * @see https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/#authorization-code-grant-flow
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "twitch",
  issuer: "https://id.twitch.tv/oauth2",
  authorizationEndpoint: "https://id.twitch.tv/oauth2/authorize",
  tokenEndpoint: "https://id.twitch.tv/oauth2/token",
  revocationEndpoint: "https://id.twitch.tv/oauth2/revoke",
  deviceAuthorizationEndpoint: "https://id.twitch.tv/oauth2/device",
  userinfoEndpoint: "https://id.twitch.tv/oauth2/userinfo",
  jwksUri: "https://id.twitch.tv/oauth2/keys",
  tokenEndpointAuthMethodsSupported: ["client_secret_post"],
  ...(options.scopes === undefined ? {} : { defaultScopes: options.scopes }),
  tokenResponse,
  ...(options.forceVerify === undefined
    ? {}
    : { requests: { authorizationParams: { force_verify: String(options.forceVerify) } } })
})

/**
 * This preset's row of `docs/providers.md`.
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Twitch",
  docs: "https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/",
  refresh: "rotating: each refresh returns a new refresh token",
  quirks: "`{ status, message }` errors read as RFC codes; `scope` as a JSON array",
  provider: make()
}
