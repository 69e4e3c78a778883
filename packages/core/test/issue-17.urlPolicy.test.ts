import { Provider, ResourceMetadata, WwwAuthenticate } from "@effect-oauth/core"
import { HttpStub } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

// Issue 17: a URL one server names for another request must not point a remote
// client's requests at its own network (RFC 9728 §7.7), and a challenge's
// resource_metadata stays on the resource's origin (RFC 9728 §3) — unless the
// application allows the host by name.

const jsonResponse = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } })

const issuer = "https://as.example.com"
const metadata = (overrides: Record<string, unknown>) => ({
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  ...overrides
})

const discover = (document: Record<string, unknown>, options: Provider.DiscoverOptions = {}) => {
  const { layer } = HttpStub.make(() => jsonResponse(document))
  return Provider.discover(issuer, options).pipe(Effect.provide(layer))
}

describe("issue 17 / URL policy: discovery", () => {
  const privateUrls = [
    "https://10.0.0.7/token",
    "https://192.168.1.1/token",
    "https://172.20.0.1/token",
    "https://169.254.169.254/latest/meta-data",
    "http://127.0.0.1:8080/token",
    "http://localhost/token",
    "https://[fe80::1]/token",
    "https://[fd00::1]/token",
    "https://[::ffff:10.0.0.1]/token",
    "http://[::1]/token"
  ]
  for (const url of privateUrls) {
    it.effect(`refuses token_endpoint ${url} named by a remote issuer`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(discover(metadata({ token_endpoint: url })))
        expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InsecureUrl" })
        expect(error.message).toContain("token_endpoint")
        expect(error.message).toContain("RFC 9728 §7.7")
      }))
  }

  it.effect("refuses a jwks_uri at a metadata address", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(discover(metadata({ jwks_uri: "https://169.254.169.254/keys" })))
      expect(error.message).toContain("jwks_uri")
      expect(error.message).toContain("link-local")
    }))

  it.effect("accepts a private endpoint whose host the application allows by name", () =>
    Effect.gen(function*() {
      const provider = yield* discover(metadata({ token_endpoint: "https://10.0.0.7/token" }), { allowHosts: ["10.0.0.7"] })
      expect(provider.tokenEndpoint).toBe("https://10.0.0.7/token")
    }))

  it.effect("accepts public endpoints on other hosts", () =>
    Effect.gen(function*() {
      const provider = yield* discover(metadata({ token_endpoint: "https://tokens.example.net/token" }))
      expect(provider.tokenEndpoint).toBe("https://tokens.example.net/token")
    }))
})

describe("issue 17 / URL policy: resource metadata", () => {
  const resource = "https://resource.example.com/mcp"
  const challengeOf = (url: string) =>
    Effect.map(WwwAuthenticate.parse(`Bearer resource_metadata="${url}"`), (challenges) => challenges[0]!)

  it.effect("refuses a resource_metadata URL on another origin than the resource (RFC 9728 §3)", () =>
    Effect.gen(function*() {
      const stub = HttpStub.make(() => jsonResponse({ resource, authorization_servers: [issuer] }))
      const challenge = yield* challengeOf("https://evil.example.net/.well-known/oauth-protected-resource/mcp")
      const error = yield* Effect.flip(ResourceMetadata.fromChallenge(resource, challenge).pipe(Effect.provide(stub.layer)))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InsecureUrl" })
      expect(error.message).toContain("resource_metadata")
      expect(stub.seen).toHaveLength(0)
    }))

  it.effect("refuses resource metadata whose authorization_servers names a private address", () =>
    Effect.gen(function*() {
      const stub = HttpStub.make(() => jsonResponse({ resource, authorization_servers: ["https://192.168.0.10"] }))
      const error = yield* Effect.flip(ResourceMetadata.discover(resource).pipe(Effect.provide(stub.layer)))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InsecureUrl" })
      expect(error.message).toContain("authorization_servers")
    }))

  it.effect("accepts them for hosts the application allows", () =>
    Effect.gen(function*() {
      const stub = HttpStub.make(() => jsonResponse({ resource, authorization_servers: ["https://192.168.0.10"] }))
      const metadata = yield* ResourceMetadata.discover(resource, { allowHosts: ["192.168.0.10"] }).pipe(Effect.provide(stub.layer))
      expect(metadata.authorizationServers).toEqual(["https://192.168.0.10"])
    }))
})
