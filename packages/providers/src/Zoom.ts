/**
 * Zoom (general apps, user-authorized), as data plus its error body.
 *
 * Quirks: client credentials go in the Basic header; every refresh returns a
 * new refresh token and the old one stops working (90-day lifetime); `api_url`
 * is kept in the extra fields; errors carry the text as `reason`
 * (`{ "reason": "Invalid authorization code", "error": "invalid_grant" }`),
 * read by {@link tokenResponse} as the description.
 *
 * @see https://developers.zoom.us/docs/integrations/oauth/
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import * as vocabulary from "./internal/vocabulary.js"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks of Zoom: `reason` as the description; an
 * "Invalid Token!" `invalid_request` (a dead refresh token) read as `invalid_grant`.
 *
 * @see https://developers.zoom.us/docs/integrations/oauth-error-messages/
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: (body) => {
    const read = vocabulary.readError({
      description: "reason",
      codes: { invalid_grant: "invalid_grant", invalid_client: "invalid_client", unsupported_grant_type: "unsupported_grant_type" }
    })
    if (body["error"] === "invalid_request" && typeof body["reason"] === "string" && /invalid (token|authorization code)/i.test(body["reason"])) {
      const { error, reason, ...rest } = body
      return { error: "invalid_grant", description: reason, details: { ...rest, provider_error: error } }
    }
    return read(body)
  }
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
}

/**
 * The Zoom preset: authorization, token and revocation (RFC 7009) endpoints,
 * secrets in the Basic header, PKCE (S256), and {@link tokenResponse}.
 *
 * @example
 * ```ts
 * import { Zoom } from "@effect-oauth/providers"
 *
 * const provider = Zoom.make()
 * ```
 *
 * @see https://developers.zoom.us/docs/integrations/oauth/
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "zoom",
  authorizationEndpoint: "https://zoom.us/oauth/authorize",
  tokenEndpoint: "https://zoom.us/oauth/token",
  revocationEndpoint: "https://zoom.us/oauth/revoke",
  tokenEndpointAuthMethodsSupported: ["client_secret_basic"],
  codeChallengeMethodsSupported: ["S256", "plain"],
  ...(options.scopes === undefined ? {} : { defaultScopes: options.scopes }),
  tokenResponse
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developers.zoom.us/docs/integrations/oauth/#refreshing-an-access-token
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Zoom",
  docs: "https://developers.zoom.us/docs/integrations/oauth/",
  refresh: "rotating: each refresh invalidates the previous refresh token; 90 days",
  quirks: "Basic auth; `reason` instead of `error_description`; `api_url` beside the tokens",
  provider: make()
}
