import { Callback, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { HttpStub, TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock } from "effect"

// The requests the client builds, against `HttpClient.make` stubs; then the flows
// against a real authorization server (at the end of the file).

type Seen = HttpStub.Seen

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

const tokens = { access_token: "at-1", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-1" }

const stub = (respond: (seen: Seen) => Response | Effect.Effect<Response> = () => json(tokens)) => HttpStub.make(respond)

const provider = Provider.make({
  name: "example",
  issuer: "https://as.example.com",
  authorizationEndpoint: "https://as.example.com/authorize",
  tokenEndpoint: "https://as.example.com/token",
  revocationEndpoint: "https://as.example.com/revoke",
  introspectionEndpoint: "https://as.example.com/introspect"
})

const confidential: OAuthClient.Client = {
  clientId: "client-1",
  clientSecret: Redacted.make("secret-1"),
  redirectUri: "https://client.example.com/cb"
}

const makeClient = (
  options: Partial<OAuthClient.Options> = {},
  respond?: (seen: Seen) => Response | Effect.Effect<Response>
) => {
  const { layer, seen } = stub(respond)
  return Effect.map(
    OAuthClient.make({ provider, client: confidential, ...options }).pipe(Effect.provide(layer)),
    (client) => ({ client, seen })
  )
}

const callbackOf = (request: Callback.AuthorizationRequest, code = "code-1") =>
  Callback.parse(new URLSearchParams({ code, state: Redacted.value(request.state) }), request)

const basic = (header: string | undefined) => Buffer.from((header ?? "").replace(/^Basic /, ""), "base64").toString()

describe("OAuthClient / make", () => {
  it.effect("refuses a plain http: endpoint on a non-loopback host (ConfigurationError InsecureUrl)", () =>
    Effect.gen(function*() {
      for (const tokenEndpoint of ["http://as.example.com/token", "http://10.0.0.1/token", "http://127.example.com/token"]) {
        const error = yield* Effect.flip(makeClient({ provider: { ...provider, tokenEndpoint } }))
        expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InsecureUrl" })
      }
      const error = yield* Effect.flip(
        makeClient({ provider: { ...provider, revocationEndpoint: "http://as.example.com/revoke" } })
      )
      expect(error.message).toContain("revocation_endpoint")
    }))

  it.effect("allows plain http: on loopback hosts: 127.0.0.0/8, [::1], localhost", () =>
    Effect.gen(function*() {
      for (const host of ["127.0.0.1:8080", "127.1.2.3", "[::1]:3000", "localhost:9000"]) {
        const { client } = yield* makeClient({ provider: { ...provider, tokenEndpoint: `http://${host}/token` } })
        expect(client.clientId).toBe("client-1")
      }
    }))

  it.effect("refuses client_secret_basic and client_secret_post without a secret (MissingCredential)", () =>
    Effect.gen(function*() {
      for (const authMethod of ["client_secret_basic", "client_secret_post"] as const) {
        const error = yield* Effect.flip(makeClient({ client: { clientId: "c", authMethod } }))
        expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "MissingCredential" })
      }
    }))

  it.effect("refuses a redirect URI with a fragment (RFC 6749 §3.1.2)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(makeClient({ client: { ...confidential, redirectUri: "https://c.example/cb#x" } }))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidUrl" })
    }))
})

