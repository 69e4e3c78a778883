/**
 * No error of the core, and no TokenSet, prints a token or a secret: every error
 * type is produced by its real producer from inputs that carry a marker, then
 * rendered every way a user or a logger renders it.
 */
import {
  Callback,
  IdToken,
  OAuthClient,
  OAuthError,
  Provider,
  TokenResponse,
  TokenSet
} from "@effect-oauth/core"
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Inspectable, Redacted } from "effect"
import { exportJWK, generateKeyPair, SignJWT } from "jose"
import * as util from "node:util"

const marker = "SECRET-7f3a9c"
const secret = (name: string) => `${marker}-${name}-0b1d4e5f6a7b8c9d`

const requestedAt = Date.UTC(2025, 0, 15, 12, 0, 0)

/** Every way an error reaches a human: message, toString, JSON, inspect, Cause.pretty. */
const renderings = (error: unknown, cause: Cause.Cause<unknown>): Record<string, string> => ({
  message: error instanceof Error ? error.message : "",
  string: String(error),
  json: JSON.stringify(error),
  inspect: util.inspect(error, { depth: 20 }),
  inspectable: Inspectable.toStringUnknown(error),
  pretty: Cause.pretty(cause)
})

const rendered = new Set<string>()

const expectNoMarker = (exit: Exit.Exit<unknown, unknown>, tag: string) => {
  expect(Exit.isFailure(exit)).toBe(true)
  if (Exit.isSuccess(exit)) return
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") return expect.unreachable(`expected a failure, got ${Cause.pretty(exit.cause)}`)
  expect((failure.value as { _tag: string })._tag).toBe(tag)
  for (const [how, text] of Object.entries(renderings(failure.value, exit.cause))) {
    expect(text.includes(marker), `${tag} ${how}: ${text}`).toBe(false)
  }
  rendered.add(tag)
}

const json = { "content-type": "application/json" }

const parse = (status: number, body: string, options: Partial<TokenResponse.ParseOptions> = {}) =>
  TokenResponse.parse({ status, headers: json, body }, { requestedAt, ...options })

describe("secrets / TokenResponse.parse", () => {
  const cases: ReadonlyArray<{ name: string; tag: string; run: Effect.Effect<unknown, unknown> }> = [
    {
      name: "OAuthError whose description, uri and details echo the refresh token sent",
      tag: "OAuthError",
      run: parse(
        400,
        JSON.stringify({
          error: "invalid_grant",
          error_description: `refresh token ${secret("rt")} was revoked`,
          error_uri: `https://as.example/errors?token=${encodeURIComponent(secret("rt"))}`,
          mfa_token: secret("mfa"),
          hint: [`client_secret=${secret("cs")}`]
        }),
        { secrets: [Redacted.make(secret("rt")), Redacted.make(secret("cs"))] }
      )
    },
    {
      name: "OAuthError inside HTTP 200, form-encoded, echoing the authorization code",
      tag: "OAuthError",
      run: parse(
        200,
        new URLSearchParams({ error: "bad_verification_code", error_description: `code ${secret("code")} expired` })
          .toString(),
        { secrets: [Redacted.make(secret("code"))] }
      )
    },
    {
      name: "OAuthError from a provider reader whose details echo the client secret",
      tag: "OAuthError",
      run: parse(
        400,
        JSON.stringify({ error: { message: `bad secret ${secret("cs")}`, type: "OAuthException", trace: secret("cs") } }),
        {
          secrets: [Redacted.make(secret("cs"))],
          quirks: {
            readError: (body) => {
              const error = body.error as Record<string, unknown>
              return { error: String(error.type), description: String(error.message), details: { trace: error.trace } }
            }
          }
        }
      )
    },
    {
      name: "InvalidTokenResponse for a token response with a negative expires_in",
      tag: "InvalidTokenResponse",
      run: parse(200, JSON.stringify({ access_token: secret("at"), refresh_token: secret("rt"), expires_in: -1 }))
    },
    {
      name: "InvalidTokenResponse for an expires_in holding a token-like string",
      tag: "InvalidTokenResponse",
      run: parse(200, JSON.stringify({ access_token: secret("at"), expires_in: secret("x") }))
    },
    {
      name: "InvalidTokenResponse for a non-string refresh token",
      tag: "InvalidTokenResponse",
      run: parse(200, JSON.stringify({ access_token: secret("at"), refresh_token: [secret("rt")] }))
    },
    {
      name: "InvalidTokenResponse for an HTML page containing a token",
      tag: "InvalidTokenResponse",
      run: TokenResponse.parse(
        {
          status: 502,
          headers: { "content-type": "text/html" },
          body: `<html><body><h1>Bad Gateway</h1><pre>upstream replied access_token=${secret("at")}</pre></body></html>`
        },
        { requestedAt }
      )
    },
    {
      name: "InvalidTokenResponse for truncated JSON holding a token",
      tag: "InvalidTokenResponse",
      run: parse(200, `{"access_token":"${secret("at")}","expires_in":36`)
    },
    {
      name: "InvalidTokenResponse for a 400 without error whose fields hold tokens",
      tag: "InvalidTokenResponse",
      run: parse(400, JSON.stringify({ message: secret("message"), access_token: secret("at") }))
    },
    {
      name: "InvalidTokenResponse for a form field sent twice",
      tag: "InvalidTokenResponse",
      run: TokenResponse.parse(
        { status: 200, headers: {}, body: `access_token=${secret("a")}&access_token=${secret("b")}` },
        { requestedAt }
      )
    }
  ]

  for (const row of cases) {
    it.effect(`${row.name} prints no secret`, () =>
      Effect.gen(function*() {
        expectNoMarker(yield* Effect.exit(row.run), row.tag)
      }))
  }
})

