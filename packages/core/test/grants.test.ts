import { Callback, JwtAssertion, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { HttpStub, TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock } from "effect"
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from "jose"

// The extension grants (RFC 7523, RFC 8693), JWT client authentication and the
// opt-in legacy grants: the requests against `HttpClient.make` stubs, then the
// flows against the embedded authorization server with those grants registered.

type Seen = HttpStub.Seen

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })

const tokenBody = { access_token: "at-1", token_type: "Bearer", expires_in: 3600 }

const stub = (respond: (seen: Seen) => Response = () => json(tokenBody)) => HttpStub.make(respond)

const provider = Provider.make({
  name: "example",
  issuer: "https://as.example.com",
  authorizationEndpoint: "https://as.example.com/authorize",
  tokenEndpoint: "https://as.example.com/token"
})

const es256 = await generateKeyPair("ES256", { extractable: true })
const privateJwk = { ...(await exportJWK(es256.privateKey)), kid: "key-1" }
const publicJwk = { ...(await exportJWK(es256.publicKey)), kid: "key-1", alg: "ES256", use: "sig" }
const signingKey: JwtAssertion.SigningKey = { key: Redacted.make(privateJwk), alg: "ES256", kid: "key-1" }

const makeClient = (
  client: OAuthClient.Client,
  options: Partial<OAuthClient.Options> = {},
  respond?: (seen: Seen) => Response
) => {
  const { layer, seen } = stub(respond)
  return Effect.map(
    OAuthClient.make({ provider, client, ...options }).pipe(Effect.provide(layer)),
    (oauth) => ({ oauth, seen })
  )
}

const last = (seen: ReadonlyArray<Seen>): Seen => {
  const entry = seen.at(-1)
  if (entry === undefined) throw new Error("no request was sent")
  return entry
}

describe("JwtAssertion / sign", () => {
  it.effect("signs iss, sub, aud, iat and exp from the Clock, a random jti, and kid in the header (RFC 7523 §3)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const first = yield* JwtAssertion.sign({ key: signingKey, issuer: "svc", subject: "alice", audience: "https://as.example.com" })
      const second = yield* JwtAssertion.sign({ key: signingKey, issuer: "svc", subject: "alice", audience: "https://as.example.com" })
      const verified = yield* Effect.promise(() =>
        jwtVerify(Redacted.value(first), es256.publicKey, { currentDate: new Date(1_700_000_000_000) })
      )
      expect(verified.payload).toMatchObject({ iss: "svc", sub: "alice", aud: "https://as.example.com", iat: 1_700_000_000, exp: 1_700_000_060 })
      expect(verified.protectedHeader).toEqual({ alg: "ES256", typ: "JWT", kid: "key-1" })
      expect(typeof verified.payload.jti).toBe("string")
      expect(decodeJwt(Redacted.value(second)).jti).not.toBe(verified.payload.jti)
      expect(String(first)).toBe("<redacted>")
    }))

  it.effect("keeps the registered claims over extra claims of the same name, and honours the lifetime", () =>
    Effect.gen(function*() {
      const jwt = yield* JwtAssertion.sign({
        key: signingKey,
        issuer: "svc",
        subject: "alice",
        audience: ["a", "b"],
        lifetime: "5 minutes",
        claims: { sub: "mallory", scope: "read" }
      })
      const claims = decodeJwt(Redacted.value(jwt))
      expect(claims).toMatchObject({ sub: "alice", scope: "read", aud: ["a", "b"] })
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(300)
    }))

  it.effect("fails with ConfigurationError InvalidCredential for a public key, naming the algorithm and not the key", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        JwtAssertion.sign({ key: { key: Redacted.make(publicJwk), alg: "ES256" }, issuer: "a", subject: "b", audience: "c" })
      )
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidCredential" })
      expect(error.message).toContain("ES256")
      expect(error.message).not.toContain(String(publicJwk.x))
    }))
})

