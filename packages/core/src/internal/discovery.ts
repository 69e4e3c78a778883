import { HttpClient } from "@effect/platform"
import { Effect } from "effect"
import { ConfigurationError, IssuerMismatch, TransportError } from "../OAuthError.js"
import type * as Provider from "../Provider.js"
import * as http from "./http.js"
import * as UrlPolicy from "./wire/urlPolicy.js"

type Algorithm = "oidc" | "oauth2"

/** OpenID Connect Discovery §4: the issuer, any terminating "/" removed, plus the suffix. @internal */
export const oidcUrl = (issuer: URL): URL => {
  const url = new URL(issuer)
  url.pathname = `${url.pathname.replace(/\/$/, "")}/.well-known/openid-configuration`
  return url
}

/** RFC 8414 §3.1: the well-known segment inserted between the host and the issuer's path. @internal */
export const oauth2Url = (issuer: URL): URL => {
  const url = new URL(issuer)
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "")
  url.pathname = `/.well-known/oauth-authorization-server${path}`
  return url
}

const invalid = (detail: string) => new ConfigurationError({ reason: "InvalidMetadata", detail })

const endpointFields = [
  ["authorization_endpoint", "authorizationEndpoint"],
  ["token_endpoint", "tokenEndpoint"],
  ["revocation_endpoint", "revocationEndpoint"],
  ["introspection_endpoint", "introspectionEndpoint"],
  ["userinfo_endpoint", "userinfoEndpoint"],
  ["device_authorization_endpoint", "deviceAuthorizationEndpoint"],
  ["pushed_authorization_request_endpoint", "pushedAuthorizationRequestEndpoint"],
  ["registration_endpoint", "registrationEndpoint"],
  ["jwks_uri", "jwksUri"]
] as const

const listFields = [
  ["token_endpoint_auth_methods_supported", "tokenEndpointAuthMethodsSupported"],
  ["code_challenge_methods_supported", "codeChallengeMethodsSupported"],
  ["scopes_supported", "scopesSupported"]
] as const

/** Maps an RFC 8414 §2 metadata document onto a `Provider`. @internal */
export const fromMetadata = (
  issuer: string,
  metadata: Readonly<Record<string, unknown>>,
  name: string,
  policy?: UrlPolicy.Policy | undefined
): Effect.Effect<Provider.Provider, ConfigurationError | IssuerMismatch> =>
  Effect.gen(function*() {
    // "The "issuer" value returned MUST be identical to the authorization server's
    // issuer identifier value into which the well-known URI string was inserted"
    // (RFC 8414 §3.3; OpenID Connect Discovery §4.3 says the same).
    const received = metadata["issuer"]
    if (typeof received !== "string") return yield* invalid(`"issuer" is missing or not a string`)
    if (received !== issuer) return yield* new IssuerMismatch({ expected: issuer, received })
    const issuerUrl = yield* http.endpointUrl("issuer", issuer)
    const endpoints: Record<string, string> = {}
    for (const [field, key] of endpointFields) {
      const value = metadata[field]
      if (value === undefined) continue
      if (typeof value !== "string") return yield* invalid(`"${field}" is not a string`)
      yield* UrlPolicy.checkLearned(field, yield* http.endpointUrl(field, value), issuerUrl, policy)
      endpoints[key] = value
    }
    const tokenEndpoint = endpoints["tokenEndpoint"]
    if (tokenEndpoint === undefined) return yield* invalid(`"token_endpoint" is missing`)
    const lists: Record<string, ReadonlyArray<string>> = {}
    for (const [field, key] of listFields) {
      const value = metadata[field]
      if (value === undefined) continue
      if (!Array.isArray(value) || !value.every((entry) => typeof entry === "string")) {
        return yield* invalid(`"${field}" is not an array of strings`)
      }
      lists[key] = value
    }
    const iss = metadata["authorization_response_iss_parameter_supported"]
    if (iss !== undefined && typeof iss !== "boolean") {
      return yield* invalid(`"authorization_response_iss_parameter_supported" is not a boolean`)
    }
    const par = metadata["require_pushed_authorization_requests"]
    if (par !== undefined && typeof par !== "boolean") {
      return yield* invalid(`"require_pushed_authorization_requests" is not a boolean`)
    }
    return {
      name,
      issuer,
      ...endpoints,
      tokenEndpoint,
      ...lists,
      ...(iss === undefined ? {} : { authorizationResponseIssParameterSupported: iss }),
      ...(par === undefined ? {} : { requirePushedAuthorizationRequests: par }),
      metadata
    }
  })

const fetchMetadata = (
  client: HttpClient.HttpClient,
  url: URL,
  options: Provider.DiscoverOptions,
  limits: http.Limits
): Effect.Effect<Record<string, unknown> | "NotFound", TransportError | ConfigurationError> =>
  Effect.gen(function*() {
    const response = yield* http.getDocument(client, url, limits, {
      accept: "application/json",
      headers: options.headers,
      what: "metadata"
    })
    if (response.status === 404) return "NotFound" as const
    if (response.status !== 200) {
      return yield* invalid(`HTTP ${response.status} from ${http.where(url)}`)
    }
    const body = http.jsonObject(response.body)
    if (body === undefined) return yield* invalid(`${http.where(url)} did not return a JSON object`)
    return body
  })

/** @internal */
export const discover = (
  issuer: string,
  options: Provider.DiscoverOptions = {}
): Effect.Effect<Provider.Provider, TransportError | ConfigurationError | IssuerMismatch, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const issuerUrl = yield* http.endpointUrl("issuer", issuer)
    // RFC 8414 §2: "a URL that uses the "https" scheme and has no query or fragment components".
    if (issuerUrl.search !== "") {
      return yield* new ConfigurationError({ reason: "InvalidUrl", detail: "issuer must not have a query" })
    }
    const limits = http.limits(options)
    const algorithms: ReadonlyArray<Algorithm> = options.algorithm === undefined || options.algorithm === "auto"
      ? ["oidc", "oauth2"]
      : [options.algorithm]
    const tried: Array<string> = []
    for (const algorithm of algorithms) {
      const url = algorithm === "oidc" ? oidcUrl(issuerUrl) : oauth2Url(issuerUrl)
      tried.push(http.where(url))
      const metadata = yield* fetchMetadata(client, url, options, limits)
      if (metadata !== "NotFound") return yield* fromMetadata(issuer, metadata, options.name ?? issuerUrl.host, options)
    }
    return yield* invalid(`no metadata document found (HTTP 404 from ${tried.join(" and ")})`)
  }).pipe(Effect.withSpan("Provider.discover", { attributes: { "oauth.issuer": issuer } }))
