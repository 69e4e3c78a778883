import { OAuthClient, OAuthError, Provider, TokenSet } from "@effect-oauth/core"
import { HttpStub } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Inspectable, Logger, Redacted } from "effect"
import * as util from "node:util"

// Issue 17: every endpoint's error, provoked by a server that echoes each credential
// sent in each encoding, renders no credential: message, String, JSON, inspect, a
// log line and Cause.pretty.

const clientSecret = "cs+Secret/With=Odd&Chars-0123456789"
const refreshToken = "rt-Refresh+Token/0123456789abcdef"
const accessToken = "at-Access+Token/0123456789abcdef"
const basic = Buffer.from(`client-1:${encodeURIComponent(clientSecret)}`).toString("base64")

const forms = (value: string) => [
  value,
  encodeURIComponent(value),
  new URLSearchParams({ v: value }).toString().slice(2),
  value.slice(3, 14) // a run of 11 of its characters
]

const provider = Provider.make({
  name: "echo",
  issuer: "https://as.example.com",
  authorizationEndpoint: "https://as.example.com/authorize",
  tokenEndpoint: "https://as.example.com/token",
  revocationEndpoint: "https://as.example.com/revoke",
  introspectionEndpoint: "https://as.example.com/introspect",
  userinfoEndpoint: "https://as.example.com/userinfo",
  deviceAuthorizationEndpoint: "https://as.example.com/device",
  pushedAuthorizationRequestEndpoint: "https://as.example.com/par"
})

const tokens = TokenSet.make({
  accessToken: Redacted.make(accessToken),
  tokenType: "Bearer",
  issuedAt: 0,
  refreshToken: Redacted.make(refreshToken),
  scopes: []
})

const lines: Array<string> = []
const logger = Logger.make(({ message, annotations }) => lines.push(`${String(message)} ${JSON.stringify([...annotations])}`))

const renderings = (error: unknown, cause: Cause.Cause<unknown>): ReadonlyArray<string> => [
  error instanceof Error ? error.message : "",
  String(error),
  JSON.stringify(error),
  util.inspect(error, { depth: 20 }),
  Inspectable.toStringUnknown(error),
  Cause.pretty(cause),
  ...lines
]

const check = (
  echo: string,
  sent: ReadonlyArray<string>,
  how: "body" | "challenge",
  operation: (client: OAuthClient.Service) => Effect.Effect<unknown, unknown>
) =>
  Effect.gen(function*() {
    lines.length = 0
    const description = `you sent ${echo} (and ${encodeURIComponent(echo)})`
    const { layer } = HttpStub.make(() =>
      how === "challenge"
        ? new Response("", {
          status: 401,
          headers: { "www-authenticate": `Bearer error="invalid_token", error_description="${description}"` }
        })
        : new Response(
          JSON.stringify({ error: "invalid_request", error_description: description, error_uri: `https://as.example.com/e?x=${encodeURIComponent(echo)}`, hint: echo }),
          { status: 400, headers: { "content-type": "application/json" } }
        )
    )
    const client = yield* OAuthClient.make({
      provider,
      client: { clientId: "client-1", clientSecret: Redacted.make(clientSecret), redirectUri: "https://client.example.com/cb" }
    }).pipe(Effect.provide(layer))
    const exit = yield* Effect.exit(
      operation(client).pipe(Effect.tapError((error) => Effect.logError(error)), Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
    )
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isSuccess(exit)) return
    const failure = Cause.failureOption(exit.cause)
    expect(failure._tag).toBe("Some")
    for (const text of renderings(failure._tag === "Some" ? failure.value : undefined, exit.cause)) {
      for (const credential of sent) {
        for (const form of forms(credential)) expect(text.includes(form), text).toBe(false)
      }
    }
  })

type Operation = (client: OAuthClient.Service) => Effect.Effect<unknown, unknown>

// The credentials each request carries (client_secret_basic: the Basic value too).
const withClient = [clientSecret, basic]
const operations: ReadonlyArray<readonly [string, ReadonlyArray<string>, "body" | "challenge", Operation]> = [
  ["token endpoint (refresh)", [...withClient, refreshToken], "body", (client) => client.refresh(tokens)],
  ["revocation", [...withClient, refreshToken], "body", (client) => client.revoke(tokens)],
  ["introspection", [...withClient, accessToken], "body", (client) => client.introspect(Redacted.make(accessToken))],
  ["device authorization", withClient, "body", (client) => client.deviceAuthorization()],
  ["pushed authorization request", withClient, "body", (client) => client.authorizationUrl()],
  ["userinfo error body", [accessToken], "body", (client) => client.userinfo(tokens, { subject: "u" })],
  ["userinfo WWW-Authenticate", [accessToken], "challenge", (client) => client.userinfo(tokens, { subject: "u" })]
]

describe("issue 17 / secrets: every endpoint's error echoing every credential", () => {
  for (const [name, sent, how, operation] of operations) {
    it.effect(`${name}: no credential sent, in any encoding, in any rendering`, () =>
      Effect.forEach(sent.flatMap(forms), (echo) => check(echo, sent, how, operation), { discard: true }))
  }
})

describe("issue 17 / OAuthError.mask", () => {
  it("masks raw, URL-encoded, form-encoded forms and any run of 8 characters", () => {
    const secret = Redacted.make("ab+cd/ef=gh ij&kl")
    for (const form of ["ab+cd/ef=gh ij&kl", encodeURIComponent("ab+cd/ef=gh ij&kl"), "ab%2Bcd%2Fef%3Dgh+ij%26kl", "b+cd/ef="]) {
      expect(OAuthError.mask(`x ${form}!`, [secret])).toBe("x <redacted>!")
    }
    expect(OAuthError.mask("x b+cd/ef!", [secret])).toBe("x b+cd/ef!")
  })

  it("masks a short credential where it stands alone, not inside a word", () => {
    expect(OAuthError.mask("invalid_client: t", [Redacted.make("t")])).toBe("invalid_client: <redacted>")
  })
})

describe("issue 17 / userinfo challenges (RFC 6750 §3.1)", () => {
  const userinfoError = (status: number, challenge: string) =>
    Effect.gen(function*() {
      const { layer } = HttpStub.make(() => new Response("", { status, headers: { "www-authenticate": challenge } }))
      const client = yield* OAuthClient.make({
        provider,
        client: { clientId: "client-1", clientSecret: Redacted.make(clientSecret), redirectUri: "https://client.example.com/cb" }
      }).pipe(Effect.provide(layer))
      return yield* Effect.flip(client.userinfo(tokens, { subject: "u" }))
    })

  it.effect("a 401 invalid_token says get a new token (retry after refreshing), not that the grant is dead", () =>
    Effect.gen(function*() {
      const error = yield* userinfoError(401, `Bearer error="invalid_token", error_description="expired"`)
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_token", status: 401, remedy: "retry" })
    }))

  it.effect("a 400 challenge with invalid_request is read as that error", () =>
    Effect.gen(function*() {
      const error = yield* userinfoError(400, `Bearer error="invalid_request", error_description="two tokens"`)
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_request", status: 400, remedy: "fixConfiguration" })
    }))
})
