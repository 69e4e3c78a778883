import { OAuthClient, OAuthError, TokenSet } from "@effect-oauth/core"
import type { Provider } from "@effect-oauth/core"
import { Clock, Effect, Redacted } from "effect"
import type * as Facebook from "../Facebook.js"
import { defaultVersion, endpoints } from "../Facebook.js"
import { InvalidToken } from "../ProviderError.js"
import * as endpoint from "./endpoint.js"
import { DebugToken, GranularScope } from "./facebookTypes.js"

// https://developers.facebook.com/docs/graph-api/guides/error-handling#errorcodes
const transientCodes: ReadonlySet<number> = new Set([1, 2, 4, 17, 32, 341, 368, 613])
const configurationCodes: ReadonlySet<number> = new Set([100, 101, 191])
// Code 100 with these subcodes is about the authorization code itself: expired
// (36007) or already used (36009); a new authorization yields a new one.
const codeSubcodes: ReadonlySet<number> = new Set([36007, 36009])

const graphRemedy = (error: endpoint.Fields): OAuthError.Remedy | undefined => {
  const code = error["code"]
  const subcode = error["error_subcode"]
  if (error["is_transient"] === true) return "retry"
  if (typeof code !== "number") return undefined
  if (transientCodes.has(code)) return "retry"
  // 190: invalid or expired access token; 102: session; 10 and 200–299: permissions.
  if (code === 190 || code === 102 || code === 10 || (code >= 200 && code <= 299)) return "reauthorize"
  if (code === 100 && typeof subcode === "number" && codeSubcodes.has(subcode)) return "reauthorize"
  if (configurationCodes.has(code)) return "fixConfiguration"
  return undefined
}

// The RFC 6749 / 6750 code a Graph error means, from the same fields as its remedy.
const graphCode = (error: endpoint.Fields, remedy: OAuthError.Remedy | undefined): string | undefined => {
  const code = error["code"]
  if (remedy === "retry") return "temporarily_unavailable"
  if (typeof code !== "number") return undefined
  if (code === 190 || code === 102 || code === 100 && remedy === "reauthorize") return "invalid_grant"
  if (code === 10 || (code >= 200 && code <= 299)) return "insufficient_scope"
  if (code === 101) return "invalid_client"
  if (code === 100 || code === 191) return "invalid_request"
  return undefined
}

/** @internal */
export const tokenResponse: Provider.TokenResponseQuirks = {
  scopeSeparator: ",",
  // Graph API v2.2 and earlier: `access_token=…&expires=5183999` as text/plain.
  // https://developers.facebook.com/docs/graph-api/changelog/archive#v2_3
  expiresInAliases: ["expires"],
  readError: (body) => {
    const error = endpoint.record(body["error"])
    if (error === undefined) return undefined
    // `type` (OAuthException, …) stays in details beside `code`, `error_subcode`, `fbtrace_id`.
    const { message, ...details } = error
    const remedy = graphRemedy(error)
    const type = error["type"]
    return {
      error: graphCode(error, remedy) ?? (typeof type === "string" && type !== "" ? type : "OAuthException"),
      ...(typeof message === "string" ? { description: message } : {}),
      details,
      ...(remedy === undefined ? {} : { remedy })
    }
  }
}

/** @internal */
export const authorizationParams = (options: Facebook.AuthorizationOptions): Readonly<Record<string, string>> => ({
  ...(options.authType === undefined ? {} : { auth_type: options.authType }),
  ...(options.configId === undefined ? {} : { config_id: options.configId })
})

/** @internal */
export const make = (options: Facebook.Options = {}): Provider.Provider => {
  const urls = endpoints(options.version ?? defaultVersion)
  const params = authorizationParams(options)
  return {
    name: "facebook",
    authorizationEndpoint: urls.authorization,
    tokenEndpoint: urls.token,
    userinfoEndpoint: urls.userinfo,
    tokenEndpointAuthMethodsSupported: ["client_secret_post"],
    defaultScopes: options.scopes ?? ["public_profile", "email"],
    tokenResponse,
    requests: {
      tokenMethod: "GET",
      ...(Object.keys(params).length === 0 ? {} : { authorizationParams: params })
    }
  }
}

