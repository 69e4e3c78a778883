import { Callback, Dpop, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"

// Pushed authorization requests (RFC 9126) against the embedded oidc-provider
// with its `pushedAuthorizationRequests` feature on.

const clientFor = (client: TestServer.RegisteredClient) =>
  Effect.gen(function*() {
    const server = yield* TestServer.TestServerTag
    const provider = yield* Provider.discover(server.issuer)
    return { server, provider, oauth: yield* OAuthClient.make({ provider, client: TestServer.clientConfig(client) }) }
  })

const completes = (oauth: OAuthClient.Service, server: TestServer.TestServer, request: Callback.AuthorizationRequest) =>
  Effect.gen(function*() {
    const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
    expect(TokenSet.claims(tokens)?.sub).toBe("user-1")
    expect(tokens.refreshToken).toBeDefined()
  })

describe("pushed authorization requests", () => {
  const Advertised = Layer.merge(TestServer.layer({ pushedAuthorizationRequests: true }), FetchHttpClient.layer)
  layer(Advertised, { excludeTestServices: true, timeout: "30 seconds" })("a server advertising PAR", (it) => {
    it.effect("pushes the request, sends only client_id and request_uri, and the flow completes", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        for (const client of [server.clients.web, server.clients.post, server.clients.public]) {
          const { oauth, provider } = yield* clientFor(client)
          expect(provider.pushedAuthorizationRequestEndpoint).toBe(`${server.issuer}/request`)
          const request = yield* oauth.authorizationUrl()
          const url = new URL(request.url)
          expect([...url.searchParams.keys()].sort()).toEqual(["client_id", "request_uri"])
          expect(url.searchParams.get("client_id")).toBe(client.clientId)
          expect(url.searchParams.get("request_uri")).toMatch(/^urn:ietf:params:oauth:request_uri:/)
          yield* completes(oauth, server, request)
        }
      }))

    it.effect("sends the parameters in the URL when the app opts out", () =>
      Effect.gen(function*() {
        const { oauth, server } = yield* clientFor((yield* TestServer.TestServerTag).clients.web)
        const request = yield* oauth.authorizationUrl({ pushed: false })
        expect(new URL(request.url).searchParams.get("code_challenge_method")).toBe("S256")
        yield* completes(oauth, server, request)
      }))

    it.effect("reports the server's refusal of a pushed request as an OAuthError", () =>
      Effect.gen(function*() {
        const { oauth } = yield* clientFor((yield* TestServer.TestServerTag).clients.web)
        const error = yield* Effect.flip(oauth.authorizationUrl({ redirectUri: "http://127.0.0.1/not-registered" }))
        expect({ _tag: error._tag, code: error._tag === "OAuthError" && error.error, status: error._tag === "OAuthError" && error.status })
          .toEqual({ _tag: "OAuthError", code: "invalid_request", status: 400 })
      }))
  })

  const Required = Layer.merge(TestServer.layer({ pushedAuthorizationRequests: "required" }), FetchHttpClient.layer)
  layer(Required, { excludeTestServices: true, timeout: "30 seconds" })("a server requiring PAR", (it) => {
    it.effect("is read from discovery; an opt-out is refused, the default flow completes", () =>
      Effect.gen(function*() {
        const { oauth, provider, server } = yield* clientFor((yield* TestServer.TestServerTag).clients.web)
        expect(provider.requirePushedAuthorizationRequests).toBe(true)
        const refused = yield* Effect.flip(oauth.authorizationUrl({ pushed: false }))
        expect(refused).toMatchObject({ _tag: "ConfigurationError", reason: "Unsupported" })
        yield* completes(oauth, server, yield* oauth.authorizationUrl())
      }))
  })

  const WithDpop = Layer.merge(
    TestServer.layer({ pushedAuthorizationRequests: true, dpop: { requireNonce: true } }),
    FetchHttpClient.layer
  )
  layer(WithDpop, { excludeTestServices: true, timeout: "30 seconds" })("a server requiring DPoP nonces", (it) => {
    it.effect("proves the client's DPoP key at the PAR endpoint, retrying once with the server's nonce", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const provider = yield* Provider.discover(server.issuer)
        const oauth = yield* OAuthClient.make({
          provider,
          client: TestServer.clientConfig(server.clients.web),
          dpop: yield* Dpop.generateKey()
        })
        const request = yield* oauth.authorizationUrl()
        expect([...new URL(request.url).searchParams.keys()].sort()).toEqual(["client_id", "request_uri"])
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
        expect(tokens.tokenType).toBe("DPoP")
      }))
  })

  const Plain = Layer.merge(TestServer.layer(), FetchHttpClient.layer)
  layer(Plain, { excludeTestServices: true, timeout: "30 seconds" })("a server without PAR", (it) => {
    it.effect("does not advertise PAR; asking for it is a ConfigurationError", () =>
      Effect.gen(function*() {
        const { oauth, provider } = yield* clientFor((yield* TestServer.TestServerTag).clients.web)
        expect(provider.pushedAuthorizationRequestEndpoint).toBeUndefined()
        const error = yield* Effect.flip(oauth.authorizationUrl({ pushed: true }))
        expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "MissingEndpoint" })
      }))
  })
})