describe("OAuthClient / authorizationUrl", () => {
  it.effect("builds an RFC 6749 §4.1.1 request with PKCE S256, state and the exact redirect URI", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient()
      const request = yield* client.authorizationUrl({ scopes: ["read", "write"] })
      const url = new URL(request.url)
      expect(`${url.origin}${url.pathname}`).toBe("https://as.example.com/authorize")
      const query = url.searchParams
      expect(query.get("response_type")).toBe("code")
      expect(query.get("client_id")).toBe("client-1")
      expect(query.get("redirect_uri")).toBe("https://client.example.com/cb")
      expect(query.get("scope")).toBe("read write")
      expect(query.get("state")).toBe(Redacted.value(request.state))
      expect(query.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(query.get("code_challenge_method")).toBe("S256")
      const verifier = Redacted.value(request.codeVerifier!)
      const digest = yield* Effect.promise(() => crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)))
      expect(query.get("code_challenge")).toBe(Buffer.from(digest).toString("base64url"))
      expect(query.has("nonce")).toBe(false)
      expect(request.redirectUri).toBe("https://client.example.com/cb")
      expect(request.scopes).toEqual(["read", "write"])
      expect(request.issuer).toBe("https://as.example.com")
      expect(request.issRequired).toBe(false)
    }))

  it.effect("adds a nonce for openid scopes, or when asked", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient()
      const oidc = yield* client.authorizationUrl({ scopes: ["openid", "email"] })
      expect(new URL(oidc.url).searchParams.get("nonce")).toBe(Redacted.value(oidc.nonce!))
      const asked = yield* client.authorizationUrl({ scopes: ["read"], nonce: true })
      expect(new URL(asked.url).searchParams.get("nonce")).toBe(Redacted.value(asked.nonce!))
      const declined = yield* client.authorizationUrl({ scopes: ["openid"], nonce: false })
      expect(declined.nonce).toBeUndefined()
    }))

  it.effect("adds the provider's authorization parameters, then the caller's (Google access_type=offline, prompt=consent)", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({
        provider: { ...provider, requests: { authorizationParams: { access_type: "offline", prompt: "select_account" } } }
      })
      const request = yield* client.authorizationUrl({ params: { prompt: "consent", login_hint: "a@b.example" } })
      const query = new URL(request.url).searchParams
      expect(query.get("access_type")).toBe("offline")
      expect(query.get("prompt")).toBe("consent")
      expect(query.get("login_hint")).toBe("a@b.example")
    }))

  it.effect("keeps a query the authorization endpoint already has", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({
        provider: { ...provider, authorizationEndpoint: "https://as.example.com/authorize?tenant=t1" }
      })
      const request = yield* client.authorizationUrl()
      expect(new URL(request.url).searchParams.get("tenant")).toBe("t1")
    }))

  it.effect("refuses extra parameters that would override state, PKCE or the redirect URI", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient()
      for (const name of ["state", "code_challenge", "redirect_uri", "nonce"]) {
        const error = yield* Effect.flip(client.authorizationUrl({ params: { [name]: "x" } }))
        expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "Unsupported" })
      }
    }))

  it.effect("requires iss in the callback when the provider advertises RFC 9207 support", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({ provider: { ...provider, authorizationResponseIssParameterSupported: true } })
      const request = yield* client.authorizationUrl()
      expect(request.issRequired).toBe(true)
      const error = yield* Effect.flip(callbackOf(request))
      expect(error).toMatchObject({ _tag: "IssuerMismatch", expected: "https://as.example.com" })
    }))

  it.effect("uses the scopes of the client, else the provider's defaults", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({
        provider: { ...provider, defaultScopes: ["profile"] },
        client: { ...confidential, scopes: ["email"] }
      })
      expect(new URL((yield* client.authorizationUrl()).url).searchParams.get("scope")).toBe("email")
      const { client: second } = yield* makeClient({ provider: { ...provider, defaultScopes: ["profile"] } })
      expect(new URL((yield* second.authorizationUrl()).url).searchParams.get("scope")).toBe("profile")
    }))

  it.effect("fails without an authorization endpoint or a redirect URI (MissingEndpoint)", () =>
    Effect.gen(function*() {
      const { authorizationEndpoint: _, ...withoutEndpoint } = provider
      const { client } = yield* makeClient({ provider: withoutEndpoint })
      expect(yield* Effect.flip(client.authorizationUrl())).toMatchObject({ reason: "MissingEndpoint" })
      const { client: second } = yield* makeClient({ client: { clientId: "public" } })
      expect(yield* Effect.flip(second.authorizationUrl())).toMatchObject({ reason: "MissingEndpoint" })
    }))

  it.effect("leaves PKCE out only when the provider turns it off", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({ provider: { ...provider, requests: { pkce: false } } })
      const request = yield* client.authorizationUrl()
      expect(new URL(request.url).searchParams.has("code_challenge")).toBe(false)
      expect(request.codeVerifier).toBeUndefined()
    }))
})

