import { Provider } from "@effect-oauth/core"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"

const issuer = "https://as.example.com"

// RFC 8414 §3.2's example response, plus the fields the SDK maps.
const metadata = (overrides: Record<string, unknown> = {}) => ({
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  revocation_endpoint: `${issuer}/revoke`,
  introspection_endpoint: `${issuer}/introspect`,
  userinfo_endpoint: `${issuer}/userinfo`,
  device_authorization_endpoint: `${issuer}/device`,
  pushed_authorization_request_endpoint: `${issuer}/par`,
  registration_endpoint: `${issuer}/register`,
  jwks_uri: `${issuer}/jwks.json`,
  authorization_response_iss_parameter_supported: true,
  token_endpoint_auth_methods_supported: ["client_secret_basic", "private_key_jwt"],
  code_challenge_methods_supported: ["S256"],
  scopes_supported: ["openid", "profile", "email"],
  response_types_supported: ["code"],
  ...overrides
})

const documents = (byPath: Record<string, Response | (() => Response)>) => {
  const requested: Array<{ readonly url: string; readonly method: string; readonly accept: string | undefined }> = []
  const layer = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request, url) => {
      requested.push({ url: url.toString(), method: request.method, accept: request.headers["accept"] })
      const found = byPath[url.toString()]
      const response = found === undefined
        ? new Response("not found", { status: 404 })
        : typeof found === "function"
        ? found()
        : found
      return Effect.succeed(HttpClientResponse.fromWeb(request, response))
    })
  )
  return { layer, requested }
}

const json = (body: unknown, status = 200) =>
  () => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })

