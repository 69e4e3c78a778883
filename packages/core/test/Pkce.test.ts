import { Pkce } from "@effect-oauth/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"

const base64url43 = /^[A-Za-z0-9_-]{43}$/

describe("Pkce", () => {
  it.effect("computes the S256 challenge of the RFC 7636 Appendix B example", () =>
    Effect.gen(function*() {
      const challenge = yield* Pkce.challengeS256(Redacted.make("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
      expect(challenge).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }))

  it.effect("makes a 43-character base64url verifier (32 random octets, RFC 7636 §4.1) with its S256 challenge", () =>
    Effect.gen(function*() {
      const pkce = yield* Pkce.make()
      expect(Redacted.value(pkce.verifier)).toMatch(base64url43)
      expect(pkce.method).toBe("S256")
      expect(pkce.challenge).toBe(yield* Pkce.challengeS256(pkce.verifier))
      expect(pkce.challenge).toMatch(base64url43)
    }))

  it.effect("returns state, nonce and verifier redacted", () =>
    Effect.gen(function*() {
      for (const value of [yield* Pkce.randomState(), yield* Pkce.randomNonce(), yield* Pkce.randomVerifier()]) {
        expect(String(value)).toBe("<redacted>")
        expect(JSON.stringify({ value })).not.toContain(Redacted.value(value))
        expect(Redacted.value(value)).toMatch(base64url43)
      }
    }))

  it.effect("never repeats a value across 1000 draws", () =>
    Effect.gen(function*() {
      const draws = yield* Effect.all(Array.from({ length: 1000 }, () => Pkce.randomState()))
      expect(new Set(draws.map(Redacted.value)).size).toBe(1000)
    }))
})