describe("OAuthClient / exchangeCode", () => {
  it.effect("POSTs grant_type, code, redirect_uri and code_verifier as a form, with Accept: application/json", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient()
      const request = yield* client.authorizationUrl({ scopes: ["read"] })
      const result = yield* client.exchangeCode(yield* callbackOf(request))
      expect(Redacted.value(result.accessToken)).toBe("at-1")
      expect(seen).toHaveLength(1)
      const [sent] = seen
      expect(sent!.method).toBe("POST")
      expect(sent!.url.toString()).toBe("https://as.example.com/token")
      expect(sent!.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(sent!.headers["accept"]).toBe("application/json")
      expect(Object.fromEntries(sent!.form)).toEqual({
        grant_type: "authorization_code",
        code: "code-1",
        redirect_uri: "https://client.example.com/cb",
        code_verifier: Redacted.value(request.codeVerifier!)
      })
      expect(basic(sent!.headers["authorization"])).toBe("client-1:secret-1")
    }))

  it.effect("anchors expiresAt at the moment the request was sent, not when the response arrived", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const { client } = yield* makeClient({}, () => Effect.as(TestClock.adjust("20 seconds"), json(tokens)))
      const request = yield* client.authorizationUrl()
      const result = yield* client.exchangeCode(yield* callbackOf(request))
      expect(result.issuedAt).toBe(1_700_000_000_000)
      expect(result.expiresAt).toBe(1_700_000_000_000 + 3600 * 1000)
    }))

  it.effect("uses the requested scopes when the response has no scope (RFC 6749 §5.1)", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient()
      const request = yield* client.authorizationUrl({ scopes: ["a", "b"] })
      expect((yield* client.exchangeCode(yield* callbackOf(request))).scopes).toEqual(["a", "b"])
    }))

  it.effect("passes a §5.2 error through TokenResponse.parse as an OAuthError without echoing the code", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({}, () =>
        json({ error: "invalid_grant", error_description: "code code-1 was already used" }, 400))
      const request = yield* client.authorizationUrl()
      const error = yield* Effect.flip(client.exchangeCode(yield* callbackOf(request)))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_grant", status: 400, remedy: "reauthorize" })
      expect(error.message).not.toContain("code-1")
    }))
})

describe("OAuthClient / client authentication", () => {
  const reserved: OAuthClient.Client = {
    clientId: "a b:c",
    clientSecret: Redacted.make("p@ss/w%rd"),
    redirectUri: "https://client.example.com/cb"
  }

  it.effect("client_secret_basic form-urlencodes id and secret before base64 (RFC 6749 §2.3.1)", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient({ client: reserved })
      yield* client.clientCredentials()
      expect(seen[0]!.headers["authorization"]).toBe(`Basic ${Buffer.from("a+b%3Ac:p%40ss%2Fw%25rd").toString("base64")}`)
      expect(seen[0]!.form.has("client_id")).toBe(false)
      expect(seen[0]!.form.has("client_secret")).toBe(false)
    }))

  it.effect("client_secret_basic with basicAuthEncoding raw sends id and secret as they are", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient({
        client: reserved,
        provider: { ...provider, requests: { basicAuthEncoding: "raw" } }
      })
      yield* client.clientCredentials()
      expect(basic(seen[0]!.headers["authorization"])).toBe("a b:c:p@ss/w%rd")
    }))

  it.effect("client_secret_post puts client_id and client_secret in the body and sends no Authorization", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient({ client: { ...reserved, authMethod: "client_secret_post" } })
      yield* client.clientCredentials()
      expect(seen[0]!.headers["authorization"]).toBeUndefined()
      expect(seen[0]!.form.get("client_id")).toBe("a b:c")
      expect(seen[0]!.form.get("client_secret")).toBe("p@ss/w%rd")
    }))

  it.effect("none (a public client) sends client_id in the body only", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient({ client: { clientId: "public-1", redirectUri: "http://127.0.0.1/cb" } })
      const request = yield* client.authorizationUrl()
      yield* client.exchangeCode(yield* callbackOf(request))
      expect(seen[0]!.headers["authorization"]).toBeUndefined()
      expect(seen[0]!.form.get("client_id")).toBe("public-1")
      expect(seen[0]!.form.has("client_secret")).toBe(false)
    }))
})

