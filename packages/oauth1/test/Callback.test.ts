import { Callback, TemporaryCredentials } from "@effect-oauth/oauth1"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"

// RFC 5849 §1.2 and §2.2.
const temporary = TemporaryCredentials.make({
  token: "hh5s93j4hdidpola",
  tokenSecret: "hdhd0244k9j7ao03",
  callback: "http://printer.example.com/ready"
})

describe("Callback / parse", () => {
  it.effect("reads oauth_token and oauth_verifier from the §1.2 callback URL", () =>
    Effect.gen(function*() {
      const verifier = yield* Callback.parse(
        "http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola&oauth_verifier=hfdp7dh39dks9884",
        temporary
      )
      expect(Redacted.value(verifier.verifier)).toBe("hfdp7dh39dks9884")
      expect(Redacted.value(verifier.token)).toBe("hh5s93j4hdidpola")
      expect(String(verifier.verifier)).toBe("<redacted>")
    }))

  it.effect("reads a path with a query (an incoming request's url), a URL and URLSearchParams", () =>
    Effect.gen(function*() {
      const query = "x=1&oauth_token=hh5s93j4hdidpola&oauth_verifier=473f82d3"
      for (const input of [`/cb?${query}`, new URL(`http://client.example.net/cb?${query}`), new URLSearchParams(query)]) {
        const verifier = yield* Callback.parse(input, temporary)
        expect(Redacted.value(verifier.verifier)).toBe("473f82d3")
      }
    }))

  it.effect("fails with TokenMismatch when the callback names other temporary credentials", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Callback.parse("http://printer.example.com/ready?oauth_token=hh5s93j4hdidpolb&oauth_verifier=v", temporary)
      )
      expect(error._tag).toBe("TokenMismatch")
      expect(error.message).toBe(
        "callback oauth_token differs from the temporary credentials it is used with (RFC 5849 §2.2)"
      )
      expect(error.message).not.toContain("hh5s93j4hdidpol")
    }))

  const malformed: ReadonlyArray<{ readonly name: string; readonly url: string; readonly reason: string; readonly parameter?: string }> = [
    { name: "no oauth_verifier", url: "/cb?oauth_token=hh5s93j4hdidpola", reason: "MissingVerifier" },
    { name: "an empty oauth_verifier", url: "/cb?oauth_token=hh5s93j4hdidpola&oauth_verifier=", reason: "MissingVerifier" },
    { name: "no oauth_token", url: "/cb?oauth_verifier=v", reason: "MissingToken" },
    {
      name: "a repeated oauth_verifier",
      url: "/cb?oauth_token=hh5s93j4hdidpola&oauth_verifier=a&oauth_verifier=b",
      reason: "DuplicateParameter",
      parameter: "oauth_verifier"
    },
    {
      name: "a repeated oauth_token",
      url: "/cb?oauth_token=hh5s93j4hdidpola&oauth_token=x&oauth_verifier=a",
      reason: "DuplicateParameter",
      parameter: "oauth_token"
    },
    { name: "an unparseable URL", url: "http://[::1", reason: "InvalidUrl" }
  ]
  for (const row of malformed) {
    it.effect(`fails with MalformedCallback for ${row.name}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Callback.parse(row.url, temporary))
        expect(error).toMatchObject({
          _tag: "MalformedCallback",
          reason: row.reason,
          ...(row.parameter === undefined ? {} : { parameter: row.parameter })
        })
      }))
  }

  it.effect("reads Twitter/X's denied parameter as AuthorizationDenied", () =>
    Effect.gen(function*() {
      // https://developer.x.com/en/docs/authentication/guides/log-in-with-twitter
      const error = yield* Effect.flip(Callback.parse("/cb?denied=hh5s93j4hdidpola", temporary))
      expect(error).toMatchObject({ _tag: "AuthorizationDenied", error: "user_refused" })
      expect(error.message).toBe("authorization denied: user_refused")
    }))

  it.effect("reads an oauth_problem without a verifier as AuthorizationDenied", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Callback.parse("/cb?oauth_token=hh5s93j4hdidpola&oauth_problem=permission_denied", temporary)
      )
      expect(error).toMatchObject({ _tag: "AuthorizationDenied", error: "permission_denied" })
    }))
})

describe("Callback / outOfBand", () => {
  it("trims a typed-in PIN and binds it to the temporary credentials", () => {
    const verifier = Callback.outOfBand(temporary, "  0384701\n")
    expect(Redacted.value(verifier.verifier)).toBe("0384701")
    expect(verifier.token).toBe(temporary.token)
  })
})
