import { HttpClient } from "@effect/platform"
import { Effect } from "effect"
import { ConfigurationError } from "../OAuthError.js"
import type * as ResourceMetadata from "../ResourceMetadata.js"
import { ResourceMetadata as Metadata, ResourceMismatch } from "../ResourceMetadata.js"
import type { Challenge } from "../WwwAuthenticate.js"
import * as http from "./http.js"
import * as UrlPolicy from "./wire/urlPolicy.js"

const invalid = (detail: string) => new ConfigurationError({ reason: "InvalidMetadata", detail })

/** @internal */
export const wellKnownUrl = (resource: string): Effect.Effect<URL, ConfigurationError> =>
  Effect.flatMap(http.endpointUrl("resource", resource), (url) => {
    if (url.search !== "") {
      return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: "resource must not have a query" }))
    }
    const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "")
    const target = new URL(url.origin)
    target.pathname = `/.well-known/oauth-protected-resource${path}`
    return Effect.succeed(target)
  })

const stringList = (metadata: Record<string, unknown>, field: string) => {
  const value = metadata[field]
  if (value === undefined) return Effect.succeed(undefined)
  return Array.isArray(value) && value.every((entry): entry is string => typeof entry === "string")
    ? Effect.succeed(value)
    : Effect.fail(invalid(`"${field}" is not an array of strings`))
}

const read = (
  url: URL,
  options: ResourceMetadata.Options,
  accepts: (resource: string) => boolean,
  expected: string
) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* http.getDocument(client, url, http.limits(options), {
      accept: "application/json",
      what: "resource metadata"
    })
    const where = http.where(url)
    if (response.status !== 200) return yield* invalid(`HTTP ${response.status} from ${where}`)
    const metadata = http.jsonObject(response.body)
    if (metadata === undefined) return yield* invalid(`${where} did not return a JSON object`)
    const resource = metadata["resource"]
    // RFC 9728 §2: "resource REQUIRED."
    if (typeof resource !== "string") return yield* invalid(`"resource" is missing or not a string`)
    if (!accepts(resource)) return yield* new ResourceMismatch({ expected, received: resource })
    const servers = yield* stringList(metadata, "authorization_servers")
    if (servers === undefined || servers.length === 0) {
      return yield* invalid(`"authorization_servers" names no authorization server`)
    }
    for (const server of servers) {
      yield* UrlPolicy.checkLearned("authorization_servers", yield* http.endpointUrl("authorization_servers", server), url, options)
    }
    const jwksUri = metadata["jwks_uri"]
    if (typeof jwksUri === "string") {
      yield* UrlPolicy.checkLearned("jwks_uri", yield* http.endpointUrl("jwks_uri", jwksUri), url, options)
    }
    const scopes = yield* stringList(metadata, "scopes_supported")
    const bearerMethods = yield* stringList(metadata, "bearer_methods_supported")
    const name = metadata["resource_name"]
    return new Metadata({
      resource,
      authorizationServers: servers,
      scopesSupported: scopes ?? [],
      ...(bearerMethods === undefined ? {} : { bearerMethodsSupported: bearerMethods }),
      ...(typeof name === "string" ? { resourceName: name } : {}),
      ...(typeof jwksUri === "string" ? { jwksUri } : {}),
      metadata
    })
  })

const normalised = (value: string): string | undefined => {
  try {
    const url = new URL(value)
    url.search = ""
    url.hash = ""
    return url.href
  } catch {
    return undefined
  }
}

/** @internal */
export const discover = (resource: string, options: ResourceMetadata.Options = {}) =>
  Effect.flatMap(wellKnownUrl(resource), (url) =>
    // RFC 9728 §3.3: "The resource value returned MUST be identical to the protected
    // resource's resource identifier value into which the well-known URI path suffix
    // was inserted to create the URL used to retrieve the metadata."
    // Compared as parsed URLs: "https://api.example" and "https://api.example/" are one resource.
    read(url, options, (received) => normalised(received) === normalised(resource), resource)).pipe(
      Effect.withSpan("ResourceMetadata.discover", { attributes: { "oauth.resource": resource }, captureStackTrace: false })
    )

/** @internal */
export const fromChallenge = (
  requestUrl: string,
  challenge: Challenge,
  options: ResourceMetadata.Options & { readonly match?: "exact" | "prefix" | undefined } = {}
) =>
  Effect.gen(function*() {
    const requested = yield* http.endpointUrl("resource URL", requestUrl)
    const expected = normalised(requested.href) ?? requested.href
    const accepts = (received: string) => {
      const resource = normalised(received)
      if (resource === undefined) return false
      if (resource === expected) return true
      if (options.match !== "prefix") return false
      const a = new URL(resource)
      const b = new URL(expected)
      const base = a.pathname.endsWith("/") ? a.pathname : `${a.pathname}/`
      return a.origin === b.origin && (b.pathname === a.pathname || b.pathname.startsWith(base))
    }
    const named = challenge.resourceMetadata
    const url = named === undefined
      ? yield* wellKnownUrl(expected)
      : yield* UrlPolicy.checkSameOrigin("resource_metadata", yield* http.endpointUrl("resource_metadata", named), requested, options)
    return yield* read(url, options, accepts, expected)
  }).pipe(Effect.withSpan("ResourceMetadata.fromChallenge", { captureStackTrace: false }))