describe("OAuthClient / private_key_jwt and client_secret_jwt", () => {
  it.effect("sends a fresh assertion per request, with the issuer as audience and no Authorization header (RFC 7523 §2.2)", () =>
    Effect.gen(function*() {
      const { oauth, seen } = yield* makeClient({ clientId: "client-1", signingKey })
      expect(oauth.clientId).toBe("client-1")
      yield* oauth.clientCredentials()
      yield* oauth.clientCredentials()
      const [first, second] = seen.map((entry) => entry.form)
      expect(first?.get("client_assertion_type")).toBe(JwtAssertion.clientAssertionType)
      expect(first?.get("client_id")).toBe("client-1")
      expect(seen[0]?.headers["authorization"]).toBeUndefined()
      const claims = decodeJwt(first?.get("client_assertion") ?? "")
      expect(claims).toMatchObject({ iss: "client-1", sub: "client-1", aud: "https://as.example.com" })
      expect(decodeJwt(second?.get("client_assertion") ?? "").jti).not.toBe(claims.jti)
    }))

  it.effect("uses the token endpoint as audience when the provider has no issuer", () =>
    Effect.gen(function*() {
      const { oauth, seen } = yield* makeClient({ clientId: "client-1", signingKey }, {
        provider: { ...provider, issuer: undefined }
      })
      yield* oauth.clientCredentials()
      expect(decodeJwt(last(seen).form.get("client_assertion") ?? "").aud).toBe("https://as.example.com/token")
    }))

  it.effect("signs client_secret_jwt with the client secret (HS256 by default)", () =>
    Effect.gen(function*() {
      const secret = "a-shared-secret-of-at-least-32-bytes!"
      const { oauth, seen } = yield* makeClient({
        clientId: "client-1",
        clientSecret: Redacted.make(secret),
        authMethod: "client_secret_jwt"
      })
      yield* oauth.clientCredentials()
      const form = last(seen).form
      expect(form.get("client_secret")).toBeNull()
      const assertion = form.get("client_assertion") ?? ""
      expect(decodeProtectedHeader(assertion).alg).toBe("HS256")
      const verified = yield* Effect.promise(() => jwtVerify(assertion, new TextEncoder().encode(secret), { currentDate: new Date(30_000) }))
      expect(verified.payload.iss).toBe("client-1")
    }))

  it.effect("refuses private_key_jwt without a key, and a key that cannot sign, when the client is made", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(makeClient({ clientId: "c", authMethod: "private_key_jwt" }))
      expect(missing).toMatchObject({ _tag: "ConfigurationError", reason: "MissingCredential" })
      const unusable = yield* Effect.flip(makeClient({ clientId: "c", signingKey: { key: Redacted.make(publicJwk), alg: "ES256" } }))
      expect(unusable).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidCredential" })
    }))

  it.effect("masks the assertion when the server echoes it in an error", () =>
    Effect.gen(function*() {
      const { oauth } = yield* makeClient({ clientId: "client-1", signingKey }, {}, (seen) =>
        json({ error: "invalid_client", error_description: `bad assertion ${seen.form.get("client_assertion")}` }, 401))
      const error = yield* Effect.flip(oauth.clientCredentials())
      expect(error.message).toContain("<redacted>")
      expect(error.message).not.toMatch(/eyJ/)
    }))
})

describe("OAuthClient / jwtBearer", () => {
  it.effect("sends the RFC 7523 §2.1 grant with the assertion and scope, and masks the assertion in errors", () =>
    Effect.gen(function*() {
      const assertion = yield* JwtAssertion.sign({ key: signingKey, issuer: "idp", subject: "alice", audience: "https://as.example.com" })
      const { oauth, seen } = yield* makeClient(
        { clientId: "client-1", clientSecret: Redacted.make("s") },
        {},
        (entry) =>
          entry.form.get("scope") === "bad"
            ? json({ error: "invalid_grant", error_description: `rejected ${entry.form.get("assertion")}` }, 400)
            : json(tokenBody)
      )
      const tokens = yield* oauth.jwtBearer(assertion, { scopes: ["read"] })
      expect(Redacted.value(tokens.accessToken)).toBe("at-1")
      const form = last(seen).form
      expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer")
      expect(form.get("assertion")).toBe(Redacted.value(assertion))
      expect(form.get("scope")).toBe("read")
      const error = yield* Effect.flip(oauth.jwtBearer(assertion, { scopes: ["bad"] }))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_grant" })
      expect(error.message).not.toContain(Redacted.value(assertion))
    }))
})