describe("OAuthClient / provider request quirks", () => {
  it.effect("sends the token request as GET with the parameters in the query when tokenMethod is GET (Facebook)", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient({
        client: { ...confidential, authMethod: "client_secret_post" },
        provider: { ...provider, requests: { tokenMethod: "GET" } }
      })
      const request = yield* client.authorizationUrl()
      yield* client.exchangeCode(yield* callbackOf(request))
      const [sent] = seen
      expect(sent!.method).toBe("GET")
      expect(sent!.body).toBe("")
      expect(sent!.url.searchParams.get("code")).toBe("code-1")
      expect(sent!.url.searchParams.get("redirect_uri")).toBe("https://client.example.com/cb")
      expect(sent!.url.searchParams.get("client_secret")).toBe("secret-1")
    }))

  it.effect("sends the provider's headers, which may replace the default Accept (GitHub)", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient({
        provider: { ...provider, requests: { headers: { Accept: "application/vnd.github+json", "X-Extra": "1" } } }
      })
      yield* client.clientCredentials()
      expect(seen[0]!.headers["accept"]).toBe("application/vnd.github+json")
      expect(seen[0]!.headers["x-extra"]).toBe("1")
    }))
})

describe("OAuthClient / refresh", () => {
  const held = TokenSet.make({
    accessToken: "old-at",
    refreshToken: "rt-old",
    issuedAt: 0,
    expiresAt: 1000,
    scopes: ["read", "write"]
  })

  it.effect("sends grant_type=refresh_token and no scope unless asked (RFC 6749 §6)", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient()
      yield* client.refresh(held)
      expect(Object.fromEntries(seen[0]!.form)).toEqual({ grant_type: "refresh_token", refresh_token: "rt-old" })
      yield* client.refresh(held, { scopes: ["read"] })
      expect(seen[1]!.form.get("scope")).toBe("read")
    }))

  it.effect("keeps the previous refresh token when the response has none", () =>
    Effect.gen(function*() {
      const { access_token, expires_in, token_type } = tokens
      const { client } = yield* makeClient({}, () => json({ access_token, expires_in, token_type }))
      const result = yield* client.refresh(held)
      expect(Redacted.value(result.accessToken)).toBe("at-1")
      expect(Redacted.value(result.refreshToken!)).toBe("rt-old")
      expect(result.scopes).toEqual(["read", "write"])
    }))

  it.effect("adopts a rotated refresh token", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient()
      expect(Redacted.value((yield* client.refresh(held)).refreshToken!)).toBe("rt-1")
    }))

  it.effect("sends redirect_uri when the provider asks for it on refresh", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient({ provider: { ...provider, requests: { redirectUriOnRefresh: true } } })
      yield* client.refresh(held)
      expect(seen[0]!.form.get("redirect_uri")).toBe("https://client.example.com/cb")
    }))

  it.effect("fails with ConfigurationError MissingCredential and sends nothing without a refresh token", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient()
      const error = yield* Effect.flip(client.refresh(TokenSet.make({ accessToken: "x", issuedAt: 0 })))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "MissingCredential" })
      expect(seen).toHaveLength(0)
    }))
})

