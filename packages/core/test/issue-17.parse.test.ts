import { TokenResponse, TokenSet } from "@effect-oauth/core"
import { json, requestedAt } from "@effect-oauth/testing/TokenResponseFixtures"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Logger, Redacted } from "effect"

// Issue 17: the token response parser runs in linear time, limits JSON nesting,
// refuses repeated protocol fields and control characters in tokens, and never
// refuses a valid success response because of an extension field.

const mib = 1024 * 1024
const parse = (body: string, options?: Partial<TokenResponse.ParseOptions>, headers: Record<string, string> = json) =>
  Effect.either(TokenResponse.parse({ status: 200, headers, body }, { requestedAt, ...options }))

const refused = (result: Either.Either<TokenSet.TokenSet, unknown>) => {
  expect(Either.isLeft(result)).toBe(true)
  return Either.isLeft(result) ? result.left as { _tag: string; reason?: string; field?: string; message: string } : undefined
}

// Generous timeouts are the guard: before the change each of these took minutes at
// the byte cap with the event loop blocked. The figures belong to `npm run bench`.
describe("issue 17 / linear-time parsing at the byte cap", () => {
  it.effect("a numeric-looking expires_in of a million digits ending in x is an InvalidField", () =>
    Effect.gen(function*() {
      const digits = "1".repeat(mib - 100) + "x"
      const error = refused(yield* parse(`{"access_token":"at","expires_in":"${digits}"}`))
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "InvalidField", field: "expires_in" })
    }), 20_000)

  it.effect("an HTML body of <script repeated is NotJson with a short excerpt", () =>
    Effect.gen(function*() {
      const body = "<html>" + "<script".repeat(Math.floor((mib - 100) / 7))
      const error = refused(yield* parse(body, {}, { "content-type": "text/html" }))
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "NotJson" })
    }), 20_000)

  it.effect("a body of < without > and of <style< repeated is NotJson", () =>
    Effect.gen(function*() {
      for (const body of ["<".repeat(mib - 1), "x <style".repeat(mib / 8 - 1), "a <b".repeat(mib / 4 - 1)]) {
        const error = refused(yield* parse(body, {}, { "content-type": "text/html" }))
        expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "NotJson" })
      }
    }), 20_000)

  it.effect("a form-like body of a million name characters is refused, not matched slowly", () =>
    Effect.gen(function*() {
      const error = refused(yield* parse("a".repeat(mib - 10) + " =", {}, { "content-type": "text/plain" }))
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "NotJson" })
    }), 20_000)
})

