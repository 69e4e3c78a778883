/**
 * The Microsoft identity platform (Entra ID v2.0 endpoints: work, school and
 * personal Microsoft accounts), as data.
 *
 * Quirks: the endpoints depend on the tenant (`common`, `organizations`,
 * `consumers`, or one tenant's id or domain), so the ID token issuer is known
 * only for a tenant given by id; a refresh token comes only with the
 * `offline_access` scope, and each refresh returns a new one (rotation: the
 * session stores it before handing out the access token); errors carry
 * `AADSTS…` codes in `error_description` and `error_codes`, kept in the
 * `OAuthError` (read them with {@link aadstsCodes}). Token responses are
 * otherwise RFC 6749 JSON.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 * @since 0.1.0
 */
import type { OAuthError, Provider } from "@effect-oauth/core"

/**
 * Which accounts may sign in: `common` (work, school and personal),
 * `organizations` (work and school), `consumers` (personal), or one tenant by
 * its id (a GUID) or a verified domain (`contoso.onmicrosoft.com`).
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
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#the-offline_access-scope
 * @since 0.1.0
 * @category models
 */
export interface Options extends AuthorizationOptions {
  /** Default `common`. */
  readonly tenant?: Tenant | undefined
  /** The sign-in host. Default {@link authorities}`.global`. */
  readonly authority?: string | undefined
  /**
   * Scopes requested when a call names none. Default
   * `["openid", "profile", "offline_access"]`: without `offline_access` there is
   * no refresh token.
   */
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
export const authorizationParams = (options: AuthorizationOptions): Readonly<Record<string, string>> => ({
  ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
  ...(options.loginHint === undefined ? {} : { login_hint: options.loginHint }),
  ...(options.domainHint === undefined ? {} : { domain_hint: options.domainHint })
})

/**
 * The Microsoft preset for one tenant: authorization, token and device-code
 * endpoints, the JWKS, the issuer when the tenant is given by id
 * (`{authority}/{tenant}/v2.0`), and `offline_access` among the default scopes.
 * The identity platform has no RFC 7009 revocation endpoint, so
 * `OAuthClient.revoke` fails with `ConfigurationError` (`MissingEndpoint`).
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
    // For common, organizations and consumers the ID token names the user's own
    // tenant, so there is no single issuer to expect.
    ...(tenantId.test(tenant) ? { issuer: `${base}/v2.0` } : {}),
    authorizationEndpoint: `${base}/oauth2/v2.0/authorize`,
    tokenEndpoint: `${base}/oauth2/v2.0/token`,
    deviceAuthorizationEndpoint: `${base}/oauth2/v2.0/devicecode`,
    jwksUri: `${base}/discovery/v2.0/keys`,
    userinfoEndpoint: "https://graph.microsoft.com/oidc/userinfo",
    tokenEndpointAuthMethodsSupported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    codeChallengeMethodsSupported: ["S256"],
    defaultScopes: options.scopes ?? ["openid", "profile", "offline_access"],
    ...(Object.keys(params).length === 0 ? {} : { requests: { authorizationParams: params } })
  }
}

/**
 * The `AADSTS…` codes of an identity platform error, from `error_codes` (kept
 * in `details`) or else from the description (`AADSTS70011: The provided value…`),
 * without duplicates, as `AADSTS70011` strings.
 *
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 * @since 0.1.0
 * @category combinators
 */
export const aadstsCodes = (error: OAuthError.OAuthError): ReadonlyArray<string> => {
  const listed = error.details?.["error_codes"]
  const fromList = Array.isArray(listed)
    ? listed.flatMap((code) => (typeof code === "number" || typeof code === "string") ? [`AADSTS${code}`] : [])
    : []
  const fromText = error.description?.match(/AADSTS\d+/g) ?? []
  return [...new Set([...fromList, ...fromText])]
}
