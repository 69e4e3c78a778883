import { Callback, OAuthClient, Provider } from "@effect-oauth/core"
import { HttpStub } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"

// The requests of pushed authorization (RFC 9126) and resource indicators
// (RFC 8707), against `HttpStub` clients. The flows run against the embedded
// server in the testing package.

const provider = Provider.make({
  name: "as",
  issuer: "https://as.example.com",
  authorizationEndpoint: "https://as.example.com/authorize",
  tokenEndpoint: "https://as.example.com/token",
  pushedAuthorizationRequestEndpoint: "https://as.example.com/par"
})

const client: OAuthClient.Client = {
  clientId: "client-1",
  clientSecret: Redacted.make("secret-1"),
  redirectUri: "https://app.example/cb",
  scopes: ["api:read"]
}

const parResponse = () =>
  Response.json({ request_uri: "urn:ietf:params:oauth:request_uri:abc", expires_in: 60 }, { status: 201 })
const tokenResponse = () => Response.json({ access_token: "at", token_type: "Bearer", expires_in: 60, refresh_token: "rt" })

describe("OAuthClient / pushed authorization requests", () => {
  it.effect("posts every authorization parameter with client authentication; the URL carries client_id and request_uri", () =>
    Effect.gen(function*() {
      const http = HttpStub.make(parResponse)
      const oauth = yield* OAuthClient.make({ provider, client }).pipe(Effect.provide(http.layer))
      const request = yield* oauth.authorizationUrl({ params: { prompt: "consent" } }).pipe(Effect.provide(http.layer))
      expect(request.url).toBe(
        "https://as.example.com/authorize?client_id=client-1&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc"
      )
      const [push] = http.seen
      expect(push!.url.toString()).toBe("https://as.example.com/par")
      expect(push!.headers["authorization"]).toMatch(/^Basic /)
      expect(Object.fromEntries(push!.form)).toEqual({
        response_type: "code",
        client_id: "client-1",
        redirect_uri: "https://app.example/cb",
        scope: "api:read",
        state: Redacted.value(request.state),
        code_challenge: expect.any(String),
        code_challenge_method: "S256",
        prompt: "consent"
      })
    }))

  it.effect("fails with InvalidTokenResponse when the answer has no request_uri, naming no parameter value", () =>
    Effect.gen(function*() {
      const oauth = yield* OAuthClient.make({ provider, client })
      const error = yield* Effect.flip(oauth.authorizationUrl())
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "InvalidField", field: "request_uri", status: 201 })
      expect(error.message).not.toContain("expires_in\": 60")
    }).pipe(Effect.provide(HttpStub.make(() => Response.json({ expires_in: 60 }, { status: 201 })).layer)))

  it.effect("masks the state it pushed in an error description the server echoes", () =>
    Effect.gen(function*() {
      let state = ""
      const http = HttpStub.make((seen) => {
        state = seen.form.get("state") ?? ""
        return Response.json({ error: "invalid_request", error_description: `bad state ${state}` }, { status: 400 })
      })
      const oauth = yield* OAuthClient.make({ provider, client }).pipe(Effect.provide(http.layer))
      const error = yield* Effect.flip(oauth.authorizationUrl().pipe(Effect.provide(http.layer)))
      expect(state.length).toBeGreaterThan(20)
      expect(error.message).toContain("bad state <redacted>")
      expect(error.message).not.toContain(state)
    }))
})

describe("OAuthClient / resource indicators", () => {
  it.effect("sends every resource in the authorization request and again with the code exchange and refresh", () =>
    Effect.gen(function*() {
      const http = HttpStub.make((seen) => seen.url.pathname === "/token" ? tokenResponse() : parResponse())
      const resource = ["https://api.example/", "https://mcp.example/mcp"]
      const oauth = yield* OAuthClient.make({ provider: { ...provider, pushedAuthorizationRequestEndpoint: undefined }, client: { ...client, resource } })
        .pipe(Effect.provide(http.layer))
      const request = yield* oauth.authorizationUrl()
      expect(new URL(request.url).searchParams.getAll("resource")).toEqual(resource)
      const response = yield* Callback.parse(new URLSearchParams({ code: "c", state: Redacted.value(request.state) }), request)
      const tokens = yield* oauth.exchangeCode(response).pipe(Effect.provide(http.layer))
      yield* oauth.refresh(tokens).pipe(Effect.provide(http.layer))
      yield* oauth.clientCredentials({ resource: "https://other.example/" }).pipe(Effect.provide(http.layer))
      expect(http.seen.map((seen) => seen.form.getAll("resource"))).toEqual([resource, resource, ["https://other.example/"]])
    }))

  it.effect("refuses a resource indicator with a fragment or that is not absolute (RFC 8707 §2)", () =>
    Effect.gen(function*() {
      const oauth = yield* OAuthClient.make({ provider, client })
      for (const resource of ["https://api.example/#frag", "/relative"]) {
        const error = yield* Effect.flip(oauth.authorizationUrl({ resource, pushed: false }))
        expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidUrl" })
      }
      const passed = yield* Effect.flip(oauth.authorizationUrl({ params: { resource: "https://api.example/" } }))
      expect(passed).toMatchObject({ _tag: "ConfigurationError", reason: "Unsupported" })
    }).pipe(Effect.provide(HttpStub.make(parResponse).layer)))
})
