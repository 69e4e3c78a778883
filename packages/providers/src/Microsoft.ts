/**
 * The Microsoft identity platform (Entra ID v2.0 endpoints: work, school and
 * personal Microsoft accounts), as data.
 *
 * Quirks: the endpoints depend on the tenant, so the ID token issuer is known
 * only for a tenant given by id; a refresh token comes only with
 * `offline_access`, and each refresh returns a new one (rotation); errors carry
 * `AADSTS…` codes, kept in the `OAuthError` (read them with {@link aadstsCodes}).
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 * @since 0.1.0
 */
import type { OAuthError, Provider } from "@effect-oauth/core"
import * as internal from "./internal/microsoft.js"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks: MFA and consent `AADSTS…` codes (`AADSTS50076`,
 * `AADSTS65001`) read as `interaction_required` and `consent_required`.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = internal.tokenResponse

/**
 * Who may sign in: `common` (work, school and personal), `organizations`, `consumers`,
 * or one tenant by its id (a GUID) or a verified domain (`contoso.onmicrosoft.com`).
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols#endpoints
 * @since 0.1.0
 * @category models
 */
export type Tenant = "common" | "organizations" | "consumers" | (string & {})

/**
 * The cloud instances (sovereign clouds have their own sign-in hosts).
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/authentication-national-cloud
 * @since 0.1.0
 * @category models
 */
export const authorities = {
  global: "https://login.microsoftonline.com",
  usGovernment: "https://login.microsoftonline.us",
  china: "https://login.chinacloudapi.cn"
} as const

/**
 * Authorization request parameters the identity platform defines beyond RFC 6749.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationOptions {
  readonly prompt?: "login" | "none" | "consent" | "select_account" | undefined
  /** `login_hint`: the user's sign-in name, to preselect the account. */
  readonly loginHint?: string | undefined
  /** `domain_hint`: skip home realm discovery (`consumers` or a tenant's domain). */
  readonly domainHint?: string | undefined
}

/**
 * Options of {@link make}.
 * @since 0.1.0
 * @category models
 */
export interface Options extends AuthorizationOptions {
  /** Default `common`. */
  readonly tenant?: Tenant | undefined
  /** The sign-in host. Default {@link authorities}`.global`. */
  readonly authority?: string | undefined
  /** Scopes requested when a call names none. Default `["openid", "profile", "offline_access"]` (a refresh token needs `offline_access`). */
  readonly scopes?: ReadonlyArray<string> | undefined
}

const tenantId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The identity platform's authorization parameters as a query record, for
 * `OAuthClient.authorizationUrl({ params })`.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 * @since 0.1.0
 * @category combinators
 */
export const authorizationParams: (options: AuthorizationOptions) => Readonly<Record<string, string>> =
  internal.authorizationParams

/**
 * The Microsoft preset for one tenant: authorization, token and device-code endpoints,
 * the JWKS, the issuer for a tenant given by id, `offline_access` by default. No RFC
 * 7009 revocation: `OAuthClient.revoke` fails with `ConfigurationError` (`MissingEndpoint`).
 *
 * @example
 * ```ts
 * import { Microsoft } from "@effect-oauth/providers"
 *
 * const provider = Microsoft.make({ tenant: "organizations", scopes: ["openid", "offline_access", "User.Read"] })
 * ```
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols#endpoints
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => {
  const tenant = options.tenant ?? "common"
  const base = `${(options.authority ?? authorities.global).replace(/\/+$/, "")}/${encodeURIComponent(tenant)}`
  const params = authorizationParams(options)
  return {
    name: "microsoft",
    // For common, organizations and consumers the ID token names the user's own tenant.
    ...(tenantId.test(tenant) ? { issuer: `${base}/v2.0` } : {}),
    authorizationEndpoint: `${base}/oauth2/v2.0/authorize`,
    tokenEndpoint: `${base}/oauth2/v2.0/token`,
    deviceAuthorizationEndpoint: `${base}/oauth2/v2.0/devicecode`,
    jwksUri: `${base}/discovery/v2.0/keys`,
    userinfoEndpoint: "https://graph.microsoft.com/oidc/userinfo",
    tokenEndpointAuthMethodsSupported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    codeChallengeMethodsSupported: ["S256"],
    defaultScopes: options.scopes ?? ["openid", "profile", "offline_access"],
    tokenResponse,
    ...(Object.keys(params).length === 0 ? {} : { requests: { authorizationParams: params } })
  }
}

/**
 * The `AADSTS…` codes of an identity platform error, from `error_codes` (in
 * `details`) or the description, without duplicates, as `AADSTS70011` strings.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 * @since 0.1.0
 * @category combinators
 */
export const aadstsCodes: (error: OAuthError.OAuthError) => ReadonlyArray<string> = internal.aadstsCodes

/**
 * This preset's row of `docs/providers.md`.
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Microsoft",
  docs: "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow",
  refresh: "rotating (`offline_access`); 90 days, 24 hours for single-page apps",
  quirks: "tenant endpoints; `AADSTS` codes kept (`Microsoft.aadstsCodes`), MFA and consent ones read as RFC codes",
  provider: make({ tenant: "organizations" })
}
