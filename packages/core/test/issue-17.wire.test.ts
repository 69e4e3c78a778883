import { OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { HttpStub } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as Net from "node:net"

// Issue 17: the wire says whether a failed request may have reached the server, and
// sends no trace context to the authorization server unless asked to.

const provider = (origin: string) =>
  Provider.make({
    name: "wire",
    issuer: origin,
    authorizationEndpoint: `${origin}/authorize`,
    tokenEndpoint: `${origin}/token`
  })

const client: OAuthClient.Client = {
  clientId: "client-1",
  clientSecret: Redacted.make("secret-1"),
  redirectUri: "https://client.example.com/cb"
}

const tokens = TokenSet.make({
  accessToken: Redacted.make("at"),
  tokenType: "Bearer",
  issuedAt: 0,
  refreshToken: Redacted.make("rt-1"),
  scopes: []
})

// A loopback port with nothing listening: bound, then closed.
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = Net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      server.close(() => resolve(port))
    })
  })
)

describe("issue 17 / TransportError.requestSent", () => {
  it.effect("is false when the connection was refused, and the message says the request was not sent", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const oauth = yield* OAuthClient.make({ provider: provider(`http://127.0.0.1:${port}`), client }).pipe(
        Effect.provide(FetchHttpClient.layer)
      )
      const error = yield* Effect.flip(oauth.refresh(tokens))
      expect(error).toMatchObject({ _tag: "TransportError", requestSent: false })
      expect(error.message).toContain("the request was not sent")
    }))

  it.effect("is true when the server answered with a redirect, and the message says it may have acted", () =>
    Effect.gen(function*() {
      const { layer } = HttpStub.make(() => new Response(null, { status: 302, headers: { location: "https://elsewhere.example/" } }))
      const oauth = yield* OAuthClient.make({ provider: provider("https://as.example.com"), client }).pipe(Effect.provide(layer))
      const error = yield* Effect.flip(oauth.refresh(tokens))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Redirect", requestSent: true })
      expect(error.message).toContain("may have acted on it")
    }))

  it.effect("is true when the body is over the cap", () =>
    Effect.gen(function*() {
      const { layer } = HttpStub.make(() => new Response("x".repeat(2048), { status: 200 }))
      const oauth = yield* OAuthClient.make({ provider: provider("https://as.example.com"), client, maxResponseBytes: 1024 })
        .pipe(Effect.provide(layer))
      const error = yield* Effect.flip(oauth.refresh(tokens))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "TooLarge", requestSent: true })
    }))
})

describe("issue 17 / trace context", () => {
  const headersSent = (tracePropagation: boolean | undefined) =>
    Effect.gen(function*() {
      const stub = HttpStub.make(() =>
        new Response(JSON.stringify({ access_token: "at-2", token_type: "Bearer" }), {
          status: 200,
          headers: { "content-type": "application/json" }
        })
      )
      const oauth = yield* OAuthClient.make({
        provider: provider("https://as.example.com"),
        client,
        ...(tracePropagation === undefined ? {} : { tracePropagation })
      }).pipe(Effect.provide(stub.layer))
      yield* oauth.refresh(tokens).pipe(Effect.withSpan("app"))
      return stub.seen[0]!.headers
    })

  it.effect("sends no traceparent or b3 header to the authorization server by default", () =>
    Effect.gen(function*() {
      const headers = yield* headersSent(undefined)
      expect(headers["traceparent"]).toBeUndefined()
      expect(headers["b3"]).toBeUndefined()
    }))

  it.effect("sends them when tracePropagation is on", () =>
    Effect.gen(function*() {
      const headers = yield* headersSent(true)
      expect(headers["traceparent"]).toBeDefined()
    }))
})

describe("issue 17 / a public client with a secret", () => {
  it.effect("is refused at construction, saying which setting conflicts (RFC 6749 §2.1)", () =>
    Effect.gen(function*() {
      const { layer } = HttpStub.make(() => new Response(null, { status: 500 }))
      const error = yield* Effect.flip(
        OAuthClient.make({ provider: provider("https://as.example.com"), client: { ...client, authMethod: "none" } })
          .pipe(Effect.provide(layer))
      )
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidCredential" })
      expect(error.message).toContain("public client")
      expect(error.message).toContain("clientSecret")
    }))
})