describe("OAuthClient / exchangeToken", () => {
  const subjectToken = Redacted.make("subject-token-value")
  const actorToken = Redacted.make("actor-token-value")

  it.effect("sends the RFC 8693 §2.1 parameters, repeating resource and audience, and returns the issued token type", () =>
    Effect.gen(function*() {
      const { oauth, seen } = yield* makeClient({ clientId: "client-1", clientSecret: Redacted.make("s") }, {}, () =>
        json({
          access_token: "exchanged",
          token_type: "N_A",
          issued_token_type: "urn:ietf:params:oauth:token-type:jwt",
          expires_in: 60
        }))
      const result = yield* oauth.exchangeToken({
        subjectToken,
        subjectTokenType: OAuthClient.TokenTypeUri.accessToken,
        actorToken,
        actorTokenType: OAuthClient.TokenTypeUri.jwt,
        requestedTokenType: OAuthClient.TokenTypeUri.jwt,
        resource: ["https://api-a.example.com", "https://api-b.example.com"],
        audience: "billing",
        scopes: ["read", "write"]
      })
      expect(result.issuedTokenType).toBe("urn:ietf:params:oauth:token-type:jwt")
      expect(result.tokens.tokenType).toBe("N_A")
      expect(Redacted.value(result.tokens.accessToken)).toBe("exchanged")
      const form = last(seen).form
      expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:token-exchange")
      expect(form.get("subject_token")).toBe("subject-token-value")
      expect(form.get("subject_token_type")).toBe("urn:ietf:params:oauth:token-type:access_token")
      expect(form.get("actor_token")).toBe("actor-token-value")
      expect(form.get("actor_token_type")).toBe("urn:ietf:params:oauth:token-type:jwt")
      expect(form.get("requested_token_type")).toBe("urn:ietf:params:oauth:token-type:jwt")
      expect(form.getAll("resource")).toEqual(["https://api-a.example.com", "https://api-b.example.com"])
      expect(form.getAll("audience")).toEqual(["billing"])
      expect(form.get("scope")).toBe("read write")
    }))

  it.effect("fails with InvalidTokenResponse when issued_token_type is missing (RFC 8693 §2.2.1)", () =>
    Effect.gen(function*() {
      const { oauth } = yield* makeClient({ clientId: "client-1", clientSecret: Redacted.make("s") })
      const error = yield* Effect.flip(
        oauth.exchangeToken({ subjectToken, subjectTokenType: OAuthClient.TokenTypeUri.accessToken })
      )
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "InvalidField", field: "issued_token_type" })
    }))

  it.effect("refuses an actor token without its type before sending anything", () =>
    Effect.gen(function*() {
      const { oauth, seen } = yield* makeClient({ clientId: "client-1", clientSecret: Redacted.make("s") })
      const error = yield* Effect.flip(
        oauth.exchangeToken({ subjectToken, subjectTokenType: OAuthClient.TokenTypeUri.accessToken, actorToken })
      )
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "Unsupported" })
      expect(seen).toHaveLength(0)
    }))

  it.effect("masks the subject and actor tokens when the server echoes them", () =>
    Effect.gen(function*() {
      const { oauth } = yield* makeClient({ clientId: "client-1", clientSecret: Redacted.make("s") }, {}, (entry) =>
        json({
          error: "invalid_request",
          error_description: `${entry.form.get("subject_token")} / ${entry.form.get("actor_token")}`
        }, 400))
      const error = yield* Effect.flip(oauth.exchangeToken({
        subjectToken,
        subjectTokenType: OAuthClient.TokenTypeUri.accessToken,
        actorToken,
        actorTokenType: OAuthClient.TokenTypeUri.accessToken
      }))
      expect(error.message).not.toContain("subject-token-value")
      expect(error.message).not.toContain("actor-token-value")
    }))
})

