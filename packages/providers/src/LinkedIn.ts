/**
 * LinkedIn (Sign In with LinkedIn using OpenID Connect, and the member APIs), as data.
 *
 * Quirks: `scope` comes back comma-separated; programmatic refresh tokens
 * (approved partners only) come with `refresh_token_expires_in` (one year,
 * not extended by refreshing). The token endpoint's error bodies are not shown
 * in the documentation found, so none is read specially.
 *
 * @see https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks of LinkedIn: comma-separated scopes.
 *
 * @see https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow#step-3-exchange-authorization-code-for-an-access-token
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  scopeSeparator: "any"
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Scopes requested when a call names none. Default `["openid", "profile", "email"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The LinkedIn preset: authorization, token, revocation, introspection,
 * userinfo and key-set endpoints, secrets in the body, and {@link tokenResponse}.
 *
 * @example
 * ```ts
 * import { LinkedIn } from "@effect-oauth/providers"
 *
 * const provider = LinkedIn.make()
 * ```
 *
 * @see https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "linkedin",
  issuer: "https://www.linkedin.com/oauth",
  authorizationEndpoint: "https://www.linkedin.com/oauth/v2/authorization",
  tokenEndpoint: "https://www.linkedin.com/oauth/v2/accessToken",
  revocationEndpoint: "https://www.linkedin.com/oauth/v2/revoke",
  introspectionEndpoint: "https://www.linkedin.com/oauth/v2/introspectToken",
  userinfoEndpoint: "https://api.linkedin.com/v2/userinfo",
  jwksUri: "https://www.linkedin.com/oauth/openid/jwks",
  tokenEndpointAuthMethodsSupported: ["client_secret_post"],
  defaultScopes: options.scopes ?? ["openid", "profile", "email"],
  tokenResponse
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "LinkedIn",
  docs: "https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow",
  refresh: "partners only: `refresh_token_expires_in` one year, not extended by a refresh",
  quirks: "comma-separated `scope`; token error bodies not documented",
  provider: make()
}