describe("OAuthClient / clientCredentials and grant", () => {
  it.effect("sends grant_type=client_credentials with the scopes and extra parameters", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient()
      const result = yield* client.clientCredentials({ scopes: ["api"], params: { resource: "https://rs.example" } })
      expect(Object.fromEntries(seen[0]!.form)).toEqual({
        grant_type: "client_credentials",
        scope: "api",
        resource: "https://rs.example"
      })
      expect(result.scopes).toEqual(["api"])
    }))

  it.effect("extra parameters add to a grant but never replace its own fields", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient()
      yield* client.clientCredentials({ params: { grant_type: "password", audience: "api" } })
      expect(seen[0]!.form.get("grant_type")).toBe("client_credentials")
      expect(seen[0]!.form.get("audience")).toBe("api")
      yield* client.refresh(TokenSet.make({ accessToken: "a", refreshToken: "rt", issuedAt: 0 }), {
        params: { refresh_token: "other", resource: "https://rs.example" }
      })
      expect(seen[1]!.form.get("refresh_token")).toBe("rt")
      expect(seen[1]!.form.get("resource")).toBe("https://rs.example")
    }))

  it.effect("grant sends any extension grant with client authentication", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient()
      yield* client.grant({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: "dc" })
      expect(Object.fromEntries(seen[0]!.form)).toEqual({
        grant_type: "urn:ietf:params:oauth:grant-type:device_code",
        device_code: "dc"
      })
      expect(basic(seen[0]!.headers["authorization"])).toBe("client-1:secret-1")
    }))

  it.effect("grant masks the listed secrets in error text", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({}, () =>
        json({ error: "invalid_grant", error_description: "assertion eyJhbGciOi.secret is expired" }, 400))
      const error = yield* Effect.flip(
        client.grant({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: "eyJhbGciOi.secret" }, {
          secrets: [Redacted.make("eyJhbGciOi.secret")]
        })
      )
      expect(error.message).not.toContain("eyJhbGciOi.secret")
    }))

  it.effect("grant refuses parameters without grant_type", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient()
      expect(yield* Effect.flip(client.grant({ code: "x" }))).toMatchObject({ _tag: "ConfigurationError" })
      expect(seen).toHaveLength(0)
    }))
})

describe("OAuthClient / revoke", () => {
  const held = TokenSet.make({ accessToken: "at-9", refreshToken: "rt-9", issuedAt: 0 })

  it.effect("revokes the refresh token of a TokenSet with token_type_hint and client authentication (RFC 7009 §2.1)", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient({}, () => new Response(null, { status: 200 }))
      yield* client.revoke(held)
      expect(seen[0]!.url.toString()).toBe("https://as.example.com/revoke")
      expect(Object.fromEntries(seen[0]!.form)).toEqual({ token: "rt-9", token_type_hint: "refresh_token" })
      expect(basic(seen[0]!.headers["authorization"])).toBe("client-1:secret-1")
      yield* client.revoke(TokenSet.make({ accessToken: "at-only", issuedAt: 0 }))
      expect(Object.fromEntries(seen[1]!.form)).toEqual({ token: "at-only", token_type_hint: "access_token" })
      yield* client.revoke(Redacted.make("bare"))
      expect(Object.fromEntries(seen[2]!.form)).toEqual({ token: "bare" })
    }))

  it.effect("treats any 200 as success, whatever the body", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({}, () => new Response("<html>ok</html>", { status: 200 }))
      yield* client.revoke(held)
    }))

  it.effect("reads an error body as OAuthError (unsupported_token_type → fixConfiguration)", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({}, () => json({ error: "unsupported_token_type" }, 400))
      const error = yield* Effect.flip(client.revoke(held))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "unsupported_token_type", status: 400, remedy: "fixConfiguration" })
    }))

  it.effect("reports a 503 as retryable and keeps Retry-After (RFC 7009 §2.2.1)", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({}, () => new Response("busy", { status: 503, headers: { "retry-after": "7" } }))
      const error = yield* Effect.flip(client.revoke(held))
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "UnexpectedStatus", status: 503, retryAfter: 7 })
      expect(error._tag === "InvalidTokenResponse" && error.remedy).toBe("retry")
      expect(error.message).toContain("retry after 7s")
      const { client: second } = yield* makeClient({}, () =>
        json({ error: "temporarily_unavailable" }, 503, { "retry-after": "3" }))
      expect(yield* Effect.flip(second.revoke(held))).toMatchObject({
        _tag: "OAuthError",
        remedy: "retry",
        retryAfter: 3
      })
    }))

  it.effect("fails with MissingEndpoint when the provider has no revocation endpoint", () =>
    Effect.gen(function*() {
      const { revocationEndpoint: _, ...without } = provider
      const { client } = yield* makeClient({ provider: without })
      expect(yield* Effect.flip(client.revoke(held))).toMatchObject({ reason: "MissingEndpoint" })
    }))
})

