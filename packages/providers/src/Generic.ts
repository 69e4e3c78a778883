/**
 * Any standard server: an OpenID Connect issuer or an RFC 8414 authorization
 * server found by discovery, or any RFC 6749 server described by hand. The
 * quirk options are the same as every preset's, so a server that needs one is
 * still one call.
 *
 * @since 0.1.0
 */
import { Provider } from "@effect-oauth/core"
import type { OAuthError } from "@effect-oauth/core"
import type { HttpClient } from "@effect/platform"
import { Effect } from "effect"

/**
 * Options of {@link discover}: those of `Provider.discover`, plus what
 * discovery cannot say.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @since 0.1.0
 * @category models
 */
export interface DiscoverOptions extends Provider.DiscoverOptions {
  /** Scopes requested when a call names none. Default `["openid"]` when the server supports `openid`. */
  readonly defaultScopes?: ReadonlyArray<string> | undefined
  readonly tokenResponse?: Provider.TokenResponseQuirks | undefined
  readonly requests?: Provider.RequestQuirks | undefined
}

/**
 * A preset discovered from its issuer's metadata: what `discover` here and each
 * discovering preset (Auth0, Cognito, Keycloak, Okta, Zitadel) return. Fails with
 * `TransportError`, `ConfigurationError` or `IssuerMismatch`.
 *
 * @since 0.2.0
 * @category models
 */
export type Discovered = Effect.Effect<
  Provider.Provider,
  OAuthError.TransportError | OAuthError.ConfigurationError | OAuthError.IssuerMismatch,
  HttpClient.HttpClient
>

/**
 * Discovers an issuer (OpenID Connect Discovery, else RFC 8414) and returns its
 * `Provider` with the given quirks and default scopes. The checks are those of
 * `Provider.discover`: the document's `issuer` must equal `issuer`, endpoints
 * must be `https:` (plain `http:` only on loopback), no redirects.
 *
 * Fails with `IssuerMismatch`, `ConfigurationError` (`InvalidMetadata`,
 * `InsecureUrl`, `InvalidUrl`) and `TransportError`.
 *
 * @example
 * ```ts
 * import { Generic } from "@effect-oauth/providers"
 *
 * const provider = Generic.discover("https://id.example.com", { name: "example" })
 * ```
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @since 0.1.0
 * @category constructors
 */
export const discover = (
  issuer: string,
  options: DiscoverOptions = {}
): Discovered => {
  const { defaultScopes, requests, tokenResponse, ...discoverOptions } = options
  return Effect.map(Provider.discover(issuer, discoverOptions), (provider) => {
    const scopes = defaultScopes ?? (provider.scopesSupported?.includes("openid") ? ["openid"] : undefined)
    return Provider.make({
      ...provider,
      ...(scopes === undefined ? {} : { defaultScopes: scopes }),
      ...(tokenResponse === undefined ? {} : { tokenResponse }),
      ...(requests === undefined ? {} : { requests })
    })
  })
}

/**
 * Any RFC 6749 server from its endpoints and quirks: the same as `Provider.make`,
 * here so that every preset lives in one place.
 *
 * @example
 * ```ts
 * import { Generic } from "@effect-oauth/providers"
 *
 * const provider = Generic.make({
 *   name: "example",
 *   authorizationEndpoint: "https://as.example/authorize",
 *   tokenEndpoint: "https://as.example/token",
 *   tokenResponse: { scopeSeparator: "," }
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3
 * @since 0.1.0
 * @category constructors
 */
export const make: (provider: Provider.Provider) => Provider.Provider = Provider.make
