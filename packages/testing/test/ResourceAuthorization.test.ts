import { Callback, OAuthClient, OAuthError, Provider } from "@effect-oauth/core"
import { ResourceAuthorization, TokenStore } from "@effect-oauth/session"
import { Spans, TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { decodeJwt } from "jose"

// The one-call chain against a protected resource on its own origin and the
// embedded oidc-provider with pushed authorization requests, registration and
// resource indicators on: no client id, no endpoint, no scope configured.

const Live = Layer.mergeAll(
  TestServer.layer({ pushedAuthorizationRequests: true, registration: true, resourceIndicators: true }),
  FetchHttpClient.layer,
  TokenStore.layerMemory
)

const chain = (url: string, options: Partial<ResourceAuthorization.Options<never>> = {}) =>
  Effect.gen(function*() {
    const server = yield* TestServer.TestServerTag
    return yield* ResourceAuthorization.fromResource(url, {
      redirectUri: server.clients.public.redirectUri,
      authorize: (request) => server.approve(request.url),
      ...options
    })
  })

describe("ResourceAuthorization / fromResource", () => {
  layer(Live, { excludeTestServices: true, timeout: "30 seconds" })("a protected resource", (it) => {
    it.effect("from a 401 with resource_metadata to an authorized session and a successful retried request", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const resource = server.protectedResource!
        const before = (yield* resource.requests).length
        const { client, metadata, provider, registration, response, session } = yield* chain(resource.url)

        expect(response.status).toBe(200)
        const registered = Option.getOrThrow(registration)
        expect(yield* response.json).toEqual({ sub: "user-1", scope: "api:read", clientId: registered.clientId })
        expect(metadata.resource).toBe(resource.resource)
        expect(provider.issuer).toBe(server.issuer)
        expect(yield* session.state).toBe("authorized")
        expect((yield* resource.requests).slice(before)).toEqual([
          { path: "/mcp", status: 401 },
          { path: new URL(resource.metadataUrl).pathname, status: 200 },
          { path: "/mcp", status: 200 }
        ])
        // The token is a JWT issued for this resource (RFC 8707).
        expect(decodeJwt(Redacted.value(yield* session.accessToken)).aud).toBe(resource.resource)

        // Later requests and a refresh keep working with the same client.
        expect((yield* client.get(resource.url)).status).toBe(200)
        yield* session.refresh
        expect((yield* client.get(resource.url)).status).toBe(200)
      }).pipe(Effect.scoped))

    it.effect("records no credential in any span of the chain (tokens, code, state, nonce, registration token)", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const seen: Array<Redacted.Redacted<string>> = []
        const { result, spans } = yield* Spans.record(ResourceAuthorization.fromResource(server.protectedResource!.url, {
          redirectUri: server.clients.public.redirectUri,
          key: "spans",
          scopes: ["openid", "api:read"],
          authorize: (request) =>
            Effect.tap(server.approve(request.url), (callback) =>
              Effect.sync(() => {
                seen.push(request.state, Redacted.make(new URL(callback).searchParams.get("code")!))
                if (request.nonce !== undefined) seen.push(request.nonce)
                if (request.codeVerifier !== undefined) seen.push(request.codeVerifier)
              }))
        }))
        const tokens = yield* result.session.tokens
        const registration = Option.getOrThrow(result.registration)
        const secrets = [
          ...seen,
          tokens.accessToken,
          tokens.refreshToken!,
          tokens.idToken!,
          registration.registrationAccessToken!
        ].map(Redacted.value)
        expect(spans.map((span) => span.name)).toEqual(expect.arrayContaining([
          "ResourceAuthorization.fromResource",
          "Registration.register",
          "OAuthClient.authorizationUrl",
          "OAuthClient.exchangeCode"
        ]))
        const recorded = JSON.stringify(spans.map((span) => ({ name: span.name, attributes: Object.fromEntries(span.attributes) })))
        for (const secret of secrets) expect(recorded).not.toContain(secret)
      }).pipe(Effect.scoped))

    it.effect("uses a given client bound to the resource's authorization server instead of registering one", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const resource = server.protectedResource!
        const { registration, response } = yield* chain(resource.url, {
          client: TestServer.clientConfig(server.clients.web, ["api:read"]),
          clientIssuers: [server.issuer],
          key: "with-web-client"
        })
        expect(Option.isNone(registration)).toBe(true)
        expect(yield* response.json).toMatchObject({ clientId: "web-client" })
      }).pipe(Effect.scoped))

    it.effect("refuses metadata naming another resource than the URL requested, unless asked to match by prefix", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const below = `${server.protectedResource!.url}/tools`
        const error = yield* Effect.flip(chain(below))
        expect(error).toMatchObject({ _tag: "ResourceAuthorizationFailed", reason: "ResourceMetadata" })
        expect(error._tag === "ResourceAuthorizationFailed" && error.cause?._tag).toBe("ResourceMismatch")
        const { response } = yield* chain(below, { match: "prefix", key: "by-prefix" })
        expect(response.status).toBe(200)
      }).pipe(Effect.scoped))

    it.effect("the resource refuses a token issued without its resource indicator (invalid_token)", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const provider = yield* Provider.discover(server.issuer)
        const oauth = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web, ["api:read"]) })
        const request = yield* oauth.authorizationUrl()
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
        const response = yield* Effect.promise(() =>
          fetch(server.protectedResource!.url, { headers: { authorization: `Bearer ${Redacted.value(tokens.accessToken)}` } })
        )
        expect(response.status).toBe(401)
        expect(response.headers.get("www-authenticate")).toContain(`error="invalid_token"`)
      }))

    it.effect("fails with NotChallenged when the URL answers without a 401", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const error = yield* Effect.flip(chain(server.protectedResource!.metadataUrl))
        expect(error).toMatchObject({ _tag: "ResourceAuthorizationFailed", reason: "NotChallenged", status: 200 })
      }).pipe(Effect.scoped))

    it.effect("passes the failure of the user's part through", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const refused = new OAuthError.AuthorizationDenied({ error: "access_denied" })
        const error = yield* Effect.flip(ResourceAuthorization.fromResource(server.protectedResource!.url, {
          redirectUri: server.clients.public.redirectUri,
          authorize: () => Effect.fail(refused),
          key: "denied"
        }))
        expect(error instanceof OAuthError.AuthorizationDenied && error.error).toBe("access_denied")
      }).pipe(Effect.scoped))
  })
})
