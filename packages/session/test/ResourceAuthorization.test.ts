import type { OAuthClient } from "@effect-oauth/core"
import { ResourceAuthorization, TokenStore } from "@effect-oauth/session"
import { HttpStub } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"

const resource = "https://api.example/mcp"
const trusted = "https://as.example"
const attacker = "https://evil.example"
const secret = "s3cret-of-the-web-client"

const serverMetadata = (issuer: string) => ({
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  pushed_authorization_request_endpoint: `${issuer}/par`,
  code_challenge_methods_supported: ["S256"]
})

/** A resource whose metadata names `servers`; each server answers discovery, PAR and registration. */
const world = (servers: ReadonlyArray<string>) =>
  HttpStub.make(({ method, url }) => {
    if (url.href === resource) {
      return new Response(null, {
        status: 401,
        headers: { "www-authenticate": `Bearer resource_metadata="https://api.example/.well-known/oauth-protected-resource/mcp"` }
      })
    }
    if (url.pathname.startsWith("/.well-known/oauth-protected-resource")) {
      return Response.json({ resource, authorization_servers: servers })
    }
    if (url.pathname === "/.well-known/oauth-authorization-server") {
      return Response.json({ ...serverMetadata(url.origin), registration_endpoint: `${url.origin}/register` })
    }
    if (method === "POST" && url.pathname === "/par") {
      return Response.json({ request_uri: "urn:ietf:params:oauth:request_uri:1", expires_in: 60 }, { status: 201 })
    }
    if (method === "POST" && url.pathname === "/register") {
      return Response.json({ client_id: "registered-client", redirect_uris: ["http://127.0.0.1:8765/callback"] }, { status: 201 })
    }
    return new Response(null, { status: 404 })
  })

const webClient: OAuthClient.Client = {
  clientId: "web-client",
  clientSecret: Redacted.make(secret),
  redirectUri: "http://127.0.0.1:8765/callback"
}

const carriesCredential = (seen: HttpStub.Seen) =>
  seen.headers["authorization"] !== undefined || seen.body.includes(secret) || seen.form.get("client_id") === "web-client"

const run = (stub: HttpStub.Stub, options: Partial<ResourceAuthorization.Options<"asked the user">>) =>
  ResourceAuthorization.fromResource(resource, {
    redirectUri: "http://127.0.0.1:8765/callback",
    // The user's part stops the flow here (no wall-clock wait): what matters is
    // what went out before it.
    authorize: () => Effect.fail("asked the user" as const),
    ...options
  }).pipe(Effect.provide(Layer.merge(stub.layer, TokenStore.layerMemory)))

describe("ResourceAuthorization / a pre-registered client", () => {
  it.live("issue 11: stops with a typed error before any request carries the client's credentials to a server it is not bound to", () =>
    Effect.gen(function*() {
      const stub = world([attacker])
      const error = yield* Effect.flip(run(stub, { client: webClient, clientIssuers: [trusted], otherServer: "fail" }))
      expect(error).toMatchObject({ _tag: "ResourceAuthorizationFailed", reason: "ClientNotBound" })
      expect(String(error)).toContain(attacker)
      expect(stub.seen.filter(carriesCredential)).toEqual([])
    }).pipe(Effect.scoped))

  it.live("issue 11: by default registers a new client at a server the given client is not bound to", () =>
    Effect.gen(function*() {
      const stub = world([attacker])
      yield* Effect.flip(run(stub, { client: webClient, clientIssuers: [trusted] }))
      expect(stub.seen.filter(carriesCredential)).toEqual([])
      expect(stub.seen.some(({ url }) => url.href === `${attacker}/register`)).toBe(true)
    }).pipe(Effect.scoped))

  it.live("a client given without the servers it is bound to sends its credentials nowhere", () =>
    Effect.gen(function*() {
      const stub = world([attacker])
      yield* Effect.flip(run(stub, { client: webClient }))
      expect(stub.seen.filter(carriesCredential)).toEqual([])
    }).pipe(Effect.scoped))

  it.live("sends the client's credentials to the server it is bound to, chosen among those the resource names", () =>
    Effect.gen(function*() {
      const stub = world([attacker, trusted])
      const outcome = yield* Effect.flip(run(stub, { client: webClient, clientIssuers: [trusted] }))
      expect(outcome).toBe("asked the user")
      const credentialed = stub.seen.filter(carriesCredential)
      expect(credentialed.map(({ url }) => url.origin)).toEqual([trusted])
      expect(stub.seen.some(({ url }) => url.origin === attacker && url.pathname !== "/.well-known/oauth-authorization-server"))
        .toBe(false)
    }).pipe(Effect.scoped))
})


describe("ResourceAuthorization / the first request goes through core's wire", () => {
  it.live("a resource answering with a redirect is a Request failure (Redirect), not followed nor read as a challenge", () =>
    Effect.gen(function*() {
      const stub = HttpStub.make(() => new Response(null, { status: 302, headers: { location: "https://evil.example/mcp" } }))
      const error = yield* Effect.flip(run(stub, {}))
      expect(error).toMatchObject({ _tag: "ResourceAuthorizationFailed", reason: "Request", cause: { _tag: "TransportError", reason: "Redirect" } })
      expect(stub.seen.map(({ url }) => url.href)).toEqual([resource])
    }).pipe(Effect.scoped))

  it.live("a plain-http resource that is not loopback is refused before any request (InsecureUrl)", () =>
    Effect.gen(function*() {
      const stub = world([trusted])
      const error = yield* Effect.flip(
        ResourceAuthorization.fromResource("http://api.example/mcp", { redirectUri: "http://127.0.0.1:8765/callback", authorize: () => Effect.never }).pipe(
          Effect.provide(Layer.merge(stub.layer, TokenStore.layerMemory))
        )
      )
      expect(error).toMatchObject({ _tag: "ResourceAuthorizationFailed", reason: "Request", cause: { _tag: "ConfigurationError", reason: "InsecureUrl" } })
      expect(stub.seen).toEqual([])
    }).pipe(Effect.scoped))
})