describe("OAuthClient / legacy grants", () => {
  const client: OAuthClient.Client = { clientId: "client-1", clientSecret: Redacted.make("s"), redirectUri: "https://app.example.com/cb" }
  const credentials = { username: "alice", password: Redacted.make("hunter2-password") }

  it.effect("refuses the password grant unless enabled, citing RFC 9700, and sends nothing", () =>
    Effect.gen(function*() {
      const { oauth, seen } = yield* makeClient(client)
      const error = yield* Effect.flip(oauth.password(credentials))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "Unsupported" })
      expect(error.message).toContain("RFC 9700 §2.4")
      expect(error.message).toContain('legacyGrants: ["password"]')
      expect(seen).toHaveLength(0)
    }))

  it.effect("sends the password grant when enabled (RFC 6749 §4.3.2), the password masked in errors", () =>
    Effect.gen(function*() {
      const { oauth, seen } = yield* makeClient(client, { legacyGrants: ["password"] }, (entry) =>
        entry.form.get("scope") === "bad"
          ? json({ error: "invalid_grant", error_description: `wrong ${entry.form.get("password")}` }, 400)
          : json(tokenBody))
      yield* oauth.password(credentials, { scopes: ["read"] })
      const form = last(seen).form
      expect(Object.fromEntries(form)).toEqual({ grant_type: "password", username: "alice", password: "hunter2-password", scope: "read" })
      const error = yield* Effect.flip(oauth.password(credentials, { scopes: ["bad"] }))
      expect(error.message).not.toContain("hunter2-password")
    }))

  it.effect("refuses the implicit grant unless enabled", () =>
    Effect.gen(function*() {
      const { oauth } = yield* makeClient(client)
      const error = yield* Effect.flip(oauth.implicitAuthorizationUrl())
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "Unsupported" })
      expect(error.message).toContain("RFC 9700 §2.1.2")
    }))

  it.effect("builds an implicit request with response_type=token, state and no PKCE (RFC 6749 §4.2.1)", () =>
    Effect.gen(function*() {
      const { oauth } = yield* makeClient(client, { legacyGrants: ["implicit"] })
      const request = yield* oauth.implicitAuthorizationUrl({ scopes: ["read"] })
      const query = new URL(request.url).searchParams
      expect(query.get("response_type")).toBe("token")
      expect(query.get("state")).toBe(Redacted.value(request.state))
      expect(query.get("code_challenge")).toBeNull()
      expect(request.responseType).toBe("token")
      expect(request.codeVerifier).toBeUndefined()
    }))

  it.effect("reads the tokens from the fragment, anchoring expires_in at the moment it is read", () =>
    Effect.gen(function*() {
      const { oauth } = yield* makeClient(client, { legacyGrants: ["implicit"] })
      const request = yield* oauth.implicitAuthorizationUrl({ scopes: ["read"] })
      yield* TestClock.setTime(5_000_000)
      const state = Redacted.value(request.state)
      const tokens = yield* Callback.parseImplicit(
        `https://app.example.com/cb#access_token=implicit-1&token_type=bearer&expires_in=600&state=${state}`,
        request
      )
      expect(Redacted.value(tokens.accessToken)).toBe("implicit-1")
      expect(tokens.tokenType).toBe("Bearer")
      expect(tokens.expiresAt).toBe(5_000_000 + 600_000)
      expect(tokens.scopes).toEqual(["read"])
      expect(TokenSet.extraField(tokens, "state")).toBeUndefined()
    }))

  it.effect("checks the fragment's state, error and access_token, and refuses a code-flow request", () =>
    Effect.gen(function*() {
      const { oauth } = yield* makeClient(client, { legacyGrants: ["implicit"] })
      const request = yield* oauth.implicitAuthorizationUrl()
      const state = Redacted.value(request.state)
      const mismatch = yield* Effect.flip(Callback.parseImplicit("https://app.example.com/cb#access_token=a&token_type=Bearer&state=other", request))
      expect(mismatch._tag).toBe("StateMismatch")
      const denied = yield* Effect.flip(Callback.parseImplicit(`https://app.example.com/cb#error=access_denied&state=${state}`, request))
      expect(denied._tag).toBe("AuthorizationDenied")
      // Tokens in the query are not an implicit response (RFC 6749 §4.2.2 puts them in the fragment).
      const inQuery = yield* Effect.flip(
        Callback.parseImplicit(`https://app.example.com/cb?access_token=a&token_type=Bearer&state=${state}`, request)
      )
      expect(inQuery).toMatchObject({ _tag: "InvalidCallback", reason: "MissingCode", parameter: "access_token" })
      const codeRequest = yield* oauth.authorizationUrl()
      const wrongKind = yield* Effect.flip(
        Callback.parseImplicit(`https://app.example.com/cb#access_token=a&state=${Redacted.value(codeRequest.state)}`, codeRequest)
      )
      expect(wrongKind).toMatchObject({ _tag: "InvalidCallback", reason: "UnexpectedParameter", parameter: "response_type" })
    }))
})

// ---------------------------------------------------------------------------
// Against the embedded authorization server, with the extension grants registered.

const assertionKeys = await generateKeyPair("ES256", { extractable: true })
const assertionKey: JwtAssertion.SigningKey = { key: assertionKeys.privateKey, alg: "ES256", kid: "idp-1" }

