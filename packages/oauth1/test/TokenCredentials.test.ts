import { TokenCredentials } from "@effect-oauth/oauth1"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck, Redacted } from "effect"
import { inspect } from "node:util"

const token = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"
const tokenSecret = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"

const credentials = TokenCredentials.make({
  token,
  tokenSecret,
  issuedAt: 1_318_622_958_000,
  extra: { user_id: "370773112", screen_name: "jane" }
})

describe("TokenCredentials / toJson and fromJson", () => {
  it.effect("round-trips to equal credentials", () =>
    Effect.gen(function*() {
      const json = TokenCredentials.toJson(credentials)
      expect(JSON.parse(json)).toEqual({
        token,
        tokenSecret,
        issuedAt: 1_318_622_958_000,
        extra: { user_id: "370773112", screen_name: "jane" }
      })
      const restored = yield* TokenCredentials.fromJson(json)
      expect(Redacted.value(restored.token)).toBe(token)
      expect(Redacted.value(restored.tokenSecret)).toBe(tokenSecret)
      expect(TokenCredentials.extraField(restored, "screen_name")).toBe("jane")
      expect(TokenCredentials.encode(restored)).toEqual(TokenCredentials.encode(credentials))
      expect(yield* TokenCredentials.fromJson(TokenCredentials.encode(credentials))).toBeInstanceOf(
        TokenCredentials.TokenCredentials
      )
    }))

  it.effect.prop(
    "fromJson(toJson(c)) encodes to the same blob for any credentials",
    [FastCheck.string(), FastCheck.string(), FastCheck.nat(), FastCheck.dictionary(FastCheck.string().filter((key) => key !== "__proto__"), FastCheck.string())],
    ([token, tokenSecret, issuedAt, extra]) =>
      Effect.gen(function*() {
        const original = TokenCredentials.make({ token, tokenSecret, issuedAt, extra })
        const restored = yield* TokenCredentials.fromJson(TokenCredentials.toJson(original))
        return TokenCredentials.toJson(restored) === TokenCredentials.toJson(original)
      })
  )

  it.effect("fails with InvalidTokenBlob naming the paths, never a value", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(TokenCredentials.fromJson(JSON.stringify({ token: 42, tokenSecret, issuedAt: 0 })))
      expect(error._tag).toBe("InvalidTokenBlob")
      expect(error.paths).toEqual(["token", "extra"])
      expect(error.message).toBe(`token blob is invalid at "token", "extra"`)
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(tokenSecret)
      const notJson = yield* Effect.flip(TokenCredentials.fromJson("{not json"))
      expect(notJson.message).toBe("token blob is not valid JSON")
    }))
})

describe("TokenCredentials / redaction", () => {
  it("prints no token, secret or extra field in toString, JSON, or util.inspect", () => {
    const printed = `${String(credentials)} ${JSON.stringify(credentials)} ${inspect(credentials, { depth: 5 })}`
    expect(printed).not.toContain(token)
    expect(printed).not.toContain(tokenSecret)
    expect(printed).not.toContain("jane")
    expect(printed).toContain("<redacted>")
  })

  it("answers undefined for an extra field that is absent, even an inherited name", () => {
    expect(TokenCredentials.extraField(credentials, "missing")).toBeUndefined()
    expect(TokenCredentials.extraField(credentials, "toString")).toBeUndefined()
  })
})
