import { Callback, OAuthClient } from "@effect-oauth/core"
import { Generic } from "@effect-oauth/providers"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"

const Live = Layer.merge(TestServer.layer({ rotateRefreshToken: true }), FetchHttpClient.layer)

/** A registered client without scopes of its own, so the provider's defaults apply. */
const registration = (client: TestServer.RegisteredClient) => {
  const { scopes: _, ...rest } = TestServer.clientConfig(client)
  return rest
}

describe("Generic", () => {
  layer(Live, { excludeTestServices: true, timeout: "30 seconds" })("against the embedded authorization server", (it) => {
    it.effect("discovers the issuer: endpoints, RFC 9207 iss, and openid among the default scopes", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const provider = yield* Generic.discover(server.issuer, { name: "test-server" })
        expect(provider.name).toBe("test-server")
        expect(provider.issuer).toBe(server.issuer)
        expect(provider.tokenEndpoint.startsWith(server.issuer)).toBe(true)
        expect(provider.revocationEndpoint).toBeDefined()
        expect(provider.authorizationResponseIssParameterSupported).toBe(true)
        expect(provider.defaultScopes).toEqual(["openid"])
      }))

    it.effect("runs code + PKCE, refresh with rotation and revocation through the discovered preset with quirks", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const provider = yield* Generic.discover(server.issuer, {
          defaultScopes: ["openid", "offline_access", "api:read"],
          tokenResponse: { scopeSeparator: "any" }
        })
        expect(provider.tokenResponse).toEqual({ scopeSeparator: "any" })
        const oauth = yield* OAuthClient.make({ provider, client: registration(server.clients.web) })
        const request = yield* oauth.authorizationUrl()
        expect(request.scopes).toEqual(["openid", "offline_access", "api:read"])
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
        expect(tokens.refreshToken).toBeDefined()
        expect(tokens.idToken).toBeDefined()
        const rotated = yield* oauth.refresh(tokens)
        expect(Redacted.value(rotated.refreshToken!)).not.toBe(Redacted.value(tokens.refreshToken!))
        yield* oauth.revoke(rotated)
        const refused = yield* Effect.flip(oauth.refresh(rotated))
        expect(refused._tag === "OAuthError" && refused.error).toBe("invalid_grant")
      }))

    it.effect("refuses a document that names another issuer", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const error = yield* Effect.flip(Generic.discover(server.issuer.replace("127.0.0.1", "localhost")))
        expect(error._tag).toBe("IssuerMismatch")
      }))

    it.effect("describes any RFC 6749 server by hand with Generic.make", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const discovered = yield* Generic.discover(server.issuer)
        const provider = Generic.make({
          name: "by-hand",
          authorizationEndpoint: discovered.authorizationEndpoint!,
          tokenEndpoint: discovered.tokenEndpoint,
          defaultScopes: ["openid", "api:read"]
        })
        const oauth = yield* OAuthClient.make({ provider, client: registration(server.clients.post) })
        const request = yield* oauth.authorizationUrl()
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
        expect(tokens.scopes).toEqual(["openid", "api:read"])
      }))
  })
})
