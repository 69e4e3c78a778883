import { Callback, OAuthClient, Provider } from "@effect-oauth/core"
import { HttpStub } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"

// `OAuthClient.request` (a provider's own endpoints) and the default client
// authentication chosen from a provider's `tokenEndpointAuthMethodsSupported`.

const ok = () => new Response(JSON.stringify({ access_token: "at", token_type: "bearer" }), { status: 200 })

describe("OAuthClient.request", () => {
  it.effect("sends GET parameters in the query and returns any status with the whole body", () =>
    Effect.gen(function*() {
      const { layer, seen } = HttpStub.make(() => new Response("{\"error\":\"invalid_token\"}", { status: 400 }))
      const response = yield* OAuthClient.request({
        method: "GET",
        url: "https://as.example/tokeninfo",
        params: { access_token: "secret-value" }
      }).pipe(Effect.provide(layer))
      expect(response.status).toBe(400)
      expect(new TextDecoder().decode(response.body)).toBe("{\"error\":\"invalid_token\"}")
      expect(seen[0]?.method).toBe("GET")
      expect(seen[0]?.url.searchParams.get("access_token")).toBe("secret-value")
      expect(seen[0]?.headers["accept"]).toBe("application/json")
    }))

  it.effect("sends POST parameters as a form body", () =>
    Effect.gen(function*() {
      const { layer, seen } = HttpStub.make(() => new Response("{}", { status: 200 }))
      yield* OAuthClient.request({ method: "POST", url: "https://as.example/check", params: { token: "t" } }).pipe(
        Effect.provide(layer)
      )
      expect(seen[0]?.method).toBe("POST")
      expect(seen[0]?.url.search).toBe("")
      expect(new URLSearchParams(seen[0]?.body).get("token")).toBe("t")
    }))

  it.effect("refuses a redirect, naming the endpoint without its query", () =>
    Effect.gen(function*() {
      const { layer } = HttpStub.make(() => new Response(null, { status: 302, headers: { location: "https://elsewhere.example/x" } }))
      const error = yield* Effect.flip(
        OAuthClient.request({ method: "GET", url: "https://as.example/tokeninfo", params: { access_token: "secret-value" } })
          .pipe(Effect.provide(layer))
      )
      expect(error._tag).toBe("TransportError")
      expect(error._tag === "TransportError" && error.reason).toBe("Redirect")
      expect(error.message).toContain("https://as.example/tokeninfo")
      expect(error.message).not.toContain("secret-value")
    }))

  it.effect("refuses plain http: on a host that is not loopback", () =>
    Effect.gen(function*() {
      const { layer, seen } = HttpStub.make(() => new Response("{}"))
      const error = yield* Effect.flip(
        OAuthClient.request({ method: "GET", url: "http://as.example/tokeninfo" }).pipe(Effect.provide(layer))
      )
      expect(error._tag === "ConfigurationError" && error.reason).toBe("InsecureUrl")
      expect(seen).toHaveLength(0)
    }))
})

describe("OAuthClient / default client authentication", () => {
  const secret = Redacted.make("s3cret")
  const exchange = (supported: ReadonlyArray<string> | undefined) =>
    Effect.gen(function*() {
      const { layer, seen } = HttpStub.make(ok)
      const provider = Provider.make({
        name: "example",
        authorizationEndpoint: "https://as.example/authorize",
        tokenEndpoint: "https://as.example/token",
        ...(supported === undefined ? {} : { tokenEndpointAuthMethodsSupported: supported })
      })
      const client = yield* OAuthClient.make({
        provider,
        client: { clientId: "app", clientSecret: secret, redirectUri: "https://app.example/cb" }
      }).pipe(Effect.provide(layer))
      const request = yield* client.authorizationUrl()
      const callback = `https://app.example/cb?code=c&state=${Redacted.value(request.state)}`
      yield* client.exchangeCode(yield* Callback.parse(callback, request)).pipe(Effect.provide(layer))
      const form = new URLSearchParams(seen[0]?.body)
      return { basic: seen[0]?.headers["authorization"]?.startsWith("Basic ") === true, postSecret: form.get("client_secret") }
    })

  it.effect("uses client_secret_basic when the provider lists no methods (RFC 8414 §2 default)", () =>
    Effect.map(exchange(undefined), (sent) => expect(sent).toEqual({ basic: true, postSecret: null })))

  it.effect("uses client_secret_basic when the provider lists it beside client_secret_post", () =>
    Effect.map(
      exchange(["client_secret_post", "client_secret_basic"]),
      (sent) => expect(sent).toEqual({ basic: true, postSecret: null })
    ))

  it.effect("uses client_secret_post when the provider lists it but not client_secret_basic", () =>
    Effect.map(exchange(["client_secret_post"]), (sent) => expect(sent).toEqual({ basic: false, postSecret: "s3cret" })))
})
