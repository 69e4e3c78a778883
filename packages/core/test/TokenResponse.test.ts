import { OAuthError, TokenResponse, TokenSet } from "@effect-oauth/core"
import * as TokenResponseFixtures from "@effect-oauth/testing/TokenResponseFixtures"
import { after, type Fixture, json, requestedAt } from "@effect-oauth/testing/TokenResponseFixtures"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck as fc, Redacted } from "effect"
import { providerFixtures } from "./fixtures/providers.js"
import { rfcFixtures } from "./fixtures/rfc.js"

const fixtures: ReadonlyArray<Fixture> = [...providerFixtures, ...rfcFixtures]

const parse = (response: TokenResponse.RawResponse, options?: Partial<TokenResponse.ParseOptions>) =>
  TokenResponse.parse(response, { requestedAt, ...options })

const exampleCredentials = ["2YotnFZFEjr1zCsicMWpAA", "tGzv3JOkF0XG5Qx2TlKWIA", "Fe26...Ha"]

describe("TokenResponse.parse / documented shapes", () => {
  it("has at least 45 rows with unique names and a documentation URL each", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(45)
    TokenResponseFixtures.checkRows(fixtures)
  })

  TokenResponseFixtures.tests(fixtures, { hidden: exampleCredentials })
})

describe("TokenResponse.parse / rules", () => {
  it.effect("issuedAt is requestedAt and expiry is anchored there, not at parse time", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenResponse.parse(
        { status: 200, headers: json, body: `{"access_token":"at-1","expires_in":60}` },
        { requestedAt: 1_000 }
      )
      expect(tokens.issuedAt).toBe(1_000)
      expect(tokens.expiresAt).toBe(61_000)
    }))

  it.effect("names the field and never quotes a string value in an InvalidField message", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        parse(
          { status: 200, headers: json, body: `{"access_token":"at-1","expires_in":"SECRET-in-expires"}` },
          { endpoint: "https://as.example/token" }
        )
      )
      expect(error.message).toBe(
        "invalid token response (InvalidField): \"expires_in\" is not a number; HTTP 200 from https://as.example/token" +
          "; the server answered success, so it may have spent the code or rotated the refresh token: the grant may be lost; body: JSON fields: access_token, expires_in"
      )
      expect(JSON.stringify(error)).not.toContain("SECRET-in-expires")
    }))

  it.effect("quotes a negative number in the message (numbers are not secrets)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(parse({ status: 200, headers: json, body: `{"access_token":"at-1","expires_in":-5}` }))
      expect(error._tag === "InvalidTokenResponse" && error.detail).toBe("is negative (-5)")
    }))

  it.effect("masks options.secrets (also URL-encoded) in description, uri, error code and details", () =>
    Effect.gen(function*() {
      const secret = "s3cr3t/value+with=chars"
      const body = JSON.stringify({
        error: "invalid_client",
        error_description: `client_secret ${secret} is wrong`,
        error_uri: `https://as.example/help?secret=${encodeURIComponent(secret)}`,
        hint: { echoed: [secret] }
      })
      const error = yield* Effect.flip(
        parse({ status: 401, headers: json, body }, { secrets: [Redacted.make(secret), Redacted.make("")] })
      )
      expect(error).toBeInstanceOf(OAuthError.OAuthError)
      if (error._tag !== "OAuthError") return
      expect(error.description).toBe("client_secret <redacted> is wrong")
      expect(error.uri).toBe("https://as.example/help?secret=<redacted>")
      expect(error.details).toEqual({ hint: { echoed: ["<redacted>"] } })
      expect(JSON.stringify(error)).not.toContain("s3cr3t")
    }))

  it.effect("masks options.secrets in a text excerpt even when shorter than 16 characters", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        parse(
          { status: 500, headers: { "content-type": "text/plain" }, body: "failed for code abc123 sorry" },
          { secrets: [Redacted.make("abc123")] }
        )
      )
      expect(error._tag === "InvalidTokenResponse" && error.excerpt).toBe("failed for code <redacted> sorry")
    }))

  it.effect("cuts a long text body to 120 characters with token-like runs masked", () =>
    Effect.gen(function*() {
      const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"
      const body = `Upstream said: ${token} ${"lorem ipsum ".repeat(40)}`
      const error = yield* Effect.flip(parse({ status: 502, headers: { "content-type": "text/plain" }, body }))
      if (error._tag !== "InvalidTokenResponse") return expect.unreachable()
      expect(error.excerpt?.startsWith("Upstream said: … lorem ipsum")).toBe(true)
      expect(error.excerpt?.length).toBe(120)
      expect(error.excerpt?.endsWith("…")).toBe(true)
    }))

  it.effect("cuts a description at 500 characters", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        parse({ status: 400, headers: json, body: JSON.stringify({ error: "invalid_request", error_description: "x".repeat(2000) }) })
      )
      expect(error._tag === "OAuthError" && error.description?.length).toBe(500)
    }))

  it.effect("refuses a body over 1 MiB without reading it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        parse({ status: 200, headers: json, body: new Uint8Array(1024 * 1024 + 1).fill(0x20) })
      )
      expect(error._tag === "InvalidTokenResponse" && error.reason).toBe("TooLarge")
    }))

  it.effect("drops a __proto__ field and keeps extra a plain object", () =>
    Effect.gen(function*() {
      const tokens = yield* parse({
        status: 200,
        headers: json,
        body: `{"access_token":"at-1","__proto__":{"polluted":true},"constructor":"x"}`
      })
      const extra = Redacted.value(tokens.extra)
      expect(Object.getPrototypeOf(extra)).toBe(Object.prototype)
      expect(Object.keys(extra)).toEqual(["constructor"])
      expect(TokenSet.extraField(tokens, "constructor")).toBe("x")
      expect(TokenSet.extraField(tokens, "polluted")).toBeUndefined()
    }))

  it.effect("reads headers case-insensitively", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        parse({ status: 503, headers: { "RETRY-AFTER": "7" }, body: `{"error":"temporarily_unavailable"}` })
      )
      expect(error.retryAfter).toBe(7)
    }))

  it.effect("only sets refreshTokenExpiresAt alongside a refresh token", () =>
    Effect.gen(function*() {
      const tokens = yield* parse({ status: 200, headers: json, body: `{"access_token":"at-1","refresh_expires_in":1800}` })
      expect(tokens.refreshTokenExpiresAt).toBeUndefined()
      expect(TokenSet.extraField(tokens, "refresh_expires_in")).toBeUndefined()
    }))

  it.effect("includes the endpoint in an OAuthError message", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        parse(
          { status: 400, headers: json, body: `{"error":"invalid_grant","error_description":"Token is not active"}` },
          { endpoint: "https://as.example/token" }
        )
      )
      expect(error.message).toBe(
        "invalid_grant: Token is not active (HTTP 400 from https://as.example/token; remedy: reauthorize)"
      )
    }))
})