describe("OAuthClient / introspect", () => {
  it.effect("maps an RFC 7662 §2.2 response to Introspection", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* makeClient({}, () =>
        json({
          active: true,
          scope: "read write",
          client_id: "client-1",
          username: "jdoe",
          token_type: "Bearer",
          exp: 1_419_356_238,
          iat: 1_419_350_238,
          sub: "Z5O3upPC88QrAjx00dis",
          aud: "https://protected.example.net/resource",
          iss: "https://as.example.com",
          extension_field: "twenty-seven"
        }))
      const result = yield* client.introspect(Redacted.make("mF_9.B5f-4.1JqM"), { hint: "access_token" })
      expect(Object.fromEntries(seen[0]!.form)).toEqual({ token: "mF_9.B5f-4.1JqM", token_type_hint: "access_token" })
      expect(result).toMatchObject({
        active: true,
        scopes: ["read", "write"],
        clientId: "client-1",
        username: "jdoe",
        tokenType: "Bearer",
        expiresAt: 1_419_356_238_000,
        issuedAt: 1_419_350_238_000,
        subject: "Z5O3upPC88QrAjx00dis",
        audience: ["https://protected.example.net/resource"],
        issuer: "https://as.example.com",
        extra: { extension_field: "twenty-seven" }
      })
    }))

  it.effect("reads an inactive token", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({}, () => json({ active: false }))
      const result = yield* client.introspect(Redacted.make("t"))
      expect(result).toMatchObject({ active: false, scopes: [], audience: [] })
    }))

  it.effect("fails with InvalidTokenResponse naming the field when active is not a boolean or exp not a number", () =>
    Effect.gen(function*() {
      for (const [body, field] of [[{ active: "true" }, "active"], [{ active: true, exp: "soon" }, "exp"], [{ active: true, aud: [1] }, "aud"]] as const) {
        const { client } = yield* makeClient({}, () => json(body))
        expect(yield* Effect.flip(client.introspect(Redacted.make("t")))).toMatchObject({
          _tag: "InvalidTokenResponse",
          reason: "InvalidField",
          field
        })
      }
      const { client } = yield* makeClient({}, () => new Response("<html/>", { status: 200 }))
      expect(yield* Effect.flip(client.introspect(Redacted.make("t")))).toMatchObject({ reason: "NotJson" })
    }))

  it.effect("reads a 401 error body as OAuthError invalid_client", () =>
    Effect.gen(function*() {
      const { client } = yield* makeClient({}, () => json({ error: "invalid_client" }, 401))
      expect(yield* Effect.flip(client.introspect(Redacted.make("t")))).toMatchObject({
        _tag: "OAuthError",
        error: "invalid_client",
        remedy: "fixConfiguration"
      })
    }))
})

describe("OAuthClient / layer", () => {
  it.effect("provides the service under its tag", () =>
    Effect.gen(function*() {
      const client = yield* OAuthClient.OAuthClient
      expect(client.provider.name).toBe("example")
    }).pipe(Effect.provide(OAuthClient.layer({ provider, client: confidential }).pipe(Layer.provide(stub().layer)))))
})

// ---------------------------------------------------------------------------
// Flows against a real authorization server: `TestServer`, oidc-provider in-process
// on 127.0.0.1, driven over HTTP with FetchHttpClient. Its reserved-character
// clients prove that client_secret_basic form-encodes id and secret (RFC 6749 §2.3.1).

type ClientName = "reservedBasic" | "reservedPost" | "public"

const serverOptions: TestServer.Options = { reservedCharacterClients: true }

const clientOf = (name: ClientName, scopes: ReadonlyArray<string> = ["openid", "api:read"]) =>
  Effect.gen(function*() {
    const server = yield* TestServer.TestServerTag
    const client = server.clients[name]
    if (client === undefined) return yield* Effect.dieMessage(`the test server has no ${name} client`)
    const provider = yield* Provider.discover(server.issuer)
    return yield* OAuthClient.make({ provider, client: TestServer.clientConfig(client, scopes) })
  })

