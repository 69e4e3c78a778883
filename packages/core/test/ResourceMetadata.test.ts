import { ResourceMetadata, WwwAuthenticate } from "@effect-oauth/core"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"

// Response shapes from RFC 9728; the flow against a served resource runs in the
// testing package.

const rfcExample = {
  // https://www.rfc-editor.org/rfc/rfc9728#section-3.2
  resource: "https://resource.example.com",
  authorization_servers: ["https://as1.example.com", "https://as2.example.net"],
  bearer_methods_supported: ["header", "body"],
  scopes_supported: ["profile", "email", "phone"],
  resource_documentation: "https://resource.example.com/resource_documentation.html"
}

const serve = (documents: Record<string, { readonly status: number; readonly body?: unknown }>) => {
  const asked: Array<string> = []
  const client = HttpClient.make((request, url) =>
    Effect.sync(() => {
      asked.push(url.toString())
      const document = documents[url.toString()] ?? { status: 404 }
      return HttpClientResponse.fromWeb(
        request,
        new Response(document.body === undefined ? null : JSON.stringify(document.body), { status: document.status })
      )
    })
  )
  return { asked, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

describe("ResourceMetadata / wellKnownUrl", () => {
  const rows = [
    ["https://resource.example.com", "https://resource.example.com/.well-known/oauth-protected-resource"],
    ["https://resource.example.com/resource1", "https://resource.example.com/.well-known/oauth-protected-resource/resource1"],
    ["http://127.0.0.1:8080/mcp/", "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp"]
  ] as const
  for (const [resource, expected] of rows) {
    it.effect(`inserts the well-known segment before the path of ${resource} (RFC 9728 §3.1)`, () =>
      Effect.map(ResourceMetadata.wellKnownUrl(resource), (url) => expect(url.toString()).toBe(expected)))
  }

  it.effect("refuses plain http off loopback, and a query", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(ResourceMetadata.wellKnownUrl("http://resource.example.com"))).toMatchObject({ reason: "InsecureUrl" })
      expect(yield* Effect.flip(ResourceMetadata.wellKnownUrl("https://resource.example.com/?a=1"))).toMatchObject({ reason: "InvalidUrl" })
    }))
})

describe("ResourceMetadata / discover", () => {
  const wellKnown = "https://resource.example.com/.well-known/oauth-protected-resource"

  it.effect("reads the RFC 9728 §3.2 example", () =>
    Effect.gen(function*() {
      const metadata = yield* ResourceMetadata.discover("https://resource.example.com").pipe(
        Effect.provide(serve({ [wellKnown]: { status: 200, body: rfcExample } }).layer)
      )
      expect(metadata).toMatchObject({
        resource: "https://resource.example.com",
        authorizationServers: ["https://as1.example.com", "https://as2.example.net"],
        scopesSupported: ["profile", "email", "phone"],
        bearerMethodsSupported: ["header", "body"]
      })
      expect(metadata.metadata["resource_documentation"]).toBe(rfcExample.resource_documentation)
    }))

  it.effect("refuses a document naming another resource (ResourceMismatch, RFC 9728 §3.3)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ResourceMetadata.discover("https://resource.example.com").pipe(
        Effect.provide(serve({ [wellKnown]: { status: 200, body: { ...rfcExample, resource: "https://evil.example" } } }).layer)
      ))
      expect(error).toMatchObject({ _tag: "ResourceMismatch", expected: "https://resource.example.com", received: "https://evil.example" })
      expect(error.message).toBe(`resource metadata names "https://evil.example", expected "https://resource.example.com" (RFC 9728 §3.3)`)
    }))

  const failures = [
    ["no document (404)", { status: 404 }, "ConfigurationError", "InvalidMetadata"],
    ["no authorization server", { status: 200, body: { resource: rfcExample.resource } }, "ConfigurationError", "InvalidMetadata"],
    ["authorization_servers not strings", { status: 200, body: { ...rfcExample, authorization_servers: [1] } }, "ConfigurationError", "InvalidMetadata"],
    ["no resource", { status: 200, body: { authorization_servers: ["https://as1.example.com"] } }, "ConfigurationError", "InvalidMetadata"],
    ["a 503", { status: 503 }, "TransportError", "Transport"]
  ] as const
  for (const [name, document, tag, reason] of failures) {
    it.effect(`fails with ${tag} ${reason} for ${name}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(ResourceMetadata.discover("https://resource.example.com").pipe(
          Effect.provide(serve({ [wellKnown]: document }).layer)
        ))
        expect(error).toMatchObject({ _tag: tag, reason })
      }))
  }
})

describe("ResourceMetadata / fromChallenge", () => {
  const metadataUrl = "https://resource.example.com/.well-known/oauth-protected-resource/mcp"
  const challengeOf = (header: string) =>
    Effect.map(WwwAuthenticate.parse(header), (challenges) => challenges[0]!)

  it.effect("reads the document named by resource_metadata; its resource must be the URL requested", () =>
    Effect.gen(function*() {
      const http = serve({ [metadataUrl]: { status: 200, body: { ...rfcExample, resource: "https://resource.example.com/mcp" } } })
      const challenge = yield* challengeOf(`Bearer resource_metadata="${metadataUrl}"`)
      const metadata = yield* ResourceMetadata.fromChallenge("https://resource.example.com/mcp?session=1", challenge).pipe(
        Effect.provide(http.layer)
      )
      expect(metadata.resource).toBe("https://resource.example.com/mcp")
      expect(http.asked).toEqual([metadataUrl])

      const below = yield* Effect.flip(
        ResourceMetadata.fromChallenge("https://resource.example.com/mcp/tools", challenge).pipe(Effect.provide(http.layer))
      )
      expect(below).toMatchObject({ _tag: "ResourceMismatch", expected: "https://resource.example.com/mcp/tools" })
      const prefixed = yield* ResourceMetadata.fromChallenge("https://resource.example.com/mcp/tools", challenge, { match: "prefix" }).pipe(
        Effect.provide(http.layer)
      )
      expect(prefixed.resource).toBe("https://resource.example.com/mcp")
      const sibling = yield* Effect.flip(
        ResourceMetadata.fromChallenge("https://resource.example.com/mcpx", challenge, { match: "prefix" }).pipe(Effect.provide(http.layer))
      )
      expect(sibling._tag).toBe("ResourceMismatch")
    }))

  it.effect("falls back to the well-known URL of the requested URL without resource_metadata", () =>
    Effect.gen(function*() {
      const http = serve({ [metadataUrl]: { status: 200, body: { ...rfcExample, resource: "https://resource.example.com/mcp" } } })
      const metadata = yield* ResourceMetadata.fromChallenge("https://resource.example.com/mcp", yield* challengeOf(`Bearer realm="mcp"`)).pipe(
        Effect.provide(http.layer)
      )
      expect(metadata.authorizationServers).toEqual(rfcExample.authorization_servers)
      expect(http.asked).toEqual([metadataUrl])
    }))
})