const Live = Layer.merge(
  TestServer.layer({
    extensionGrants: {
      clientJwks: { keys: [publicJwk] },
      jwtBearer: { keys: [{ ...(await exportJWK(assertionKeys.publicKey)), kid: "idp-1", alg: "ES256" }] },
      tokenExchange: true,
      passwords: { "user-7": "correct horse battery staple" }
    }
  }),
  FetchHttpClient.layer
)

const clientFor = (registered: "web" | "jwt", options: Partial<OAuthClient.Options> = {}) =>
  Effect.gen(function*() {
    const server = yield* TestServer.TestServerTag
    const discovered = yield* Provider.discover(server.issuer)
    const client = registered === "jwt" ? server.clients.jwt : server.clients.web
    if (client === undefined) return yield* Effect.die("the jwt client is registered by clientJwks")
    return yield* OAuthClient.make({
      provider: discovered,
      client: { ...TestServer.clientConfig(client), ...(registered === "jwt" ? { signingKey } : {}) },
      ...options
    })
  })

const resourceSub = (token: Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    const server = yield* TestServer.TestServerTag
    const response = yield* Effect.promise(() =>
      fetch(server.resourceUrl, { headers: { authorization: `Bearer ${Redacted.value(token)}` } })
    )
    const body = yield* Effect.promise(() => response.json() as Promise<{ readonly sub?: string }>)
    return { status: response.status, sub: body.sub }
  })

layer(Live, { excludeTestServices: true, timeout: "30 seconds" })("OAuthClient / extension grants against an authorization server", (it) => {
  it.effect("authenticates with private_key_jwt through code exchange and two refreshes (each assertion used once)", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const oauth = yield* clientFor("jwt")
      const request = yield* oauth.authorizationUrl()
      const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
      const once = yield* oauth.refresh(tokens)
      const twice = yield* oauth.refresh(once)
      expect((yield* resourceSub(twice.accessToken)).status).toBe(200)
    }))

  it.effect("trades a signed assertion for a token of its subject (RFC 7523 §2.1), and a forged one gets invalid_grant", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const oauth = yield* clientFor("web")
      const assertion = yield* JwtAssertion.sign({ key: assertionKey, issuer: "idp", subject: "user-9", audience: server.issuer })
      const tokens = yield* oauth.jwtBearer(assertion, { scopes: ["api:read"] })
      expect(yield* resourceSub(tokens.accessToken)).toEqual({ status: 200, sub: "user-9" })
      const forged = yield* JwtAssertion.sign({ key: signingKey, issuer: "idp", subject: "user-9", audience: server.issuer })
      const error = yield* Effect.flip(oauth.jwtBearer(forged))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_grant", remedy: "reauthorize" })
    }))

  it.effect("exchanges a user's access token for a new one of the same subject (RFC 8693)", () =>
    Effect.gen(function*() {
      const oauth = yield* clientFor("web")
      const assertion = yield* JwtAssertion.sign({
        key: assertionKey,
        issuer: "idp",
        subject: "user-3",
        audience: (yield* TestServer.TestServerTag).issuer
      })
      const subject = yield* oauth.jwtBearer(assertion)
      const exchanged = yield* oauth.exchangeToken({
        subjectToken: subject.accessToken,
        subjectTokenType: OAuthClient.TokenTypeUri.accessToken,
        audience: "billing"
      })
      expect(exchanged.issuedTokenType).toBe(OAuthClient.TokenTypeUri.accessToken)
      expect(Redacted.value(exchanged.tokens.accessToken)).not.toBe(Redacted.value(subject.accessToken))
      expect(yield* resourceSub(exchanged.tokens.accessToken)).toEqual({ status: 200, sub: "user-3" })
      const error = yield* Effect.flip(oauth.exchangeToken({
        subjectToken: Redacted.make("not-a-token"),
        subjectTokenType: OAuthClient.TokenTypeUri.accessToken
      }))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_grant" })
    }))

  it.effect("runs the enabled password grant, and wrong credentials get invalid_grant", () =>
    Effect.gen(function*() {
      const oauth = yield* clientFor("web", { legacyGrants: ["password"] })
      const tokens = yield* oauth.password({ username: "user-7", password: Redacted.make("correct horse battery staple") })
      expect(yield* resourceSub(tokens.accessToken)).toEqual({ status: 200, sub: "user-7" })
      const error = yield* Effect.flip(oauth.password({ username: "user-7", password: Redacted.make("wrong") }))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_grant" })
    }))
})