describe("secrets / Callback.parse", () => {
  const request = new Callback.AuthorizationRequest({
    url: "https://as.example/authorize",
    state: Redacted.make(secret("state")),
    codeVerifier: Redacted.make(secret("verifier")),
    scopes: ["openid"],
    issuer: "https://as.example",
    issRequired: false
  })
  const callback = (params: Record<string, string> | string) =>
    `https://app.example/callback?${typeof params === "string" ? params : new URLSearchParams(params).toString()}`

  const cases: ReadonlyArray<{ name: string; tag: string; url: string }> = [
    {
      name: "AuthorizationDenied for a denial carrying the state",
      tag: "AuthorizationDenied",
      url: callback({ error: "access_denied", error_description: "The user said no", state: secret("state") })
    },
    {
      name: "StateMismatch for a forged state next to a code",
      tag: "StateMismatch",
      url: callback({ code: secret("code"), state: secret("forged") })
    },
    {
      name: "IssuerMismatch for a code from another issuer",
      tag: "IssuerMismatch",
      url: callback({ code: secret("code"), state: secret("state"), iss: "https://mix-up.example" })
    },
    {
      name: "InvalidCallback for a duplicated code",
      tag: "InvalidCallback",
      url: callback(`code=${secret("a")}&code=${secret("b")}&state=${encodeURIComponent(secret("state"))}`)
    }
  ]

  for (const row of cases) {
    it.effect(`${row.name} prints no secret`, () =>
      Effect.gen(function*() {
        expectNoMarker(yield* Effect.exit(Callback.parse(row.url, request)), row.tag)
      }))
  }
})

describe("secrets / OAuthClient", () => {
  const provider = Provider.make({
    name: "as",
    tokenEndpoint: "https://as.example/token",
    requests: { tokenMethod: "GET" }
  })
  const client = { clientId: "app", clientSecret: Redacted.make(secret("cs")), authMethod: "client_secret_post" as const }
  const previous = TokenSet.make({ accessToken: secret("at"), refreshToken: secret("rt"), issuedAt: requestedAt })

  const refreshWith = (httpClient: HttpClient.HttpClient) =>
    Effect.gen(function*() {
      const oauth = yield* OAuthClient.make({ provider, client })
      return yield* oauth.refresh(previous)
    }).pipe(Effect.provideService(HttpClient.HttpClient, httpClient))

  it.effect("TransportError for a GET token request whose query holds the client secret prints no secret", () =>
    Effect.gen(function*() {
      const failing = HttpClient.make((request) =>
        Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new Error(`connect ECONNREFUSED while sending ${request.url} ${secret("cause")}`)
          })
        )
      )
      expectNoMarker(yield* Effect.exit(refreshWith(failing)), "TransportError")
    }))

  it.effect("OAuthError for a refresh answered with an echo of the refresh token prints no secret", () =>
    Effect.gen(function*() {
      const echoing = HttpClient.make((request) =>
        Effect.succeed(
          HttpClientResponse.fromWeb(
            request,
            new Response(
              JSON.stringify({ error: "invalid_grant", error_description: `refresh_token ${secret("rt")} is not active` }),
              { status: 400, headers: json }
            )
          )
        )
      )
      expectNoMarker(yield* Effect.exit(refreshWith(echoing)), "OAuthError")
    }))

  it.effect("ConfigurationError for an insecure endpoint with a secret in its query prints no secret", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        OAuthClient.make({
          provider: Provider.make({ name: "as", tokenEndpoint: `http://as.example/token?client_secret=${secret("cs")}` }),
          client
        }).pipe(Effect.provideService(HttpClient.HttpClient, HttpClient.make(() => Effect.die("no request expected"))))
      )
      expectNoMarker(exit, "ConfigurationError")
    }))
})

