import { Callback } from "@effect-oauth/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"

const state = "af0ifjsldkj-J4uTUQJbD3dBaXq7WYmeHkCz_3q9zGE"
const issuer = "https://as.example.com"

const request = (fields: Partial<ConstructorParameters<typeof Callback.AuthorizationRequest>[0]> = {}) =>
  new Callback.AuthorizationRequest({
    url: "https://as.example.com/authorize?response_type=code",
    state: Redacted.make(state),
    codeVerifier: Redacted.make("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
    redirectUri: "https://client.example.com/cb",
    scopes: ["openid"],
    issRequired: false,
    ...fields
  })

const callback = (query: string) => `https://client.example.com/cb?${query}`

describe("Callback / parse", () => {
  it.effect("returns the code redacted and the request it answers (RFC 6749 §4.1.2)", () =>
    Effect.gen(function*() {
      const sent = request()
      const response = yield* Callback.parse(callback(`code=SplxlOBeZQQYbYS6WxSbIA&state=${state}`), sent)
      expect(Redacted.value(response.code)).toBe("SplxlOBeZQQYbYS6WxSbIA")
      expect(response.request).toBe(sent)
      expect(response.iss).toBeUndefined()
      expect(String(response)).not.toContain("SplxlOBeZQQYbYS6WxSbIA")
      expect(JSON.stringify(response)).not.toContain("SplxlOBeZQQYbYS6WxSbIA")
    }))

  it.effect("accepts a full URL string, a URL, a request path, and URLSearchParams", () =>
    Effect.gen(function*() {
      const query = `code=abc&state=${state}`
      for (const input of [callback(query), new URL(callback(query)), `/cb?${query}`, new URLSearchParams(query)]) {
        const response = yield* Callback.parse(input, request())
        expect(Redacted.value(response.code)).toBe("abc")
      }
    }))

  it.effect("reads the fragment of a response_mode=fragment redirect", () =>
    Effect.gen(function*() {
      const response = yield* Callback.parse(
        `https://client.example.com/cb#code=frag&state=${state}`,
        request({ url: "https://as.example.com/authorize?response_type=code&response_mode=fragment" })
      )
      expect(Redacted.value(response.code)).toBe("frag")
    }))

  it.effect("issue 17: refuses a code in the fragment of a query-mode request (InvalidCallback)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Callback.parse(`https://client.example.com/cb#code=frag&state=${state}`, request()))
      expect(error).toMatchObject({ _tag: "InvalidCallback", reason: "UnexpectedParameter", parameter: "fragment" })
      expect(error.remedy).toBe("reauthorize")
    }))

  it.effect("issue 17: refuses a callback carrying both code and error (InvalidCallback)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Callback.parse(callback(`code=abc&error=access_denied&state=${state}`), request()))
      expect(error).toMatchObject({ _tag: "InvalidCallback", reason: "UnexpectedParameter", parameter: "code" })
    }))

  it.effect("issue 17: the callback's other parameters (a granted scope) are readable on the result", () =>
    Effect.gen(function*() {
      const response = yield* Callback.parse(callback(`code=abc&state=${state}&scope=read%20write&session_state=s1`), request())
      expect(response.parameters).toEqual({ scope: "read write", session_state: "s1" })
    }))

  it("issue 17: StateMismatch, IssuerMismatch and InvalidCallback carry a remedy", async () => {
    const { OAuthError } = await import("@effect-oauth/core")
    expect(new OAuthError.StateMismatch({ missing: true }).remedy).toBe("reauthorize")
    expect(new OAuthError.IssuerMismatch({ expected: issuer }).remedy).toBe("reauthorize")
    expect(new OAuthError.InvalidCallback({ reason: "MissingCode" }).remedy).toBe("reauthorize")
  })

  it.effect("fails with StateMismatch { missing: true } when state is absent", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Callback.parse(callback("code=abc"), request()))
      expect(error).toMatchObject({ _tag: "StateMismatch", missing: true })
      expect(error.message).toBe("callback has no state parameter (RFC 6749 §10.12)")
    }))

  it.effect("fails with StateMismatch for any other state: longer, shorter, empty, one character off", () =>
    Effect.gen(function*() {
      const others = [`${state}x`, state.slice(0, -1), "", `${state.slice(0, -1)}F`, state.toLowerCase(), "é"]
      for (const other of others) {
        const error = yield* Effect.flip(
          Callback.parse(new URLSearchParams({ code: "abc", state: other }), request())
        )
        expect(error).toMatchObject({ _tag: "StateMismatch", missing: false })
        expect(error.message).not.toContain(state)
      }
    }))

  it.effect("surfaces error=access_denied as AuthorizationDenied with description and uri", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Callback.parse(
          callback(`error=access_denied&error_description=The+user+said+no&error_uri=https%3A%2F%2Fas.example.com%2Fe&state=${state}`),
          request()
        )
      )
      expect(error).toMatchObject({
        _tag: "AuthorizationDenied",
        error: "access_denied",
        description: "The user said no",
        uri: "https://as.example.com/e"
      })
      expect(error.message).toBe("authorization denied: access_denied: The user said no")
    }))

  it.effect("checks state before surfacing an error response", () =>
    Effect.gen(function*() {
      const forged = yield* Effect.flip(Callback.parse(callback("error=access_denied&state=forged"), request()))
      expect(forged).toMatchObject({ _tag: "StateMismatch", missing: false })
      const stateless = yield* Effect.flip(Callback.parse(callback("error=access_denied"), request()))
      expect(stateless).toMatchObject({ _tag: "StateMismatch", missing: true })
    }))

  it.effect("fails with InvalidCallback MissingCode when there is neither code nor error", () =>
    Effect.gen(function*() {
      for (const query of [`state=${state}`, `code=&state=${state}`]) {
        const error = yield* Effect.flip(Callback.parse(callback(query), request()))
        expect(error).toMatchObject({ _tag: "InvalidCallback", reason: "MissingCode" })
      }
    }))

  it.effect("fails with InvalidCallback DuplicateParameter for a repeated response parameter (RFC 6749 §3.1)", () =>
    Effect.gen(function*() {
      for (const [query, parameter] of [
        [`code=a&code=b&state=${state}`, "code"],
        [`code=a&state=${state}&state=${state}`, "state"],
        [`code=a&state=${state}&iss=${issuer}&iss=${issuer}`, "iss"]
      ] as const) {
        const error = yield* Effect.flip(Callback.parse(callback(query), request()))
        expect(error).toMatchObject({ _tag: "InvalidCallback", reason: "DuplicateParameter", parameter })
      }
    }))

  it.effect("fails with InvalidCallback InvalidUrl for a string that is not a URL", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Callback.parse("http://[oops", request()))
      expect(error).toMatchObject({ _tag: "InvalidCallback", reason: "InvalidUrl" })
    }))

  describe("RFC 9207 iss", () => {
    it.effect("accepts a matching iss and returns it", () =>
      Effect.gen(function*() {
        const response = yield* Callback.parse(
          new URLSearchParams({ code: "abc", state, iss: issuer }),
          request({ issuer, issRequired: true })
        )
        expect(response.iss).toBe(issuer)
      }))

    it.effect("fails with IssuerMismatch when iss names another issuer, even on an error response", () =>
      Effect.gen(function*() {
        for (const params of [
          { code: "abc", state, iss: "https://attacker.example" },
          { error: "access_denied", state, iss: "https://attacker.example" },
          { code: "abc", state: "wrong", iss: "https://attacker.example" }
        ]) {
          const error = yield* Effect.flip(Callback.parse(new URLSearchParams(params), request({ issuer })))
          expect(error).toMatchObject({ _tag: "IssuerMismatch", expected: issuer, received: "https://attacker.example" })
        }
      }))

    it.effect("fails with IssuerMismatch when iss is missing and the server advertises it", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          Callback.parse(new URLSearchParams({ code: "abc", state }), request({ issuer, issRequired: true }))
        )
        expect(error).toMatchObject({ _tag: "IssuerMismatch", expected: issuer })
        expect(error.message).toBe(`issuer "${issuer}" expected, none received (RFC 9207)`)
      }))

    it.effect("accepts a missing iss when the server does not advertise it", () =>
      Effect.gen(function*() {
        const response = yield* Callback.parse(new URLSearchParams({ code: "abc", state }), request({ issuer }))
        expect(response.iss).toBeUndefined()
      }))

    it.effect("does not compare iss when the request names no issuer", () =>
      Effect.gen(function*() {
        const response = yield* Callback.parse(
          new URLSearchParams({ code: "abc", state, iss: "https://elsewhere.example" }),
          request()
        )
        expect(response.iss).toBe("https://elsewhere.example")
      }))
  })
})
