import { Dpop, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { AuthorizedHttpClient, OAuthSession, TokenStore } from "@effect-oauth/session"
import { Spans, TestServer } from "@effect-oauth/testing"
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { expect, layer } from "@effect/vitest"
import { Clock, Effect, Layer, Redacted } from "effect"

// DPoP end to end: a session whose client binds tokens to a key, and the
// authorized client proving each resource request, against a server and a
// resource that both demand their own nonce.

const Live = Layer.merge(TestServer.layer({ dpop: { requireNonce: true, resourceNonce: true } }), FetchHttpClient.layer)

const sessionWith = (key: Dpop.Key) =>
  Effect.gen(function*() {
    const server = yield* TestServer.TestServerTag
    const provider = yield* Provider.discover(server.issuer)
    const client = OAuthClient.layer({ provider, client: TestServer.clientConfig(server.clients.public), dpop: key })
    const session = yield* OAuthSession.make({ key: "dpop-user", refresh: "lazy" }).pipe(
      Effect.provide(Layer.merge(client, TokenStore.layerMemory))
    )
    const request = yield* session.authorize()
    yield* session.completeAuthorization(yield* server.approve(request.url))
    return { server, session }
  })

layer(Live, { excludeTestServices: true, timeout: "30 seconds" })("TestServer / DPoP with a session", (it) => {
  it.scoped("sends Authorization: DPoP with a proof, meets the resource's nonce once, and reuses it after", () =>
    Effect.gen(function*() {
      const key = yield* Dpop.generateKey()
      const { server, session } = yield* sessionWith(key)
      const tokens = yield* session.tokens
      expect(tokens.tokenType).toBe("DPoP")
      expect(session.dpop?.key.thumbprint).toBe(key.thumbprint)
      const api = AuthorizedHttpClient.make(session, yield* HttpClient.HttpClient)
      const first = yield* api.get(server.resourceUrl)
      expect(first.status).toBe(200)
      expect(yield* first.json).toMatchObject({ sub: "user-1" })
      const second = yield* api.get(server.resourceUrl)
      expect(second.status).toBe(200)
      expect(yield* server.resourceRequests).toEqual({ DPoP: 2 })
      expect(yield* (session.dpop?.nonce(server.resourceUrl) ?? Effect.succeed(undefined))).toMatch(/^resource-nonce-/)
    }))

  it.scoped("keeps the access token and the proof out of the spans of resource requests", () =>
    Effect.gen(function*() {
      const { server, session } = yield* sessionWith(yield* Dpop.generateKey())
      const api = AuthorizedHttpClient.make(session, yield* HttpClient.HttpClient)
      const { result: response, spans } = yield* Spans.record(api.get(server.resourceUrl))
      expect(response.status).toBe(200)
      const attributes = Spans.attributes(spans)
      expect(attributes.some((entry) => entry["http.request.header.dpop"] === "<redacted>")).toBe(true)
      const text = JSON.stringify(attributes)
      expect(text).not.toContain(Redacted.value((yield* session.tokens).accessToken))
      expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/)
    }))

  it.scoped("refreshes a bound grant with the same key and keeps proving with it", () =>
    Effect.gen(function*() {
      const { server, session } = yield* sessionWith(yield* Dpop.generateKey())
      const before = yield* session.tokens
      const after = yield* session.refresh
      expect(after.tokenType).toBe("DPoP")
      expect(Redacted.value(after.accessToken)).not.toBe(Redacted.value(before.accessToken))
      expect(TokenSet.isExpired(after, yield* Clock.currentTimeMillis)).toBe(false)
      const response = yield* AuthorizedHttpClient.make(session, yield* HttpClient.HttpClient).get(server.resourceUrl)
      expect(response.status).toBe(200)
    }))
})