describe("secrets / TokenSet", () => {
  it.effect("InvalidTokenBlob for a blob with credentials and wrong types prints no secret", () =>
    Effect.gen(function*() {
      const blob = JSON.stringify({ accessToken: secret("at"), refreshToken: 1, tokenType: [secret("tt")], extra: secret("x") })
      expectNoMarker(yield* Effect.exit(TokenSet.fromJson(blob)), "InvalidTokenBlob")
    }))

  it.effect("InvalidTokenBlob for truncated JSON with a token prints no secret", () =>
    Effect.gen(function*() {
      expectNoMarker(yield* Effect.exit(TokenSet.fromJson(`{"accessToken":"${secret("at")}"`)), "InvalidTokenBlob")
    }))

  it.effect("a parsed TokenSet prints no credential, however it is printed", () =>
    Effect.gen(function*() {
      const tokens = yield* parse(
        200,
        JSON.stringify({
          access_token: secret("at"),
          refresh_token: secret("rt"),
          id_token: secret("id"),
          expires_in: 3600,
          authed_user: { access_token: secret("nested") }
        })
      )
      const texts = [
        String(tokens),
        JSON.stringify(tokens),
        util.inspect(tokens, { depth: 20 }),
        Inspectable.toStringUnknown(tokens),
        Cause.pretty(Cause.die(tokens)),
        Cause.pretty(Cause.fail(tokens))
      ]
      for (const text of texts) expect(text.includes(marker), text).toBe(false)
      expect(Redacted.value(tokens.accessToken)).toBe(secret("at"))
    }))
})

describe("secrets / IdToken", () => {
  it.live("IdTokenInvalid for a token with a foreign nonce, or tampered, prints neither nonce nor token", () =>
    Effect.gen(function*() {
      const { privateKey, publicKey } = yield* Effect.promise(() => generateKeyPair("ES256", { extractable: true }))
      const jwk = { ...(yield* Effect.promise(() => exportJWK(publicKey))), kid: "k", alg: "ES256" } as IdToken.Jwk
      const now = Math.floor(Date.now() / 1000)
      const token = yield* Effect.promise(() =>
        new SignJWT({ iss: "https://op.example", sub: secret("sub"), aud: "c", iat: now, exp: now + 60, nonce: secret("nonce-in-token") })
          .setProtectedHeader({ alg: "ES256", kid: "k" })
          .sign(privateKey)
      )
      const options = {
        issuer: "https://op.example",
        clientId: "c",
        keys: IdToken.localKeySet({ keys: [jwk] }),
        algorithms: ["ES256"],
        nonce: Redacted.make(secret("nonce-sent"))
      }
      expectNoMarker(yield* Effect.exit(IdToken.validate(Redacted.make(token), options)), "IdTokenInvalid")
      const [header, payload] = token.split(".")
      expectNoMarker(
        yield* Effect.exit(IdToken.validate(Redacted.make(`${header}.${payload}.${secret("signature")}`), options)),
        "IdTokenInvalid"
      )
    }))
})

// Runs last (tests of a file run in order): every case above recorded its tag.
describe("secrets / coverage", () => {
  it("rendered every error type of the core and InvalidTokenBlob", () => {
    const everyTag: ReadonlyArray<OAuthError.CoreError["_tag"] | TokenSet.InvalidTokenBlob["_tag"]> = [
      "OAuthError",
      "InvalidTokenResponse",
      "AuthorizationDenied",
      "StateMismatch",
      "IssuerMismatch",
      "InvalidCallback",
      "TransportError",
      "ConfigurationError",
      "IdTokenInvalid",
      "InvalidTokenBlob"
    ]
    expect([...rendered].sort()).toEqual([...everyTag].sort())
  })
})
