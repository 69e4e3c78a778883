import { OAuthClient, Provider, ResourceMetadata } from "@effect-oauth/core"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer, Redacted } from "effect"
import { body, hostileJson, hostileNames, hostileStrings, neverDies } from "./fixtures/hostile.js"

// Issue 17: the parsers without a standalone entry (introspection, device
// authorization, authorization server metadata, protected resource metadata),
// driven through a stub HttpClient, answer a value or a typed error for any
// body — never a defect.

const issuer = "https://as.example.com"
const resource = "https://rs.example.com/api"

/** An object written by hand from `base` plus hostile members: repeated names, `__proto__`, control characters. */
const documentOf = (base: Record<string, unknown>, names: ReadonlyArray<string>) =>
  fc.tuple(
    fc.subarray(Object.keys(base)),
    fc.oneof(fc.constant([]), fc.array(
      fc.tuple(
        fc.oneof(hostileNames, fc.constantFrom(...names), fc.string()),
        fc.oneof(hostileJson, hostileStrings.map((s) => JSON.stringify(s)), fc.constantFrom("null", "true", "0", "-1", "1e400", "[]", "{}"))
      ),
      { maxLength: 8 }
    ))
  ).map(([kept, extra]) =>
    `{${[
      ...kept.map((name) => `${JSON.stringify(name)}:${JSON.stringify(base[name])}`),
      ...extra.map(([name, value]) => `${JSON.stringify(name)}:${value}`)
    ].join(",")}}`
  )

// Over the 1 MiB default cap, or just under it with a long string.
const huge = fc.constantFrom(900_000, 1_100_000).map((length) => `{"a":"${"x".repeat(length)}"}`)

const answer = (document: fc.Arbitrary<string>) =>
  fc.record({
    status: fc.oneof(fc.constantFrom(200, 201, 400, 401, 404, 429, 500, 503), fc.integer({ min: 100, max: 599 })),
    body: fc.oneof({ weight: 6, arbitrary: document }, { weight: 3, arbitrary: body }, { weight: 1, arbitrary: huge }),
    json: fc.boolean()
  })

const stub = (reply: { readonly status: number; readonly body: string | Uint8Array; readonly json: boolean }) =>
  Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.sync(() =>
        HttpClientResponse.fromWeb(
          request,
          // 1xx and 3xx bodies are not expressible with Response: the wire sees the status alone.
          new Response(reply.status < 200 || reply.status === 204 || reply.status === 205 || reply.status === 304 ? null : typeof reply.body === "string" ? reply.body : new Uint8Array(reply.body), {
            status: reply.status < 200 ? 599 : reply.status,
            headers: reply.json ? { "content-type": "application/json" } : { "content-type": "text/plain" }
          })
        )
      )
    )
  )

const provider: Provider.Provider = {
  name: "example",
  issuer,
  authorizationEndpoint: `${issuer}/authorize`,
  tokenEndpoint: `${issuer}/token`,
  introspectionEndpoint: `${issuer}/introspect`,
  deviceAuthorizationEndpoint: `${issuer}/device`
}

const client = OAuthClient.make({ provider, client: { clientId: "client-1", clientSecret: Redacted.make("client-secret-1") } })

const typed = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>, tags: ReadonlyArray<string>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    neverDies(exit)
    if (exit._tag === "Failure" && exit.cause._tag === "Fail") expect(tags).toContain(exit.cause.error._tag)
    return exit
  })

const endpointErrors = ["OAuthError", "InvalidTokenResponse", "TransportError", "ConfigurationError"]

describe("issue 17 / endpoint parsers never die", () => {
  it.effect.prop(
    "introspection (RFC 7662 §2.2): an Introspection or a typed failure",
    {
      reply: answer(documentOf(
        { active: true, scope: "read write", client_id: "client-1", exp: 2_000_000_000, sub: "u", aud: ["a", "b"], token_type: "Bearer" },
        ["active", "exp", "iat", "nbf", "scope", "username"]
      ))
    },
    ({ reply }) =>
      Effect.gen(function*() {
        const oauth = yield* client
        const exit = yield* typed(oauth.introspect(Redacted.make("the-token-1")), endpointErrors)
        if (exit._tag === "Success") expect(typeof exit.value.active).toBe("boolean")
      }).pipe(Effect.provide(stub(reply))),
    { fastCheck: { numRuns: 150 } }
  )

  it.effect.prop(
    "device authorization (RFC 8628 §3.2): a DeviceAuthorization or a typed failure",
    {
      reply: answer(documentOf(
        { device_code: "dc-1", user_code: "WDJB-MJHT", verification_uri: `${issuer}/device`, expires_in: 1800, interval: 5 },
        ["verification_uri_complete", "expires_in", "interval", "device_code", "user_code"]
      ))
    },
    ({ reply }) =>
      Effect.gen(function*() {
        const oauth = yield* client
        const exit = yield* typed(oauth.deviceAuthorization(), endpointErrors)
        if (exit._tag === "Success") expect(typeof exit.value.userCode).toBe("string")
      }).pipe(Effect.provide(stub(reply))),
    { fastCheck: { numRuns: 150 } }
  )

  it.effect.prop(
    "authorization server metadata (RFC 8414 §3.2): a Provider or a typed failure",
    {
      reply: answer(documentOf(
        {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["client_secret_basic"]
        },
        ["issuer", "revocation_endpoint", "scopes_supported", "grant_types_supported", "mtls_endpoint_aliases"]
      ))
    },
    ({ reply }) =>
      Effect.gen(function*() {
        const exit = yield* typed(Provider.discover(issuer), ["TransportError", "ConfigurationError", "IssuerMismatch"])
        if (exit._tag === "Success") expect(exit.value.issuer).toBe(issuer)
      }).pipe(Effect.provide(stub(reply))),
    { fastCheck: { numRuns: 150 } }
  )

  it.effect.prop(
    "protected resource metadata (RFC 9728 §3.2): a ResourceMetadata or a typed failure",
    {
      reply: answer(documentOf(
        { resource, authorization_servers: [issuer], scopes_supported: ["read"], bearer_methods_supported: ["header"] },
        ["resource", "authorization_servers", "jwks_uri", "resource_signing_alg_values_supported"]
      ))
    },
    ({ reply }) =>
      Effect.gen(function*() {
        const exit = yield* typed(ResourceMetadata.discover(resource), ["ResourceMismatch", "TransportError", "ConfigurationError"])
        if (exit._tag === "Success") expect(exit.value.resource).toBe(resource)
      }).pipe(Effect.provide(stub(reply))),
    { fastCheck: { numRuns: 150 } }
  )
})