describe("TokenResponse.parse / properties", () => {
  const shapes = ["html", "truncated", "negative", "nonNumeric", "echo", "form"] as const
  const tenYears = 10 * 365 * 24 * 60 * 60

  it.prop(
    "expiresAt = requestedAt + min(expires_in, 10 years), whether expires_in is a number or a string",
    { seconds: fc.integer({ min: 0, max: 2 ** 40 }), asString: fc.boolean() },
    ({ asString, seconds }) => {
      const body = JSON.stringify({ access_token: "at-1", expires_in: asString ? String(seconds) : seconds })
      const tokens = Effect.runSync(parse({ status: 200, headers: json, body }))
      expect(tokens.expiresAt).toBe(after(Math.min(seconds, tenYears)))
    }
  )

  it.prop(
    "never dies: any status and body gives a TokenSet or a typed failure",
    {
      status: fc.integer({ min: 100, max: 599 }),
      body: fc.oneof(
        fc.string(),
        fc.json(),
        fc.dictionary(fc.constantFrom("access_token", "expires_in", "error", "scope", "token_type", "x"), fc.jsonValue())
          .map((record) => JSON.stringify(record)),
        fc.dictionary(fc.constantFrom("access_token", "expires_in", "error", "expires", "scope"), fc.string())
          .map((record) => new URLSearchParams(record).toString()),
        fc.uint8Array()
      )
    },
    ({ body, status }) => {
      const exit = Effect.runSyncExit(
        parse({ status, headers: {}, body }, { quirks: { expiresInAliases: ["expires"], scopeSeparator: "any" } })
      )
      if (Exit.isFailure(exit)) {
        const failure = Cause.failureOption(exit.cause)
        expect(failure._tag).toBe("Some")
        expect(Cause.isDie(exit.cause)).toBe(false)
      }
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "no failure renders the access token it was given (text bodies, bad fields, errors echoing a secret)",
    {
      token: fc.stringMatching(/^[A-Za-z0-9._~-]{16,48}$/),
      shape: fc.constantFrom(...shapes)
    },
    ({ shape, token }) => {
      const bodies: Record<(typeof shapes)[number], readonly [number, string]> = {
        html: [502, `<html><body><h1>Bad Gateway</h1><p>${token}</p></body></html>`],
        truncated: [200, `{"access_token":"${token}","expires_in":`],
        negative: [200, JSON.stringify({ access_token: token, expires_in: -1 })],
        nonNumeric: [200, JSON.stringify({ access_token: token, expires_in: token })],
        echo: [400, JSON.stringify({ error: "invalid_grant", error_description: `refresh token ${token} expired` })],
        form: [200, `access_token=${encodeURIComponent(token)}&expires_in=soon`]
      }
      const [status, body] = bodies[shape]
      const exit = Effect.runSyncExit(parse({ status, headers: {}, body }, { secrets: [Redacted.make(token)] }))
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const error = Cause.failureOption(exit.cause)
        expect(error._tag).toBe("Some")
        const rendered = `${Cause.pretty(exit.cause)}\n${JSON.stringify(error)}`
        expect(rendered).not.toContain(token)
      }
    },
    { fastCheck: { numRuns: 200 } }
  )
})
