/**
 * Login with Amazon, as data. Token responses are RFC 6749 JSON (tokens start
 * with `Atza|` and `Atzr|`, a refresh returns a refresh token too); two error
 * codes are Amazon's own spelling (`ServerError`, `TemporarilyUnavailable`).
 *
 * @see https://developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import * as vocabulary from "./internal/vocabulary.js"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks of Amazon: `ServerError` and `TemporarilyUnavailable`
 * read as RFC 6749's `server_error` and `temporarily_unavailable`.
 *
 * @see https://developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html#access-token-errors
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: vocabulary.readError({
    codes: { ServerError: ["server_error", "retry"], TemporarilyUnavailable: ["temporarily_unavailable", "retry"] }
  })
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Scopes requested when a call names none. Default `["profile"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** The regional token host: `na` (default, api.amazon.com), `eu` (api.amazon.co.uk) or `fe` (api.amazon.co.jp). */
  readonly region?: "na" | "eu" | "fe" | undefined
}

const hosts = { na: "api.amazon.com", eu: "api.amazon.co.uk", fe: "api.amazon.co.jp" } as const

/**
 * The Login with Amazon preset: authorization and token endpoints, the user
 * profile, secrets in the body, PKCE (S256).
 *
 * @example
 * ```ts
 * import { Amazon } from "@effect-oauth/providers"
 *
 * const provider = Amazon.make({ scopes: ["profile", "postal_code"] })
 * ```
 *
 * @see https://developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => {
  const host = hosts[options.region ?? "na"]
  return {
    name: "amazon",
    authorizationEndpoint: "https://www.amazon.com/ap/oa",
    tokenEndpoint: `https://${host}/auth/o2/token`,
    userinfoEndpoint: `https://${host}/user/profile`,
    tokenEndpointAuthMethodsSupported: ["client_secret_post", "client_secret_basic"],
    codeChallengeMethodsSupported: ["S256"],
    defaultScopes: options.scopes ?? ["profile"],
    tokenResponse
  }
}

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developer.amazon.com/docs/login-with-amazon/refresh-token.html
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Amazon",
  docs: "https://developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html",
  refresh: "a refresh returns a refresh token, stored in place of the old one",
  quirks: "regional token hosts (`region`); `ServerError`, `TemporarilyUnavailable` read as RFC codes",
  provider: make()
}
