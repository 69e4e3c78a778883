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

describe("issue 17 / revocation that is not RFC 7009", () => {
  const revoking = (requests: Provider.RequestQuirks, revocationEndpoint: string, answer: () => Response) =>
    Effect.gen(function*() {
      const stub = HttpStub.make(answer)
      const oauth = yield* OAuthClient.make({
        provider: { ...provider("https://as.example.com"), revocationEndpoint, requests },
        client
      }).pipe(Effect.provide(stub.layer))
      const exit = yield* Effect.exit(oauth.revoke(Redacted.make("at-to-revoke")))
      return { exit, seen: stub.seen }
    })

  it.effect("GitHub: DELETE /applications/{client_id}/grant with Basic credentials and a JSON body", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* revoking(
        { revocation: { method: "DELETE", tokenIn: "json", tokenParameter: "access_token" } },
        "https://api.github.example/applications/{client_id}/grant",
        () => new Response(null, { status: 204 })
      )
      expect(exit._tag).toBe("Success")
      expect(seen[0]!.method).toBe("DELETE")
      expect(seen[0]!.url.pathname).toBe("/applications/client-1/grant")
      expect(seen[0]!.headers["authorization"]).toMatch(/^Basic /)
      expect(JSON.parse(seen[0]!.body)).toEqual({ access_token: "at-to-revoke" })
    }))

  it.effect("Facebook: DELETE /me/permissions with the token in the query and no client credentials", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* revoking(
        { revocation: { method: "DELETE", tokenIn: "query", tokenParameter: "access_token", clientAuthentication: false } },
        "https://graph.facebook.example/me/permissions",
        () => new Response(JSON.stringify({ success: true }), { status: 200 })
      )
      expect(exit._tag).toBe("Success")
      expect(seen[0]!.method).toBe("DELETE")
      expect(seen[0]!.url.searchParams.get("access_token")).toBe("at-to-revoke")
      expect(seen[0]!.headers["authorization"]).toBeUndefined()
    }))

  it.effect("Google: a documented 'already invalid' error counts as revoked (RFC 7009 §2.2)", () =>
    Effect.gen(function*() {
      const answer = () =>
        new Response(JSON.stringify({ error: "invalid_token", error_description: "Token expired or revoked" }), {
          status: 400,
          headers: { "content-type": "application/json" }
        })
      const known = yield* revoking({ revocation: { alreadyRevokedErrors: ["invalid_token"] } }, "https://oauth2.google.example/revoke", answer)
      expect(known.exit._tag).toBe("Success")
      const unknown = yield* revoking({}, "https://oauth2.google.example/revoke", answer)
      expect(unknown.exit._tag).toBe("Failure")
    }))
})
