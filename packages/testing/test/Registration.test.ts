import { Callback, OAuthClient, Provider, Registration, TokenSet } from "@effect-oauth/core"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"

// Dynamic client registration (RFC 7591) against the embedded oidc-provider with
// its `registration` feature on.

const Live = Layer.merge(TestServer.layer({ registration: true }), FetchHttpClient.layer)

describe("dynamic client registration", () => {
  layer(Live, { excludeTestServices: true, timeout: "30 seconds" })("an open registration endpoint", (it) => {
    const redirectUri = "http://127.0.0.1/callback"

    for (const method of ["none", "client_secret_basic"] as const) {
      it.effect(`registers a client (${method}) that then completes code + PKCE and a refresh`, () =>
        Effect.gen(function*() {
          const server = yield* TestServer.TestServerTag
          const provider = yield* Provider.discover(server.issuer)
          expect(provider.registrationEndpoint).toBe(`${server.issuer}/reg`)
          const registered = yield* Registration.register(provider, {
            redirect_uris: [redirectUri],
            token_endpoint_auth_method: method,
            grant_types: ["authorization_code", "refresh_token"],
            response_types: ["code"],
            client_name: "registered in a test",
            scope: "openid offline_access api:read"
          })
          expect(registered.clientSecret === undefined).toBe(method === "none")
          expect(registered.registrationAccessToken).toBeDefined()
          const oauth = yield* OAuthClient.make({
            provider,
            client: Registration.toClient(registered, { scopes: ["openid", "offline_access", "api:read"] })
          })
          const request = yield* oauth.authorizationUrl()
          const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
          expect(TokenSet.claims(tokens)).toMatchObject({ sub: "user-1", aud: registered.clientId })
          const refreshed = yield* oauth.refresh(tokens)
          expect(Redacted.value(refreshed.accessToken)).not.toBe(Redacted.value(tokens.accessToken))
        }))
    }

    it.effect("reports invalid metadata as the server's RFC 7591 error", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const provider = yield* Provider.discover(server.issuer)
        const error = yield* Effect.flip(Registration.register(provider, { redirect_uris: ["not a uri"] }))
        expect(error._tag === "OAuthError" && [error.error, error.status, error.remedy]).toEqual([
          "invalid_redirect_uri",
          400,
          "fixConfiguration"
        ])
      }))
  })
})
