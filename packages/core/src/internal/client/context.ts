import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Redacted } from "effect"
import * as IdToken from "../../IdToken.js"
import type * as OAuthClient from "../../OAuthClient.js"
import {
  ConfigurationError,
} from "../../OAuthError.js"
import type { ClientAuthMethod, Provider } from "../../Provider.js"
import * as Dpop from "../../Dpop.js"
import { base64, utf8Bytes } from "../crypto.js"
import * as http from "../http.js"
import { keyOf } from "../jwtAssertion.js"


/** A form body; a parameter with several values (`resource`, `audience`) is repeated. */
export type Form = Record<string, string | ReadonlyArray<string>>

export const endpointFields = [
  ["authorizationEndpoint", "authorization_endpoint"],
  ["tokenEndpoint", "token_endpoint"],
  ["revocationEndpoint", "revocation_endpoint"],
  ["introspectionEndpoint", "introspection_endpoint"],
  ["userinfoEndpoint", "userinfo_endpoint"],
  ["deviceAuthorizationEndpoint", "device_authorization_endpoint"],
  ["pushedAuthorizationRequestEndpoint", "pushed_authorization_request_endpoint"],
  ["registrationEndpoint", "registration_endpoint"],
  ["jwksUri", "jwks_uri"]
] as const

// Parameters the client sets itself; `params` may not replace them, or the request
// and what is kept for the callback (state, verifier, nonce) would disagree.
export const reservedAuthorizationParams: ReadonlySet<string> = new Set([
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "nonce",
  "resource",
  "request_uri"
])

/** RFC 8707 §2: "an absolute URI ... MUST NOT include a fragment component." */
export const resourcesOf = (
  resource: string | ReadonlyArray<string> | undefined
): Effect.Effect<ReadonlyArray<string>, ConfigurationError> => {
  const list = resource === undefined ? [] : typeof resource === "string" ? [resource] : resource
  for (const entry of list) {
    let url: URL
    try {
      url = new URL(entry)
    } catch {
      return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: "a resource indicator is not an absolute URI" }))
    }
    if (url.hash !== "" || entry.includes("#")) {
      return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: "a resource indicator must not have a fragment" }))
    }
  }
  return Effect.succeed(list)
}

export const resourceParam = (resources: ReadonlyArray<string>): Form => resources.length === 0 ? {} : { resource: resources }

/** `application/x-www-form-urlencoded` serialisation of one value (RFC 6749 Appendix B). */
export const formEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

/** @internal */
export const basicCredentials = (
  clientId: string,
  secret: string,
  encoding: "form-urlencoded" | "raw" = "form-urlencoded"
): string =>
  // RFC 6749 §2.3.1: "The client identifier is encoded using the
  // "application/x-www-form-urlencoded" encoding algorithm per Appendix B, and the
  // encoded value is used as the username; the client password is encoded using the
  // same algorithm and used as the password."
  encoding === "raw"
    ? base64(utf8Bytes(`${clientId}:${secret}`))
    : base64(utf8Bytes(`${formEncode(clientId)}:${formEncode(secret)}`))

export const validRedirectUri = (value: string): Effect.Effect<string, ConfigurationError> => {
  try {
    const url = new URL(value)
    // "The endpoint URI MUST NOT include a fragment component." (RFC 6749 §3.1.2)
    if (url.hash !== "") {
      return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: "redirect URI must not have a fragment" }))
    }
    return Effect.succeed(value)
  } catch {
    return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: "redirect URI is not an absolute URI" }))
  }
}

export const missingEndpoint = (provider: Provider, name: string) =>
  new ConfigurationError({ reason: "MissingEndpoint", detail: `provider "${provider.name}" has no ${name}` })

// RFC 8414 §2: "If omitted, the default is "client_secret_basic"".
export const defaultSecretMethod = (provider: Provider): "client_secret_basic" | "client_secret_post" => {
  const supported = provider.tokenEndpointAuthMethodsSupported
  return supported !== undefined && !supported.includes("client_secret_basic") && supported.includes("client_secret_post")
    ? "client_secret_post"
    : "client_secret_basic"
}

export interface Prepared {
  readonly url: URL
  readonly request: HttpClientRequest.HttpClientRequest
  readonly secrets: ReadonlyArray<Redacted.Redacted<string>>
  /** Credentials are in the query string: keep the URL out of spans. */
  readonly hideUrl: boolean
}



// OpenID Connect Core §3.1.2.1 `max_age` of a request, when its URL carries it (a
// pushed request's parameters are not in the URL).
export const maxAgeOf = (url: string): number | undefined => {
  try {
    const value = new URL(url).searchParams.get("max_age")
    return value === null || !/^\d{1,10}$/.test(value) ? undefined : Number(value)
  } catch {
    return undefined
  }
}