describe("Provider / discover", () => {
  it.effect("reads the OpenID configuration and maps every RFC 8414 field into a Provider", () =>
    Effect.gen(function*() {
      const { layer, requested } = documents({ [`${issuer}/.well-known/openid-configuration`]: json(metadata()) })
      const provider = yield* Provider.discover(issuer).pipe(Effect.provide(layer))
      expect(provider).toMatchObject({
        name: "as.example.com",
        issuer,
        authorizationEndpoint: `${issuer}/authorize`,
        tokenEndpoint: `${issuer}/token`,
        revocationEndpoint: `${issuer}/revoke`,
        introspectionEndpoint: `${issuer}/introspect`,
        userinfoEndpoint: `${issuer}/userinfo`,
        deviceAuthorizationEndpoint: `${issuer}/device`,
        pushedAuthorizationRequestEndpoint: `${issuer}/par`,
        registrationEndpoint: `${issuer}/register`,
        jwksUri: `${issuer}/jwks.json`,
        authorizationResponseIssParameterSupported: true,
        tokenEndpointAuthMethodsSupported: ["client_secret_basic", "private_key_jwt"],
        codeChallengeMethodsSupported: ["S256"],
        scopesSupported: ["openid", "profile", "email"]
      })
      expect(provider.metadata).toEqual(metadata())
      expect(requested).toEqual([
        { url: `${issuer}/.well-known/openid-configuration`, method: "GET", accept: "application/json" }
      ])
    }))

  it.effect("falls back to RFC 8414 when the OpenID document is 404, inserting the well-known segment before the path", () =>
    Effect.gen(function*() {
      const tenant = `${issuer}/tenant/one`
      const { layer, requested } = documents({
        [`${issuer}/.well-known/oauth-authorization-server/tenant/one`]: json(metadata({ issuer: tenant }))
      })
      const provider = yield* Provider.discover(tenant, { name: "tenant-one" }).pipe(Effect.provide(layer))
      expect(provider.name).toBe("tenant-one")
      expect(provider.issuer).toBe(tenant)
      expect(requested.map((r) => r.url)).toEqual([
        `${issuer}/tenant/one/.well-known/openid-configuration`,
        `${issuer}/.well-known/oauth-authorization-server/tenant/one`
      ])
    }))

  it.effect("reads only the document of the chosen algorithm", () =>
    Effect.gen(function*() {
      const { layer, requested } = documents({ [`${issuer}/.well-known/oauth-authorization-server`]: json(metadata()) })
      yield* Provider.discover(issuer, { algorithm: "oauth2" }).pipe(Effect.provide(layer))
      expect(requested.map((r) => r.url)).toEqual([`${issuer}/.well-known/oauth-authorization-server`])
      const error = yield* Effect.flip(Provider.discover(issuer, { algorithm: "oidc" }).pipe(Effect.provide(layer)))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidMetadata" })
    }))

  it.effect("removes a terminating slash of the issuer path (OIDC Discovery §4.1, RFC 8414 §3.1)", () =>
    Effect.gen(function*() {
      const slashed = `${issuer}/realm/`
      const { layer, requested } = documents({})
      yield* Effect.flip(Provider.discover(slashed).pipe(Effect.provide(layer)))
      expect(requested.map((r) => r.url)).toEqual([
        `${issuer}/realm/.well-known/openid-configuration`,
        `${issuer}/.well-known/oauth-authorization-server/realm`
      ])
    }))

  it.effect("fails with IssuerMismatch when the document names another issuer (RFC 8414 §3.3)", () =>
    Effect.gen(function*() {
      for (const other of ["https://evil.example.com", `${issuer}/`, "https://AS.example.com"]) {
        const { layer } = documents({ [`${issuer}/.well-known/openid-configuration`]: json(metadata({ issuer: other })) })
        const error = yield* Effect.flip(Provider.discover(issuer).pipe(Effect.provide(layer)))
        expect(error).toMatchObject({ _tag: "IssuerMismatch", expected: issuer, received: other })
      }
    }))

  it.effect("fails with ConfigurationError InvalidMetadata naming the field that is wrong", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
        [{ issuer: undefined }, "issuer"],
        [{ token_endpoint: undefined }, "token_endpoint"],
        [{ token_endpoint: 42 }, "token_endpoint"],
        [{ scopes_supported: "openid profile" }, "scopes_supported"],
        [{ authorization_response_iss_parameter_supported: "true" }, "authorization_response_iss_parameter_supported"]
      ]
      for (const [overrides, field] of cases) {
        const { layer } = documents({ [`${issuer}/.well-known/openid-configuration`]: json(metadata(overrides)) })
        const error = yield* Effect.flip(Provider.discover(issuer).pipe(Effect.provide(layer)))
        expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidMetadata" })
        expect(error.message).toContain(field)
      }
    }))

  it.effect("refuses metadata whose endpoints are plain http: on a public host", () =>
    Effect.gen(function*() {
      const { layer } = documents({
        [`${issuer}/.well-known/openid-configuration`]: json(metadata({ token_endpoint: "http://as.example.com/token" }))
      })
      const error = yield* Effect.flip(Provider.discover(issuer).pipe(Effect.provide(layer)))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InsecureUrl" })
      expect(error.message).toContain("token_endpoint")
    }))

  it.effect("fails with InvalidMetadata for a body that is not a JSON object, and for a 4xx", () =>
    Effect.gen(function*() {
      for (const response of [
        () => new Response("<html>login</html>", { headers: { "content-type": "text/html" } }),
        json([metadata()]),
        json({ error: "forbidden" }, 403)
      ]) {
        const { layer } = documents({ [`${issuer}/.well-known/openid-configuration`]: response })
        const error = yield* Effect.flip(Provider.discover(issuer).pipe(Effect.provide(layer)))
        expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidMetadata" })
      }
    }))

  it.effect("reports a 503 as a retryable TransportError and a redirect as TransportError Redirect", () =>
    Effect.gen(function*() {
      const { layer } = documents({ [`${issuer}/.well-known/openid-configuration`]: json({}, 503) })
      expect(yield* Effect.flip(Provider.discover(issuer).pipe(Effect.provide(layer)))).toMatchObject({
        _tag: "TransportError",
        status: 503,
        remedy: "retry"
      })
      const moved = documents({
        [`${issuer}/.well-known/openid-configuration`]: () =>
          new Response(null, { status: 302, headers: { location: "https://elsewhere.example/" } })
      })
      expect(yield* Effect.flip(Provider.discover(issuer).pipe(Effect.provide(moved.layer)))).toMatchObject({
        _tag: "TransportError",
        reason: "Redirect"
      })
    }))

  it.effect("refuses an issuer with a query or a fragment", () =>
    Effect.gen(function*() {
      const { layer, requested } = documents({})
      for (const bad of [`${issuer}?tenant=1`, `${issuer}#x`, "not a url"]) {
        const error = yield* Effect.flip(Provider.discover(bad).pipe(Effect.provide(layer)))
        expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidUrl" })
      }
      expect(requested).toEqual([])
    }))
})
