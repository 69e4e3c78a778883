/**
 * GitHub's OAuth endpoints (OAuth apps and GitHub Apps acting for a user), as data.
 *
 * Quirks, all normalised by `TokenResponse.parse` through this preset's options:
 * the token endpoint answers form-encoded unless asked for JSON (the preset sends
 * `Accept: application/json`; a form body is still read); errors come inside HTTP
 * 200 with GitHub's own codes, read as the RFC 6749 codes they mean; `scope` is
 * comma-separated; OAuth-app tokens never expire, GitHub-App user tokens last 8
 * hours with a refresh token of their own lifetime; secrets go in the body.
 *
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import * as internal from "./internal/github.js"
import * as vocabulary from "./internal/vocabulary.js"
import type * as Preset from "./Preset.js"

/**
 * The endpoints on github.com (`deviceVerification`: where the user enters a device code).
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow
 * @since 0.1.0
 * @category models
 */
export const endpoints = {
  authorization: "https://github.com/login/oauth/authorize",
  token: "https://github.com/login/oauth/access_token",
  deviceAuthorization: "https://github.com/login/device/code",
  deviceVerification: "https://github.com/login/device",
  userinfo: "https://api.github.com/user"
} as const

/**
 * The token-response quirks of GitHub: comma-separated scopes, and GitHub's
 * own error codes read as the RFC 6749 code each means (`bad_verification_code`
 * → `invalid_grant`, `incorrect_client_credentials` → `invalid_client`, …),
 * GitHub's code kept in `details.provider_error`.
 *
 * @see https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  scopeSeparator: ",",
  readError: vocabulary.readError({
    codes: {
      // The code or a GitHub-App refresh token is wrong, used or expired.
      bad_verification_code: "invalid_grant",
      bad_refresh_token: "invalid_grant",
      incorrect_device_code: "invalid_grant",
      // The user must verify their primary email, then authorize again.
      unverified_user_email: "access_denied",
      incorrect_client_credentials: "invalid_client",
      redirect_uri_mismatch: "invalid_request",
      device_flow_disabled: "unauthorized_client"
    }
  })
}

/**
 * Authorization request parameters GitHub defines beyond RFC 6749.
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#1-request-a-users-github-identity
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationOptions {
  /** `login`: suggest a specific account. */
  readonly login?: string | undefined
  /** `allow_signup`: offer to sign up during the flow. GitHub's default is `true`. */
  readonly allowSignup?: boolean | undefined
  /** `prompt=select_account`: always show the account picker. */
  readonly prompt?: "select_account" | undefined
}

/**
 * Options of {@link make}.
 * @see https://docs.github.com/en/enterprise-server@latest/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * @since 0.1.0
 * @category models
 */
export interface Options extends AuthorizationOptions {
  /** A GitHub Enterprise Server, `https://github.example.com` (same paths on that host). Default github.com. */
  readonly baseUrl?: string | undefined
  /** Scopes requested when a call names none (OAuth apps; GitHub Apps ignore scopes). */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * GitHub's authorization parameters as a query record, for `OAuthClient.authorizationUrl({ params })`.
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#1-request-a-users-github-identity
 * @since 0.1.0
 * @category combinators
 */
export const authorizationParams: (options: AuthorizationOptions) => Readonly<Record<string, string>> =
  internal.authorizationParams

/**
 * The GitHub preset: authorization, token and device-authorization endpoints
 * (RFC 8628; GitHub answers device-flow errors inside HTTP 200 too), JSON token
 * responses, GitHub's error codes, comma-separated scopes, client credentials in
 * the body. GitHub has no RFC 7009 revocation endpoint (tokens are revoked through
 * its REST API), so `OAuthClient.revoke` fails with `ConfigurationError`
 * (`MissingEndpoint`).
 *
 * @example
 * ```ts
 * import { GitHub } from "@effect-oauth/providers"
 *
 * const provider = GitHub.make({ scopes: ["read:user"], allowSignup: false })
 * ```
 *
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => {
  const base = (options.baseUrl ?? "https://github.com").replace(/\/+$/, "")
  const params = authorizationParams(options)
  return {
    name: "github",
    authorizationEndpoint: `${base}/login/oauth/authorize`,
    tokenEndpoint: `${base}/login/oauth/access_token`,
    deviceAuthorizationEndpoint: `${base}/login/device/code`,
    userinfoEndpoint: options.baseUrl === undefined ? endpoints.userinfo : `${base}/api/v3/user`,
    tokenEndpointAuthMethodsSupported: ["client_secret_post"],
    codeChallengeMethodsSupported: ["S256"],
    ...(options.scopes === undefined ? {} : { defaultScopes: options.scopes }),
    tokenResponse,
    requests: {
      headers: { accept: "application/json" },
      ...(Object.keys(params).length === 0 ? {} : { authorizationParams: params })
    }
  }
}

/**
 * This preset's row of `docs/providers.md`.
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "GitHub",
  docs: "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps",
  refresh: "OAuth apps: none (tokens never expire); GitHub Apps: rotating, 6 months",
  quirks: "errors in HTTP 200 read as RFC codes; comma-separated `scope`; Enterprise Server `baseUrl`",
  provider: make()
}