/** The advertised ID token algorithms this client can verify (never `none`, never `HS*`). */
export const advertisedAlgorithms = (provider: Provider): ReadonlyArray<string> | undefined => {
  const advertised = provider.metadata?.["id_token_signing_alg_values_supported"]
  if (!Array.isArray(advertised)) return undefined
  const usable = advertised.filter((alg): alg is string =>
    typeof alg === "string" && /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/.test(alg)
  )
  return usable.length === 0 ? undefined : usable
}


/**
 * What every operation of the client reads: the provider, the client, its URLs,
 * limits, authentication method, DPoP prover and HTTP client. @internal
 */
export const makeContext = (options: OAuthClient.Options) =>
  Effect.gen(function*() {
    const { client, provider } = options
    const httpClient = yield* HttpClient.HttpClient
    const limits = http.limits(options)
    const urls = new Map<string, URL>()
    for (const [field, name] of endpointFields) {
      const value = provider[field]
      if (value !== undefined) urls.set(field, yield* http.endpointUrl(name, value))
    }
    const tokenUrl = urls.get("tokenEndpoint")
    if (tokenUrl === undefined) return yield* missingEndpoint(provider, "token_endpoint")
    if (client.redirectUri !== undefined) yield* validRedirectUri(client.redirectUri)
    const authMethod: ClientAuthMethod = client.authMethod ??
      (client.signingKey !== undefined
        ? "private_key_jwt"
        : client.clientSecret === undefined
        ? "none"
        : defaultSecretMethod(provider))
    // RFC 6749 §2.1: a public client is "incapable of maintaining the
    // confidentiality of its credentials"; a secret configured for it is a mistake
    // (it would never be sent), or a confidential client misdeclared.
    if (authMethod === "none" && client.clientSecret !== undefined) {
      return yield* new ConfigurationError({
        reason: "InvalidCredential",
        detail: "client authentication none (a public client, RFC 6749 §2.1) is configured with a client secret: " +
          "remove client.clientSecret, or choose client_secret_basic or client_secret_post"
      })
    }
    if (authMethod === "private_key_jwt" && client.signingKey === undefined) {
      return yield* new ConfigurationError({
        reason: "MissingCredential",
        detail: "client authentication private_key_jwt needs a signing key (client.signingKey)"
      })
    }
    if (authMethod !== "none" && authMethod !== "private_key_jwt" && client.clientSecret === undefined) {
      return yield* new ConfigurationError({
        reason: "MissingCredential",
        detail: `client authentication ${authMethod} needs a client secret`
      })
    }
    // Imported once: a JWK that cannot sign fails here, at configuration time.
    const assertionKey = authMethod === "private_key_jwt" && client.signingKey !== undefined
      ? { key: yield* keyOf(client.signingKey), alg: client.signingKey.alg, kid: client.signingKey.kid }
      : authMethod === "client_secret_jwt" && client.clientSecret !== undefined
      ? { key: utf8Bytes(Redacted.value(client.clientSecret)), alg: client.secretJwtAlg ?? "HS256", kid: undefined }
      : undefined
    const dpop = options.dpop === undefined ? undefined : Dpop.prover(options.dpop)
    const legacy: ReadonlySet<string> = new Set(options.legacyGrants ?? [])
    const requireLegacy = (grant: "password" | "implicit", section: string) =>
      legacy.has(grant)
        ? Effect.void
        : Effect.fail(
          new ConfigurationError({
            reason: "Unsupported",
            detail: `the ${grant} grant is disabled: RFC 9700 ${section} says it must not be used; ` +
              `enable it with legacyGrants: ["${grant}"] only to talk to a server that offers nothing else`
          })
        )
    const quirks = provider.requests ?? {}
    const baseHeaders: Record<string, string> = { accept: "application/json", ...quirks.headers }
    const clientSecrets = client.clientSecret === undefined ? [] : [client.clientSecret]

    const idTokenOptions = options.idToken ?? {}
    const keys = idTokenOptions.keys ?? (provider.jwksUri === undefined
      ? undefined
      : yield* IdToken.remoteKeySet(provider.jwksUri, {
        ...(idTokenOptions.jwksRefetchCooldown === undefined ? {} : { cooldown: idTokenOptions.jwksRefetchCooldown }),
        timeout: limits.timeout,
        maxResponseBytes: limits.maxResponseBytes
      }))
    const algorithms = idTokenOptions.algorithms ?? advertisedAlgorithms(provider) ?? ["RS256"]

    return { options, client, provider, httpClient, limits, urls, tokenUrl, authMethod, assertionKey, dpop, requireLegacy, quirks, baseHeaders, clientSecrets, idTokenOptions, keys, algorithms }
  })

/** @internal */
export type ClientContext = Effect.Effect.Success<ReturnType<typeof makeContext>>