/** @internal */
export const exchangeForLongLived = (tokens: TokenSet.TokenSet | Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    const client = yield* OAuthClient.OAuthClient
    const token = Redacted.isRedacted(tokens) ? tokens : tokens.accessToken
    const next = yield* client.grant(
      { grant_type: "fb_exchange_token", fb_exchange_token: Redacted.value(token) },
      { secrets: [token] }
    )
    return Redacted.isRedacted(tokens) || next.scopes.length > 0
      ? next
      : new TokenSet.TokenSet({ ...next, scopes: tokens.scopes }, true)
  }).pipe(Effect.withSpan("Facebook.exchangeForLongLived"))

const known = [
  "app_id",
  "type",
  "application",
  "user_id",
  "expires_at",
  "data_access_expires_at",
  "issued_at",
  "is_valid",
  "scopes",
  "granular_scopes",
  "error"
]

const strings = (value: unknown): ReadonlyArray<string> =>
  Array.isArray(value) ? value.flatMap((entry) => (typeof entry === "string" ? [entry] : [])) : []

/** @internal */
export const debugToken = (token: Redacted.Redacted<string>, options: Facebook.DebugTokenOptions) =>
  Effect.gen(function*() {
    const url = options.url ?? endpoints(options.version ?? defaultVersion).debugToken
    const where = endpoint.where(url)
    const appToken = Redacted.make(`${options.appId}|${Redacted.value(options.appSecret)}`)
    const response = yield* OAuthClient.request({
      method: "GET",
      url,
      params: { input_token: Redacted.value(token), access_token: Redacted.value(appToken) },
      timeout: options.timeout
    })
    const secrets = [token, appToken, options.appSecret]
    const body = yield* endpoint.readJson(response, { endpoint: where, quirks: tokenResponse, secrets })
    const data = endpoint.record(body["data"])
    if (data === undefined) {
      return yield* new OAuthError.InvalidTokenResponse({
        reason: "InvalidField",
        status: response.status,
        endpoint: where,
        field: "data",
        detail: "is missing or not an object"
      })
    }
    const now = yield* Clock.currentTimeMillis
    const time = (name: string) => {
      const seconds = endpoint.seconds(data, name)
      // `expires_at: 0`: the token does not expire (page and app tokens).
      return seconds === undefined || seconds === 0 ? undefined : seconds * 1000
    }
    const expiresAt = time("expires_at")
    if (data["is_valid"] !== true) {
      const error = endpoint.record(data["error"]) ?? {}
      const code = endpoint.string(error, "code")
      const subcode = endpoint.string(error, "subcode")
      const message = endpoint.string(error, "message")
      // Subcode 463: "Session has expired".
      // https://developers.facebook.com/docs/facebook-login/guides/%20access-tokens/debugging
      const expired = subcode === "463" || (expiresAt !== undefined && now >= expiresAt)
      return yield* new InvalidToken({
        provider: "facebook",
        reason: expired ? "Expired" : "Rejected",
        ...(code === undefined ? {} : { code: subcode === undefined ? code : `${code}/${subcode}` }),
        ...(message === undefined ? {} : { description: OAuthError.mask(message, secrets) })
      })
    }
    const appId = endpoint.string(data, "app_id")
    if (appId !== options.appId) {
      return yield* new InvalidToken({
        provider: "facebook",
        reason: "AudienceMismatch",
        expected: options.appId,
        ...(appId === undefined ? {} : { received: appId })
      })
    }
    if (expiresAt !== undefined && now >= expiresAt) {
      return yield* new InvalidToken({ provider: "facebook", reason: "Expired" })
    }
    const optional = (name: string, field: string) => {
      const value = endpoint.string(data, field)
      return value === undefined ? {} : { [name]: value }
    }
    const dataAccessExpiresAt = time("data_access_expires_at")
    const issuedAt = time("issued_at")
    const granular = Array.isArray(data["granular_scopes"]) ? data["granular_scopes"] : []
    return new DebugToken({
      appId,
      ...optional("type", "type"),
      ...optional("application", "application"),
      ...optional("userId", "user_id"),
      ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(dataAccessExpiresAt === undefined ? {} : { dataAccessExpiresAt }),
      ...(issuedAt === undefined ? {} : { issuedAt }),
      scopes: strings(data["scopes"]),
      granularScopes: granular.flatMap((entry) => {
        const fields = endpoint.record(entry)
        const scope = fields === undefined ? undefined : endpoint.string(fields, "scope")
        return fields === undefined || scope === undefined
          ? []
          : [new GranularScope({ scope, targetIds: strings(fields["target_ids"]) })]
      }),
      extra: endpoint.rest(data, known)
    })
  }).pipe(Effect.withSpan("Facebook.debugToken"))
