import { HttpClient } from "@effect/platform"
import { OAuthClient, OAuthError, Provider, Registration, ResourceMetadata, WwwAuthenticate } from "@effect-oauth/core"
import { Effect, Option } from "effect"
import * as AuthorizedHttpClient from "../AuthorizedHttpClient.js"
import * as OAuthSession from "../OAuthSession.js"
import type * as ResourceAuthorization from "../ResourceAuthorization.js"
import { ResourceAuthorizationFailed } from "../ResourceAuthorization.js"

type Reason = ResourceAuthorizationFailed["reason"]

// Issuer identifiers compare exactly (RFC 8414 §3.3), but for a trailing slash.
const issuerKey = (issuer: string) => issuer.endsWith("/") ? issuer.slice(0, -1) : issuer

const failedAt = (reason: Reason) => (cause: NonNullable<ResourceAuthorizationFailed["cause"]>) =>
  new ResourceAuthorizationFailed({ reason, cause })

/** @internal */
export const fromResource = <E>(url: string, options: ResourceAuthorization.Options<E>) =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    // The unauthenticated probe goes through core's wire: URL policy, no
    // redirect followed, a time limit and a size cap (RFC 9728 §5).
    const first = yield* OAuthClient.request({ method: "GET", url }).pipe(Effect.mapError(failedAt("Request")))
    if (first.status !== 401) return yield* new ResourceAuthorizationFailed({ reason: "NotChallenged", status: first.status })
    const challenges = yield* WwwAuthenticate.fromHeaders(first.headers).pipe(Effect.mapError(failedAt("Challenge")))
    // RFC 9728 §5.1 puts resource_metadata in a challenge of the scheme the resource
    // accepts; without any, the well-known URL of the request is tried.
    const challenge = challenges.find((entry) => entry.resourceMetadata !== undefined) ??
      Option.getOrUndefined(WwwAuthenticate.find(challenges, "Bearer")) ??
      (yield* WwwAuthenticate.parse("Bearer").pipe(Effect.mapError(failedAt("Challenge"))))[0]!
    const metadata = yield* ResourceMetadata.fromChallenge(url, challenge, { match: options.match }).pipe(
      Effect.mapError(failedAt("ResourceMetadata"))
    )
    // The given client's credentials go only to a server it is bound to: the
    // resource's metadata is not trusted to say where they may go.
    const bound = new Set((options.clientIssuers ?? []).map(issuerKey))
    const servers = metadata.authorizationServers
    const server = servers.find((issuer) => options.client !== undefined && bound.has(issuerKey(issuer))) ?? servers[0]!
    const useClient = options.client !== undefined && bound.has(issuerKey(server))
    if (options.client !== undefined && !useClient && options.otherServer === "fail") {
      return yield* new ResourceAuthorizationFailed({ reason: "ClientNotBound", server })
    }
    const provider = yield* Provider.discover(server).pipe(Effect.mapError(failedAt("Discovery")))
    const scopes = options.scopes ?? (challenge.scope.length > 0 ? challenge.scope : metadata.scopesSupported)

    let registration = Option.none<Registration.RegisteredClient>()
    let client: OAuthClient.Client
    if (useClient && options.client !== undefined) {
      client = {
        ...options.client,
        redirectUri: options.client.redirectUri ?? options.redirectUri,
        resource: options.client.resource ?? metadata.resource
      }
    } else {
      const registered = yield* Registration.register(provider, {
        redirect_uris: [options.redirectUri],
        // A public client with PKCE: nothing to keep secret on a user's machine (RFC 8252 §8.4).
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        client_name: options.clientName ?? "effect-oauth",
        ...(scopes.length === 0 ? {} : { scope: scopes.join(" ") })
      }).pipe(Effect.mapError(failedAt("Registration")))
      registration = Option.some(registered)
      client = Registration.toClient(registered, { redirectUri: options.redirectUri, scopes, resource: metadata.resource })
    }
    const oauth = yield* OAuthClient.make({ provider, client }).pipe(Effect.mapError(failedAt("Registration")))

    const session = yield* OAuthSession.make({ refresh: "lazy", ...options.session, key: options.key ?? metadata.resource }).pipe(
      Effect.provideService(OAuthClient.OAuthClient, oauth),
      Effect.mapError(failedAt("Authorization"))
    )
    const request = yield* session.authorize({ scopes }).pipe(Effect.mapError(failedAt("Authorization")))
    const callback = yield* options.authorize(request)
    yield* session.completeAuthorization(callback).pipe(Effect.mapError(failedAt("Authorization")))

    const authorized = AuthorizedHttpClient.make(session, http)
    const response = yield* authorized.get(url).pipe(
      Effect.mapError((error) =>
        failedAt("Request")(
          error._tag === "RequestError" || error._tag === "ResponseError"
            ? OAuthError.TransportError.fromHttpClientError(error)
            : error
        )
      )
    )
    return { session, client: authorized, response, metadata, provider, registration } satisfies ResourceAuthorization.Authorized
  }).pipe(Effect.withSpan("ResourceAuthorization.fromResource", { captureStackTrace: false }))