/** Authorization code + PKCE from the authorization URL to the tokens. */
const authorize = (oauth: OAuthClient.Service) =>
  Effect.gen(function*() {
    const server = yield* TestServer.TestServerTag
    const request = yield* oauth.authorizationUrl()
    const callback = yield* server.approve(request.url)
    return yield* oauth.exchangeCode(yield* Callback.parse(callback, request))
  })

const Live = Layer.merge(TestServer.layer(serverOptions), FetchHttpClient.layer)

// excludeTestServices: real time, as the server lives in real time.
layer(Live, { timeout: "30 seconds", excludeTestServices: true })("OAuthClient / against an authorization server", (it) => {
  it.effect("discovers the server's metadata (OpenID Connect Discovery) with its RFC 9207 flag", () =>
    Effect.gen(function*() {
      const { issuer } = yield* TestServer.TestServerTag
      const provider = yield* Provider.discover(issuer, { name: "test" })
      expect(provider).toMatchObject({
        name: "test",
        issuer,
        authorizationEndpoint: `${issuer}/auth`,
        tokenEndpoint: `${issuer}/token`,
        revocationEndpoint: `${issuer}/token/revocation`,
        introspectionEndpoint: `${issuer}/token/introspection`,
        authorizationResponseIssParameterSupported: true
      })
      expect(provider.codeChallengeMethodsSupported).toEqual(["S256"])
      expect(provider.tokenEndpointAuthMethodsSupported).toEqual(
        expect.arrayContaining(["client_secret_basic", "client_secret_post", "none"])
      )
    }))

  it.effect("completes the authorization code flow with PKCE and checks the callback's iss", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const oauth = yield* clientOf("reservedBasic")
      const request = yield* oauth.authorizationUrl()
      expect(request.issRequired).toBe(true)
      const callback = yield* server.approve(request.url)
      const response = yield* Callback.parse(callback, request)
      expect(response.iss).toBe(server.issuer)
      const tokens = yield* oauth.exchangeCode(response)
      expect(tokens.tokenType).toBe("Bearer")
      expect(tokens.refreshToken).toBeDefined()
      expect(tokens.idToken).toBeDefined()
      expect(tokens.scopes).toEqual(expect.arrayContaining(["openid", "api:read"]))
      expect(tokens.expiresAt! - tokens.issuedAt).toBeGreaterThan(0)
      // A code is good once (RFC 6749 §4.1.2).
      const reused = yield* Effect.flip(oauth.exchangeCode(response))
      expect(reused).toMatchObject({ _tag: "OAuthError", error: "invalid_grant", remedy: "reauthorize" })
    }))

  it.effect("refuses a code exchanged with another PKCE verifier", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const oauth = yield* clientOf("reservedBasic")
      const request = yield* oauth.authorizationUrl()
      const other = yield* oauth.authorizationUrl()
      const response = yield* Callback.parse(yield* server.approve(request.url), request)
      const forged = yield* Callback.parse(
        new URL(`${request.redirectUri}?code=${Redacted.value(response.code)}&state=${Redacted.value(other.state)}&iss=${response.iss}`),
        other
      )
      expect(yield* Effect.flip(oauth.exchangeCode(forged))).toMatchObject({ _tag: "OAuthError", error: "invalid_grant" })
    }))

  for (const [name, method] of [["reservedBasic", "client_secret_basic"], ["reservedPost", "client_secret_post"], ["public", "none"]] as const) {
    it.effect(`authenticates with ${method} at the token endpoint`, () =>
      Effect.gen(function*() {
        const oauth = yield* clientOf(name)
        const tokens = yield* authorize(oauth)
        const introspection = yield* (yield* clientOf("reservedBasic")).introspect(tokens.accessToken)
        expect(introspection).toMatchObject({ active: true, clientId: oauth.clientId })
      }))
  }

  it.effect("fails with invalid_client (fixConfiguration) for a wrong secret", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const client = server.clients.reservedBasic!
      const oauth = yield* OAuthClient.make({
        provider: yield* Provider.discover(server.issuer),
        client: { clientId: client.clientId, clientSecret: Redacted.make("wrong"), redirectUri: client.redirectUri }
      })
      const error = yield* Effect.flip(oauth.clientCredentials({ scopes: ["api:read"] }))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_client", status: 401, remedy: "fixConfiguration" })
    }))

  it.effect("refreshes without rotation and keeps the refresh token the server did not resend", () =>
    Effect.gen(function*() {
      const oauth = yield* clientOf("reservedBasic")
      const first = yield* authorize(oauth)
      const second = yield* oauth.refresh(first)
      expect(Redacted.value(second.accessToken)).not.toBe(Redacted.value(first.accessToken))
      expect(Redacted.value(second.refreshToken!)).toBe(Redacted.value(first.refreshToken!))
      const third = yield* oauth.refresh(second)
      expect((yield* oauth.introspect(third.accessToken)).active).toBe(true)
    }))

  // A server of its own for the test: rotation is a server-wide setting.
  it.scoped("refreshes with rotation, adopts the new refresh token, and the old one is refused", () =>
    Effect.gen(function*() {
      const oauth = yield* clientOf("reservedPost")
      const first = yield* authorize(oauth)
      const second = yield* oauth.refresh(first)
      expect(Redacted.value(second.refreshToken!)).not.toBe(Redacted.value(first.refreshToken!))
      const replayed = yield* Effect.flip(oauth.refresh(first))
      expect(replayed).toMatchObject({ _tag: "OAuthError", error: "invalid_grant", remedy: "reauthorize" })
    }).pipe(
      Effect.provideServiceEffect(TestServer.TestServerTag, TestServer.make({ ...serverOptions, rotateRefreshToken: true }))
    ))

  it.effect("narrows the scope on refresh when asked", () =>
    Effect.gen(function*() {
      const oauth = yield* clientOf("reservedBasic", ["openid", "api:read", "api:write"])
      const tokens = yield* authorize(oauth)
      const narrowed = yield* oauth.refresh(tokens, { scopes: ["openid", "api:read"] })
      expect((yield* oauth.introspect(narrowed.accessToken)).scopes).not.toContain("api:write")
    }))

  it.effect("obtains a client credentials token and introspects it", () =>
    Effect.gen(function*() {
      const oauth = yield* clientOf("reservedBasic")
      const tokens = yield* oauth.clientCredentials({ scopes: ["api:read"] })
      expect(tokens.refreshToken).toBeUndefined()
      const introspection = yield* oauth.introspect(tokens.accessToken)
      expect(introspection).toMatchObject({
        active: true,
        clientId: oauth.clientId,
        scopes: ["api:read"],
        tokenType: "Bearer"
      })
      expect(introspection.expiresAt).toBeGreaterThan(introspection.issuedAt!)
    }))

  it.effect("revokes an access token: introspection then reports it inactive", () =>
    Effect.gen(function*() {
      const oauth = yield* clientOf("reservedBasic")
      const tokens = yield* oauth.clientCredentials({ scopes: ["api:read"] })
      yield* oauth.revoke(tokens)
      expect(yield* oauth.introspect(tokens.accessToken)).toMatchObject({ active: false })
      // Revoking again, or an unknown token, is success (RFC 7009 §2.2).
      yield* oauth.revoke(tokens.accessToken)
      yield* oauth.revoke(Redacted.make("never-issued"))
    }))

  it.effect("revokes a grant through its refresh token: the refresh token no longer works", () =>
    Effect.gen(function*() {
      const oauth = yield* clientOf("public")
      const tokens = yield* authorize(oauth)
      yield* oauth.revoke(tokens)
      const inspector = yield* clientOf("reservedBasic")
      expect(yield* inspector.introspect(tokens.refreshToken!, { hint: "refresh_token" })).toMatchObject({ active: false })
      const refused = yield* Effect.flip(oauth.refresh(tokens))
      expect(refused).toMatchObject({ _tag: "OAuthError", error: "invalid_grant" })
    }))

  it.effect("introspects an unknown token as inactive", () =>
    Effect.gen(function*() {
      const oauth = yield* clientOf("reservedPost")
      expect(yield* oauth.introspect(Redacted.make("not-a-token"))).toMatchObject({ active: false, scopes: [] })
    }))
})
