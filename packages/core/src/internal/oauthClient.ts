import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Layer } from "effect"
import type * as OAuthClient from "../OAuthClient.js"
import { OAuthClient as Tag } from "../OAuthClient.js"
import type { ConfigurationError, TransportError } from "../OAuthError.js"
import * as Authorization from "./client/authorization.js"
import * as Context from "./client/context.js"
import * as Grants from "./client/grants.js"
import * as Management from "./client/management.js"
import * as TokenEndpoint from "./client/tokenEndpoint.js"
import * as http from "./http.js"

/** @internal */
export const basicCredentials = Context.basicCredentials

/**
 * The client, assembled from one module per concern over a `ClientContext`: the
 * authorization request, the grants, token management, all sending through the
 * token endpoint module. A new grant is one function in `client/grants.ts`.
 *
 * @internal
 */
export const make = (
  options: OAuthClient.Options
): Effect.Effect<OAuthClient.Service, ConfigurationError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const ctx = yield* Context.makeContext(options)
    const tokenEndpoint = TokenEndpoint.make(ctx)
    const service: OAuthClient.Service = {
      provider: ctx.provider,
      clientId: ctx.client.clientId,
      dpop: ctx.dpop,
      ...Authorization.make(ctx, tokenEndpoint),
      ...Grants.make(ctx, tokenEndpoint),
      ...Management.make(ctx, tokenEndpoint)
    }
    return service
  })

/** @internal */
export const request = (
  options: OAuthClient.EndpointRequest
): Effect.Effect<OAuthClient.EndpointResponse, TransportError | ConfigurationError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const httpClient = yield* HttpClient.HttpClient
    const url = yield* http.endpointUrl("endpoint", options.url)
    const params = options.params ?? {}
    const base = options.method === "GET"
      ? HttpClientRequest.get(url).pipe(HttpClientRequest.appendUrlParams(params))
      : HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUrlParams(params))
    const hideUrl = options.method === "GET" && Object.keys(params).length > 0
    return yield* http.send(
      httpClient,
      HttpClientRequest.setHeaders(base, { accept: "application/json", ...options.headers }),
      url,
      http.limits(options),
      hideUrl
    ).pipe(Effect.withSpan("OAuthClient.request", { attributes: { "oauth.endpoint": http.where(url) }, captureStackTrace: false }))
  })

/** @internal */
export const layer = (
  options: OAuthClient.Options
): Layer.Layer<Tag, ConfigurationError, HttpClient.HttpClient> => Layer.effect(Tag, make(options))
