import { Provider, Registration } from "@effect-oauth/core"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"

// Response shapes from RFC 7591; registration against the embedded server runs
// in the testing package.

const provider = Provider.make({
  name: "as",
  issuer: "https://server.example.com",
  tokenEndpoint: "https://server.example.com/token",
  registrationEndpoint: "https://server.example.com/register"
})

const metadata: Registration.ClientMetadata = {
  // https://www.rfc-editor.org/rfc/rfc7591#section-3.1
  redirect_uris: ["https://client.example.org/callback", "https://client.example.org/callback2"],
  client_name: "My Example Client",
  token_endpoint_auth_method: "client_secret_basic",
  logo_uri: "https://client.example.org/logo.png",
  jwks_uri: "https://client.example.org/my_public_keys.jwks",
  example_extension_parameter: "example_value"
}

const created = {
  // https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
  client_id: "s6BhdRkqt3",
  client_secret: "cf136dc3c1fc93f31185e5885805d",
  client_id_issued_at: 2893256800,
  client_secret_expires_at: 2893276800,
  redirect_uris: ["https://client.example.org/callback", "https://client.example.org/callback2"],
  grant_types: ["authorization_code", "refresh_token"],
  client_name: "My Example Client",
  token_endpoint_auth_method: "client_secret_basic",
  logo_uri: "https://client.example.org/logo.png",
  jwks_uri: "https://client.example.org/my_public_keys.jwks",
  example_extension_parameter: "example_value"
}

interface Seen {
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

const serve = (status: number, body: unknown) => {
  const seen: Array<Seen> = []
  const client = HttpClient.make((request) =>
    Effect.sync(() => {
      const text = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      seen.push({ headers: request.headers, body: JSON.parse(text) })
      return HttpClientResponse.fromWeb(request, new Response(JSON.stringify(body), { status }))
    })
  )
  return { seen, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

describe("Registration / register", () => {
  it.effect("posts the metadata as JSON and reads the RFC 7591 §3.2.1 example", () =>
    Effect.gen(function*() {
      const http = serve(201, created)
      const registered = yield* Registration.register(provider, metadata).pipe(Effect.provide(http.layer))
      expect(http.seen[0]!.headers["content-type"]).toBe("application/json")
      expect(http.seen[0]!.headers["authorization"]).toBeUndefined()
      expect(http.seen[0]!.body).toEqual(metadata)
      expect(registered.clientId).toBe("s6BhdRkqt3")
      expect(Redacted.value(registered.clientSecret!)).toBe("cf136dc3c1fc93f31185e5885805d")
      expect(registered.clientIdIssuedAt).toBe(2893256800_000)
      expect(registered.clientSecretExpiresAt).toBe(2893276800_000)
      expect(registered.metadata["example_extension_parameter"]).toBe("example_value")
      expect(registered.metadata["client_secret"]).toBeUndefined()
      for (const rendered of [String(registered), JSON.stringify(registered)]) {
        expect(rendered).not.toContain("cf136dc3c1fc93f31185e5885805d")
      }
    }))

  it.effect("sends the initial access token as a bearer token and keeps the management credentials redacted", () =>
    Effect.gen(function*() {
      const http = serve(201, {
        client_id: "c1",
        client_secret_expires_at: 0,
        registration_access_token: "reg-token-1",
        registration_client_uri: "https://server.example.com/register/c1",
        token_endpoint_auth_method: "none"
      })
      const registered = yield* Registration.register(provider, { redirect_uris: ["https://app.example/cb"] }, {
        initialAccessToken: Redacted.make("iat-1")
      }).pipe(Effect.provide(http.layer))
      expect(http.seen[0]!.headers["authorization"]).toBe("Bearer iat-1")
      expect(registered.clientSecretExpiresAt).toBeUndefined()
      expect(Redacted.value(registered.registrationAccessToken!)).toBe("reg-token-1")
      expect(registered.registrationClientUri).toBe("https://server.example.com/register/c1")
      expect(JSON.stringify(registered)).not.toContain("reg-token-1")
    }))

  const errors = [
    {
      // https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2
      name: "invalid_redirect_uri",
      body: {
        error: "invalid_redirect_uri",
        error_description: "The redirection URI http://sketchy.example.com is not allowed by this server."
      }
    },
    {
      // https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2
      name: "invalid_client_metadata",
      body: { error: "invalid_client_metadata", error_description: "The grant type 'authorization_code' must be registered along with the response type 'code' but found only 'implicit' instead." }
    }
  ]
  for (const row of errors) {
    it.effect(`fails with OAuthError ${row.name}, remedy fixConfiguration (RFC 7591 §3.2.2)`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Registration.register(provider, metadata).pipe(Effect.provide(serve(400, row.body).layer)))
        expect(error).toMatchObject({
          _tag: "OAuthError",
          error: row.body.error,
          description: row.body.error_description,
          status: 400,
          remedy: "fixConfiguration"
        })
      }))
  }

  it.effect("fails with InvalidTokenResponse when the answer has no client_id", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Registration.register(provider, metadata).pipe(Effect.provide(serve(201, { client_secret: "s" }).layer))
      )
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "InvalidField", field: "client_id" })
      expect(error.message).not.toContain("\"s\"")
    }))

  it.effect("fails with ConfigurationError MissingEndpoint without a registration endpoint", () =>
    Effect.gen(function*() {
      const { registrationEndpoint: _, ...without } = provider
      const error = yield* Effect.flip(Registration.register(Provider.make(without), metadata))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "MissingEndpoint" })
    }).pipe(Effect.provide(serve(201, created).layer)))
})

describe("Registration / toClient", () => {
  it("maps a registration onto OAuthClient.Client", () => {
    const registered = new Registration.RegisteredClient({
      clientId: "c1",
      clientSecret: Redacted.make("s1"),
      metadata: { token_endpoint_auth_method: "client_secret_post", redirect_uris: ["https://app.example/cb"] }
    })
    expect(Registration.toClient(registered, { scopes: ["openid"], resource: "https://api.example/" })).toEqual({
      clientId: "c1",
      clientSecret: registered.clientSecret,
      authMethod: "client_secret_post",
      redirectUri: "https://app.example/cb",
      scopes: ["openid"],
      resource: "https://api.example/"
    })
    const publicClient = new Registration.RegisteredClient({ clientId: "c2", metadata: {} })
    expect(Registration.toClient(publicClient, { redirectUri: "http://127.0.0.1:9/cb" })).toEqual({
      clientId: "c2",
      authMethod: "none",
      redirectUri: "http://127.0.0.1:9/cb"
    })
  })
})
