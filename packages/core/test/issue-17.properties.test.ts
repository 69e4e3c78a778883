import { Callback, OAuthError, TokenResponse, WwwAuthenticate } from "@effect-oauth/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Redacted } from "effect"
import { timingSafeEqual } from "../src/internal/crypto.js"
import * as Json from "../src/internal/wire/json.js"
import { body, hostileNames, hostileStrings, neverDies } from "./fixtures/hostile.js"

// Issue 17: every response parser, fed malformed, huge, deeply nested, repeated,
// prototype-named and control-character input, answers a value or a typed error,
// never a defect (a thrown exception, a stack overflow).

const options = {
  requestedAt: 0,
  quirks: { tokenTypes: { bot: "Bearer" }, expiresInAliases: ["expires"], scopeSeparator: "any" as const },
  secrets: [Redacted.make("at"), Redacted.make("secret-secret")]
}

describe("the state and nonce comparison", () => {
  it.prop("timingSafeEqual agrees with === on any two strings, and on a string and a one-character change of it", {
    a: fc.string({ unit: "binary" }),
    b: fc.string({ unit: "binary" }),
    at: fc.nat(),
    code: fc.integer({ min: 0, max: 0xffff })
  }, ({ a, at, b, code }) => {
    expect(timingSafeEqual(a, b)).toBe(a === b)
    expect(timingSafeEqual(a, a)).toBe(true)
    if (a.length > 0) {
      const i = at % a.length
      const changed = `${a.slice(0, i)}${String.fromCharCode(code)}${a.slice(i + 1)}`
      expect(timingSafeEqual(a, changed)).toBe(a === changed)
    }
  })
})

describe("issue 17 / parsers never die", () => {
  it.prop("TokenResponse.parse: a TokenSet or a typed failure", { status: fc.integer({ min: 100, max: 599 }), body }, ({ body, status }) => {
    neverDies(Effect.runSyncExit(TokenResponse.parse({ status, headers: {}, body }, options)))
  }, { fastCheck: { numRuns: 400 } })

  it.prop("TokenResponse.parseError: always an OAuthError or InvalidTokenResponse", { status: fc.integer({ min: 100, max: 599 }), body }, ({ body, status }) => {
    const error = TokenResponse.parseError({ status, headers: {}, body }, options)
    expect(["OAuthError", "InvalidTokenResponse"]).toContain(error._tag)
  }, { fastCheck: { numRuns: 300 } })

  it.prop("TokenResponse.parseJson: an object or a typed failure", { status: fc.integer({ min: 100, max: 599 }), body }, ({ body, status }) => {
    const result = TokenResponse.parseJson({ status, headers: {}, body }, options)
    if (Either.isRight(result)) expect(typeof result.right).toBe("object")
    else expect(["OAuthError", "InvalidTokenResponse"]).toContain(result.left._tag)
  }, { fastCheck: { numRuns: 300 } })

  it.prop("the JSON reader agrees with JSON.parse on texts without repeated members", { value: fc.jsonValue({ maxDepth: 8 }) }, ({ value }) => {
    const text = JSON.stringify({ v: value })
    const result = Json.parseObject(text)
    expect(result._tag).toBe("Object")
    if (result._tag === "Object") expect(result.fields).toEqual(JSON.parse(text))
  }, { fastCheck: { numRuns: 300 } })

  it.prop("WwwAuthenticate.parse: challenges or InvalidChallenge", { header: fc.oneof(hostileStrings, fc.array(fc.tuple(fc.oneof(hostileNames, fc.string()), hostileStrings)).map((pairs) => `Bearer ${pairs.map(([k, v]) => `${k}="${v}"`).join(", ")}`)) }, ({ header }) => {
    const result = WwwAuthenticate.parse(header)
    if (Either.isLeft(result)) expect(result.left._tag).toBe("InvalidChallenge")
  }, { fastCheck: { numRuns: 300 } })

  it.effect.prop("Callback.parse: a response or a typed callback error", {
    query: fc.array(fc.tuple(fc.oneof(hostileNames, fc.constantFrom("code", "state", "iss", "scope")), hostileStrings), { maxLength: 8 }),
    fragment: fc.boolean()
  }, ({ fragment, query }) => {
    const request = new Callback.AuthorizationRequest({
      url: "https://as.example.com/authorize?response_type=code",
      state: Redacted.make("state-1"),
      scopes: [],
      issRequired: false
    })
    const params = new URLSearchParams(query).toString()
    const url = `https://client.example.com/cb${fragment ? "#" : "?"}${params}`
    return Effect.map(Effect.exit(Callback.parse(url, request)), (exit) => {
      neverDies(exit)
    })
  }, { fastCheck: { numRuns: 200 } })

  it.prop("OAuthError.mask and excerpt: never show a credential's run of 8 characters", {
    secret: fc.string({ minLength: 8, maxLength: 40 }),
    before: fc.string(),
    after: fc.string()
  }, ({ after, before, secret }) => {
    const text = `${before}${secret}${after}`
    const masked = OAuthError.mask(text, [Redacted.make(secret)])
    expect(masked.includes(secret)).toBe(false)
    expect(OAuthError.excerpt(text, [Redacted.make(secret)], 500).includes(secret)).toBe(false)
  }, { fastCheck: { numRuns: 300 } })
})