describe("issue 17 / JSON nesting and repeated members", () => {
  it.effect("refuses an access_token sent twice (RFC 6749 §3.2), where JSON.parse kept the last", () =>
    Effect.gen(function*() {
      const error = refused(yield* parse(`{"access_token":"first","token_type":"Bearer","access_token":"second"}`))
      expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "InvalidField", field: "access_token" })
      expect(error?.message).toContain("more than once")
    }))

  it.effect("refuses a refresh_token sent twice, and says the grant may be lost", () =>
    Effect.gen(function*() {
      const error = refused(yield* parse(`{"access_token":"at","refresh_token":"r1","refresh_token":"r2"}`))
      expect(error).toMatchObject({ reason: "InvalidField", field: "refresh_token" })
      expect(error?.message).toContain("the grant may be lost")
    }))

  it.effect("refuses an error field sent twice", () =>
    Effect.gen(function*() {
      const body = `{"error":"invalid_grant","error":"server_error"}`
      const result = yield* Effect.either(TokenResponse.parse({ status: 400, headers: json, body }, { requestedAt }))
      expect(refused(result)).toMatchObject({ _tag: "InvalidTokenResponse", reason: "InvalidField", field: "error" })
    }))

  it.effect("keeps the tokens and drops a repeated extension field, naming it in a warning", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ message }) => lines.push(String(message)))
      const tokens = yield* TokenResponse.parse(
        { status: 200, headers: json, body: `{"access_token":"at","refresh_token":"rt-new","ext":1,"ext":2,"kept":3}` },
        { requestedAt }
      ).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(Redacted.value(tokens.refreshToken!)).toBe("rt-new")
      expect(Redacted.value(tokens.extra)).toEqual({ kept: 3 })
      expect(lines.join("\n")).toContain(`"ext" appears more than once`)
    }))

  it.effect("keeps the tokens and drops an extension field nested past the depth limit", () =>
    Effect.gen(function*() {
      const deep = "[".repeat(100_000) + "]".repeat(100_000)
      const tokens = yield* TokenResponse.parse(
        { status: 200, headers: json, body: `{"access_token":"at","refresh_token":"rt-new","deep":${deep},"ok":{"a":[1]}}` },
        { requestedAt }
      )
      expect(Redacted.value(tokens.refreshToken!)).toBe("rt-new")
      expect(Redacted.value(tokens.extra)).toEqual({ ok: { a: [1] } })
    }))

  it.effect("keeps the tokens and drops an extension object holding a repeated member", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenResponse.parse(
        { status: 200, headers: json, body: `{"access_token":"at","user":{"id":1,"id":2},"team":{"id":3}}` },
        { requestedAt }
      )
      expect(Redacted.value(tokens.extra)).toEqual({ team: { id: 3 } })
    }))

  it.effect("refuses a protocol field nested past the depth limit", () =>
    Effect.gen(function*() {
      const deep = "[".repeat(1000) + "]".repeat(1000)
      const error = refused(yield* parse(`{"access_token":"at","scope":${deep}}`))
      expect(error).toMatchObject({ reason: "InvalidField", field: "scope" })
    }))

  it.effect("still refuses malformed JSON past the depth limit", () =>
    Effect.gen(function*() {
      const deep = "[".repeat(1000) + "}" + "]".repeat(999)
      const error = refused(yield* parse(`{"access_token":"at","deep":${deep}}`))
      expect(error).toMatchObject({ reason: "NotJson" })
    }))

  it.effect("a repeated extension in a form body drops the extension, not the tokens", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenResponse.parse(
        { status: 200, headers: { "content-type": "application/x-www-form-urlencoded" }, body: "access_token=at&x=1&x=2&y=3" },
        { requestedAt }
      )
      expect(Redacted.value(tokens.accessToken)).toBe("at")
      expect(Redacted.value(tokens.extra)).toEqual({ y: "3" })
    }))

  it.effect("a __proto__ member never becomes a prototype", () =>
    Effect.gen(function*() {
      const tokens = yield* TokenResponse.parse(
        { status: 200, headers: json, body: `{"access_token":"at","x":{"__proto__":{"polluted":true}}}` },
        { requestedAt }
      )
      const x = TokenSet.extraField(tokens, "x") as Record<string, unknown>
      expect(Object.getPrototypeOf(x)).toBe(Object.prototype)
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
    }))
})

describe("issue 17 / tokens and token types", () => {
  for (const [name, value] of [["CR", "\r"], ["LF", "\n"], ["NUL", "\u0000"]] as const) {
    for (const field of ["access_token", "refresh_token", "token_type", "id_token"]) {
      it.effect(`refuses a ${name} in ${field}`, () =>
        Effect.gen(function*() {
          const body = JSON.stringify({ access_token: "at", token_type: "Bearer", [field]: `a${value}b` })
          const error = refused(yield* parse(body))
          expect(error).toMatchObject({ _tag: "InvalidTokenResponse", reason: "InvalidField", field })
        }))
    }
  }

  it.effect("refuses a token_type other than Bearer or DPoP (RFC 6749 §7.1)", () =>
    Effect.gen(function*() {
      const error = refused(yield* parse(`{"access_token":"at","token_type":"mac"}`))
      expect(error).toMatchObject({ reason: "InvalidField", field: "token_type" })
      expect(error?.message).toContain("RFC 6749 §7.1")
    }))

  it.effect("a quirk maps a provider's own token type, matched case-insensitively", () =>
    Effect.gen(function*() {
      const quirks = { tokenTypes: { bot: "Bearer", user: "bearer" } }
      const bot = yield* TokenResponse.parse(
        { status: 200, headers: json, body: `{"access_token":"xoxb","token_type":"BOT"}` },
        { requestedAt, quirks }
      )
      const user = yield* TokenResponse.parse(
        { status: 200, headers: json, body: `{"access_token":"xoxp","token_type":"user"}` },
        { requestedAt, quirks }
      )
      expect([bot.tokenType, user.tokenType]).toEqual(["Bearer", "Bearer"])
    }))
})
