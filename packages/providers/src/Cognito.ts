/**
 * Amazon Cognito user pools (the managed login domain), as data or by
 * discovery of the pool's issuer.
 *
 * Quirks: the endpoints live on the pool's domain
 * (`https://<prefix>.auth.<region>.amazoncognito.com` or a custom one) while
 * the issuer is `https://cognito-idp.<region>.amazonaws.com/<poolId>`; a refresh
 * returns no refresh token unless the app client enables rotation; errors are
 * RFC 6749 codes.
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import * as Generic from "./Generic.js"
import type * as Preset from "./Preset.js"

/**
 * Options of {@link make} and {@link discover}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The AWS region of the pool (`eu-west-1`). */
  readonly region: string
  /** The user pool id (`eu-west-1_AbCdEf123`). */
  readonly userPoolId: string
  /** The pool's domain, without scheme: `<prefix>.auth.<region>.amazoncognito.com` or a custom domain. */
  readonly domain: string
  /** Scopes requested when a call names none. Default `["openid", "email", "profile"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

const issuerOf = (options: Options) => `https://cognito-idp.${options.region}.amazonaws.com/${options.userPoolId}`

/**
 * The Cognito preset from the pool's fixed paths: authorization, token,
 * revocation (RFC 7009), userinfo and key set; secrets in the Basic header.
 *
 * @example
 * ```ts
 * import { Cognito } from "@effect-oauth/providers"
 *
 * const provider = Cognito.make({ region: "eu-west-1", userPoolId: "eu-west-1_AbCdEf123", domain: "example.auth.eu-west-1.amazoncognito.com" })
 * ```
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/federation-endpoints.html
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Provider.Provider => {
  const base = `https://${options.domain.replace(/\/+$/, "")}`
  return {
    name: "cognito",
    issuer: issuerOf(options),
    authorizationEndpoint: `${base}/oauth2/authorize`,
    tokenEndpoint: `${base}/oauth2/token`,
    revocationEndpoint: `${base}/oauth2/revoke`,
    userinfoEndpoint: `${base}/oauth2/userInfo`,
    jwksUri: `${issuerOf(options)}/.well-known/jwks.json`,
    tokenEndpointAuthMethodsSupported: ["client_secret_basic", "client_secret_post"],
    codeChallengeMethodsSupported: ["S256"],
    defaultScopes: options.scopes ?? ["openid", "email", "profile"]
  }
}

/**
 * The Cognito preset from the pool's OpenID Connect metadata. Fails as `Generic.discover` does.
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-oidc-flow.html
 * @since 0.1.0
 * @category constructors
 */
export const discover = (
  options: Omit<Options, "domain">
): Generic.Discovered =>
  Generic.discover(`https://cognito-idp.${options.region}.amazonaws.com/${options.userPoolId}`, {
    name: "cognito",
    algorithm: "oidc",
    defaultScopes: options.scopes ?? ["openid", "email", "profile"]
  })

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Amazon Cognito",
  docs: "https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html",
  refresh: "not rotated unless the app client enables rotation; 30 days by default",
  quirks: "endpoints on the pool's domain, issuer on `cognito-idp`; `Cognito.discover`",
  provider: make({ region: "eu-west-1", userPoolId: "eu-west-1_AbCdEf123", domain: "example.auth.eu-west-1.amazoncognito.com" })
}
