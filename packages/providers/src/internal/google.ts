import { OAuthClient, OAuthError } from "@effect-oauth/core"
import type { Provider } from "@effect-oauth/core"
import { Clock, Effect, Redacted } from "effect"
import type * as Google from "../Google.js"
import { endpoints } from "../Google.js"
import { InvalidToken } from "../ProviderError.js"
import * as endpoint from "./endpoint.js"
import { TokenInfo } from "./googleTypes.js"

/** @internal */
export const authorizationParams = (options: Google.AuthorizationOptions): Readonly<Record<string, string>> => {
  const params: Record<string, string> = {}
  if (options.accessType !== undefined) params["access_type"] = options.accessType
  if (options.prompt !== undefined) {
    params["prompt"] = typeof options.prompt === "string" ? options.prompt : options.prompt.join(" ")
  }
  if (options.includeGrantedScopes !== undefined) params["include_granted_scopes"] = String(options.includeGrantedScopes)
  if (options.loginHint !== undefined) params["login_hint"] = options.loginHint
  if (options.hostedDomain !== undefined) params["hd"] = options.hostedDomain
  return params
}

/** @internal */
export const make = (options: Google.Options = {}): Provider.Provider => {
  const params = authorizationParams(options)
  return {
    name: "google",
    issuer: endpoints.issuer,
    authorizationEndpoint: endpoints.authorization,
    tokenEndpoint: endpoints.token,
    revocationEndpoint: endpoints.revocation,
    deviceAuthorizationEndpoint: endpoints.deviceAuthorization,
    userinfoEndpoint: endpoints.userinfo,
    jwksUri: endpoints.jwks,
    tokenEndpointAuthMethodsSupported: ["client_secret_post", "client_secret_basic"],
    codeChallengeMethodsSupported: ["plain", "S256"],
    defaultScopes: options.scopes ?? ["openid", "email", "profile"],
    requests: {
      // Google answers the revocation of a token that is already invalid with
      // HTTP 400 {"error": "invalid_token"}: the token is revoked (RFC 7009 §2.2).
      revocation: { alreadyRevokedErrors: ["invalid_token"] },
      ...(Object.keys(params).length === 0 ? {} : { authorizationParams: params })
    }
  }
}

const known = ["aud", "azp", "sub", "scope", "exp", "expires_in", "email", "email_verified", "access_type", "iss"]

/** @internal */
export const tokenInfo = (token: Redacted.Redacted<string>, options: Google.TokenInfoOptions) =>
  Effect.gen(function*() {
    const url = options.url ?? endpoints.tokenInfo
    const where = endpoint.where(url)
    const tokenType = options.tokenType ?? "access_token"
    const response = yield* OAuthClient.request({
      method: "GET",
      url,
      params: { [tokenType]: Redacted.value(token) },
      timeout: options.timeout
    })
    const fields = yield* endpoint.readJson(response, { endpoint: where, secrets: [token] }).pipe(
      Effect.mapError((error) =>
        // Google answers an unknown, revoked or expired token with HTTP 400
        // {"error": "invalid_token", "error_description": "Invalid Value"}.
        error._tag === "OAuthError" && error.error === "invalid_token" && error.status >= 400 && error.status < 500
          ? new InvalidToken({
            provider: "google",
            reason: "Rejected",
            code: error.error,
            ...(error.description === undefined ? {} : { description: error.description })
          })
          : error
      )
    )
    const invalid = (field: string, detail: string) =>
      new OAuthError.InvalidTokenResponse({ reason: "InvalidField", status: response.status, endpoint: where, field, detail })
    const audience = endpoint.string(fields, "aud")
    if (audience === undefined) return yield* invalid("aud", "is missing")
    const expected = typeof options.audience === "string" ? [options.audience] : options.audience
    if (!expected.includes(audience)) {
      return yield* new InvalidToken({
        provider: "google",
        reason: "AudienceMismatch",
        expected: expected.join(", "),
        received: audience
      })
    }
    const now = yield* Clock.currentTimeMillis
    const exp = endpoint.seconds(fields, "exp")
    const expiresIn = endpoint.seconds(fields, "expires_in")
    const expiresAt = exp !== undefined ? exp * 1000 : expiresIn !== undefined ? now + expiresIn * 1000 : undefined
    if (expiresAt === undefined) return yield* invalid("exp", "is missing or not a number of seconds")
    if (now >= expiresAt) return yield* new InvalidToken({ provider: "google", reason: "Expired" })
    const scope = endpoint.string(fields, "scope")
    const verified = fields["email_verified"]
    const optional = (name: string, field: string) => {
      const value = endpoint.string(fields, field)
      return value === undefined ? {} : { [name]: value }
    }
    return new TokenInfo({
      audience,
      ...optional("authorizedParty", "azp"),
      ...optional("subject", "sub"),
      scopes: scope === undefined ? [] : scope.split(" ").filter((entry) => entry !== ""),
      expiresAt,
      ...optional("email", "email"),
      // tokeninfo sends booleans as strings ("true").
      ...(verified === true || verified === "true"
        ? { emailVerified: true }
        : verified === false || verified === "false"
        ? { emailVerified: false }
        : {}),
      ...optional("accessType", "access_type"),
      ...optional("issuer", "iss"),
      extra: endpoint.rest(fields, known)
    })
  }).pipe(Effect.withSpan("Google.tokenInfo"))
