import { IdToken } from "@effect-oauth/core"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock } from "effect"
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from "jose"
import type { CryptoKey as JoseKey, JWTPayload } from "jose"

// Tokens crafted with jose and verified against local key sets: the shapes a
// server would not produce on request (alg none, a bad signature, wrong claims).

const issuer = "https://op.example.com"
const clientId = "client-1"
const t0 = Date.UTC(2025, 0, 15, 12, 0, 0)
const seconds = (ms: number) => Math.floor(ms / 1000)

interface Signer {
  readonly kid: string
  readonly alg: string
  readonly privateKey: JoseKey
  readonly jwk: IdToken.Jwk
}

const generate = async (kid: string, alg: "RS256" | "ES256" = "RS256"): Promise<Signer> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid, use: "sig", alg }
  return { kid, alg, privateKey, jwk: jwk as IdToken.Jwk }
}

// RSA key generation is slow: each key once per file.
const generated = new Map<string, Signer>(
  await Promise.all(
    (["key-a", "key-b", "made-up"] as const).map(async (kid) => [kid, await generate(kid)] as const)
  )
)
const impostorKey = await generate("key-a")

const signer = (kid: string, alg: "RS256" | "ES256" = "RS256"): Effect.Effect<Signer> =>
  alg === "RS256" && generated.has(kid) ? Effect.succeed(generated.get(kid)!) : Effect.promise(() => generate(kid, alg))

const baseClaims = (): JWTPayload => ({
  iss: issuer,
  sub: "user-1",
  aud: clientId,
  iat: seconds(t0),
  exp: seconds(t0) + 300,
  nonce: "n-0S6_WzA2Mj"
})

const sign = (key: Signer, claims: JWTPayload = baseClaims(), header: Record<string, unknown> = {}) =>
  Effect.promise(() =>
    new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey)
  ).pipe(Effect.map(Redacted.make))

const options = (keys: IdToken.KeySet, extra: Partial<IdToken.ValidateOptions> = {}): IdToken.ValidateOptions => ({
  issuer,
  clientId,
  keys,
  nonce: Redacted.make("n-0S6_WzA2Mj"),
  ...extra
})

const reasonOf = (token: Redacted.Redacted<string>, opts: IdToken.ValidateOptions) =>
  Effect.map(Effect.flip(IdToken.validate(token, opts)), (error) => error._tag === "IdTokenInvalid" ? error.reason : error._tag)

const setup = Effect.gen(function*() {
  yield* TestClock.setTime(t0)
  const a = yield* signer("key-a")
  return { a, keys: IdToken.localKeySet({ keys: [a.jwk] }) }
})

describe("IdToken / validate", () => {
  it.effect("returns the claims of a valid token", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      const claims = yield* IdToken.validate(yield* sign(a, { ...baseClaims(), email: "u@example.com" }), options(keys))
      expect(claims).toMatchObject({ iss: issuer, sub: "user-1", aud: clientId, nonce: "n-0S6_WzA2Mj", email: "u@example.com" })
    }))

  it.effect("refuses alg none, even when the allowed algorithms name it", () =>
    Effect.gen(function*() {
      const { keys } = yield* setup
      const unsigned = Redacted.make(new UnsecuredJWT(baseClaims()).encode())
      expect(yield* reasonOf(unsigned, options(keys))).toBe("AlgorithmNone")
      expect(yield* reasonOf(unsigned, options(keys, { algorithms: ["none", "RS256"] }))).toBe("AlgorithmNone")
    }))

  it.effect("refuses a tampered payload and a tampered signature (SignatureInvalid)", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      const [header, payload, signature] = Redacted.value(yield* sign(a)).split(".")
      const forged = Buffer.from(JSON.stringify({ ...baseClaims(), sub: "admin" })).toString("base64url")
      expect(yield* reasonOf(Redacted.make(`${header}.${forged}.${signature}`), options(keys))).toBe("SignatureInvalid")
      const flipped = `${signature!.slice(0, -2)}${signature!.endsWith("AA") ? "BB" : "AA"}`
      expect(yield* reasonOf(Redacted.make(`${header}.${payload}.${flipped}`), options(keys))).toBe("SignatureInvalid")
    }))

  it.effect("refuses a token signed by another key under the same kid (SignatureInvalid)", () =>
    Effect.gen(function*() {
      const { keys } = yield* setup
      const impostor = impostorKey
      expect(yield* reasonOf(yield* sign(impostor), options(keys))).toBe("SignatureInvalid")
    }))

  it.effect("refuses an algorithm that is not allowed (UnsupportedAlgorithm)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(t0)
      const e = yield* signer("key-e", "ES256")
      const keys = IdToken.localKeySet({ keys: [e.jwk] })
      const token = yield* sign(e)
      expect(yield* reasonOf(token, options(keys))).toBe("UnsupportedAlgorithm")
      expect((yield* IdToken.validate(token, options(keys, { algorithms: ["ES256"] }))).sub).toBe("user-1")
    }))

  it.effect("refuses a wrong aud, several audiences without azp, and an azp of another client", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      expect(yield* reasonOf(yield* sign(a, { ...baseClaims(), aud: "other" }), options(keys))).toBe("AudienceMismatch")
      expect(
        yield* reasonOf(yield* sign(a, { ...baseClaims(), aud: [clientId, "api"] }), options(keys, { trustedAudiences: ["api"] }))
      ).toBe("AuthorizedPartyMismatch")
      expect(yield* reasonOf(yield* sign(a, { ...baseClaims(), azp: "other" }), options(keys))).toBe("AuthorizedPartyMismatch")
      // OpenID Connect Core §3.1.3.7 (3): another audience only when trusted (issue 17).
      expect(yield* reasonOf(yield* sign(a, { ...baseClaims(), aud: [clientId, "api"], azp: clientId }), options(keys)))
        .toBe("AudienceMismatch")
      const several = yield* IdToken.validate(
        yield* sign(a, { ...baseClaims(), aud: [clientId, "api"], azp: clientId }),
        options(keys, { trustedAudiences: ["api"] })
      )
      expect(several.aud).toEqual([clientId, "api"])
    }))

  it.effect("refuses another issuer (IssuerMismatch)", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      expect(yield* reasonOf(yield* sign(a, { ...baseClaims(), iss: "https://evil.example" }), options(keys))).toBe("IssuerMismatch")
    }))

  it.effect("accepts a token until exp + clock skew, refuses it from then on (Expired)", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      const token = yield* sign(a)
      const opts = options(keys, { clockSkew: "10 seconds" })
      yield* TestClock.adjust(`${300_000 + 10_000 - 1} millis`)
      expect((yield* IdToken.validate(token, opts)).sub).toBe("user-1")
      yield* TestClock.adjust("1 millis")
      expect(yield* reasonOf(token, opts)).toBe("Expired")
    }))

  it.effect("refuses iat or nbf further in the future than the clock skew", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      const opts = options(keys, { clockSkew: "30 seconds" })
      expect((yield* IdToken.validate(yield* sign(a, { ...baseClaims(), iat: seconds(t0) + 30 }), opts)).sub).toBe("user-1")
      expect(yield* reasonOf(yield* sign(a, { ...baseClaims(), iat: seconds(t0) + 31 }), opts)).toBe("IssuedInFuture")
      expect(yield* reasonOf(yield* sign(a, { ...baseClaims(), nbf: seconds(t0) + 31 }), opts)).toBe("NotYetValid")
    }))

  it.effect("refuses a wrong or missing nonce when one was sent (NonceMismatch)", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      expect(yield* reasonOf(yield* sign(a, { ...baseClaims(), nonce: "other" }), options(keys))).toBe("NonceMismatch")
      const { nonce: _, ...withoutNonce } = baseClaims()
      expect(yield* reasonOf(yield* sign(a, withoutNonce), options(keys))).toBe("NonceMismatch")
    }))

  it.effect("refuses a missing required claim, a token that is not a JWS, and an encrypted token", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      const { sub: _, ...withoutSub } = baseClaims()
      const error = yield* Effect.flip(IdToken.validate(yield* sign(a, withoutSub), options(keys)))
      expect(error).toMatchObject({ _tag: "IdTokenInvalid", reason: "MissingClaim", claim: "sub" })
      expect(yield* reasonOf(Redacted.make("not-a-jwt"), options(keys))).toBe("Malformed")
      expect(yield* reasonOf(Redacted.make("a.b.c.d.e"), options(keys))).toBe("Malformed")
      expect(yield* reasonOf(Redacted.make("%%%.e30.sig"), options(keys))).toBe("Malformed")
    }))

  it.effect("after a refresh, refuses another sub or aud than the first ID token's (OpenID Connect Core §12.2)", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      const first = yield* IdToken.validate(yield* sign(a), options(keys))
      const refreshed = { keys, previous: first }
      const { nonce: _, ...noNonce } = baseClaims()
      const again = yield* IdToken.validate(yield* sign(a, { ...noNonce, iat: seconds(t0) + 1 }), { issuer, clientId, ...refreshed })
      expect(again.sub).toBe("user-1")
      expect(yield* reasonOf(yield* sign(a, { ...noNonce, sub: "user-2" }), { issuer, clientId, ...refreshed })).toBe("SubjectMismatch")
      expect(yield* reasonOf(yield* sign(a, { ...noNonce, aud: [clientId, "x"], azp: clientId }), { issuer, clientId, ...refreshed }))
        .toBe("AudienceMismatch")
    }))

  it.effect("names neither the token nor the nonce in its error", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      const token = yield* sign(a, { ...baseClaims(), nonce: "attacker-nonce" })
      const error = yield* Effect.flip(IdToken.validate(token, options(keys)))
      for (const rendered of [error.message, String(error), JSON.stringify(error)]) {
        expect(rendered).not.toContain(Redacted.value(token).split(".")[1])
        expect(rendered).not.toContain("n-0S6_WzA2Mj")
        expect(rendered).not.toContain("attacker-nonce")
      }
      expect(error.message).toBe(`ID token refused (NonceMismatch) "nonce": differs from the one sent (OpenID Connect Core §3.1.3.7)`)
    }))
})

/** A key set endpoint serving `keys` (changeable), counting its fetches. */
const jwksServer = (initial: ReadonlyArray<IdToken.Jwk>) => {
  const state = { keys: initial, fetches: 0 }
  const client = HttpClient.make((request) =>
    Effect.sync(() => {
      state.fetches++
      return HttpClientResponse.fromWeb(
        request,
        new Response(JSON.stringify({ keys: state.keys }), { status: 200, headers: { "content-type": "application/json" } })
      )
    })
  )
  return { state, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

describe("IdToken / remoteKeySet", () => {
  it.effect("fetches once, then refetches once for an unknown kid (key rotation), at most once per cooldown", () =>
    Effect.gen(function*() {
      const { a } = yield* setup
      const b = yield* signer("key-b")
      const jwks = jwksServer([a.jwk])
      const keys = yield* IdToken.remoteKeySet("https://op.example.com/jwks", { cooldown: "30 seconds" }).pipe(
        Effect.provide(jwks.layer)
      )
      const tokenA = yield* sign(a)
      yield* IdToken.validate(tokenA, options(keys))
      yield* IdToken.validate(tokenA, options(keys))
      expect(jwks.state.fetches).toBe(1)

      jwks.state.keys = [b.jwk]
      yield* TestClock.adjust("31 seconds")
      const tokenB = yield* sign(b, { ...baseClaims(), iat: seconds(t0) + 31 })
      expect((yield* IdToken.validate(tokenB, options(keys))).sub).toBe("user-1")
      expect(jwks.state.fetches).toBe(2)

      // key-a is gone: the set was just fetched, so no second request within the cooldown.
      expect(yield* reasonOf(tokenA, options(keys))).toBe("UnknownKey")
      expect(jwks.state.fetches).toBe(2)
      const unknown = yield* sign(yield* signer("made-up"))
      expect(yield* reasonOf(unknown, options(keys))).toBe("UnknownKey")
      const long = yield* Effect.flip(IdToken.validate(yield* sign(yield* signer("made-up"), baseClaims(), { kid: "k".repeat(500) }), options(keys)))
      expect(long.message).toBe(`ID token refused (UnknownKey): no key "${"k".repeat(40)}…" for RS256 in the issuer's key set (OpenID Connect Core §3.1.3.7)`)
      expect(jwks.state.fetches).toBe(2)

      yield* TestClock.adjust("30 seconds")
      expect(yield* reasonOf(unknown, options(keys))).toBe("UnknownKey")
      expect(jwks.state.fetches).toBe(3)
    }))

  it.effect("fails with ConfigurationError InvalidMetadata for a document without keys", () =>
    Effect.gen(function*() {
      const { a } = yield* setup
      const client = HttpClient.make((request) =>
        Effect.succeed(HttpClientResponse.fromWeb(request, new Response(JSON.stringify({ nope: [] }), { status: 200 })))
      )
      const keys = yield* IdToken.remoteKeySet("https://op.example.com/jwks").pipe(
        Effect.provideService(HttpClient.HttpClient, client)
      )
      const error = yield* Effect.flip(IdToken.validate(yield* sign(a), options(keys)))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidMetadata" })
    }))

  it.effect("refuses a plain http jwks_uri that is not loopback", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(IdToken.remoteKeySet("http://op.example.com/jwks"))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InsecureUrl" })
    }).pipe(Effect.provide(jwksServer([]).layer)))
})

describe("issue 17 / ID token checks", () => {
  it.effect("refuses an empty sub, one over 255 characters and one with non-ASCII characters", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      for (const sub of ["", "u".repeat(256), "usér"]) {
        expect(yield* reasonOf(yield* sign(a, { ...baseClaims(), sub }), options(keys))).toBe("Malformed")
      }
      expect((yield* IdToken.validate(yield* sign(a, { ...baseClaims(), sub: "u".repeat(255) }), options(keys))).sub)
        .toHaveLength(255)
    }))

  it.effect("refuses a JWT access token (typ at+jwt, RFC 9068) presented as an ID token", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      for (const typ of ["at+jwt", "application/at+jwt", "AT+JWT"]) {
        expect(yield* reasonOf(yield* sign(a, baseClaims(), { typ }), options(keys))).toBe("Malformed")
      }
    }))

  it.effect("with max_age, requires auth_time and refuses one older than max_age allows", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      const opts = options(keys, { maxAge: "10 minutes", clockSkew: "0 seconds" })
      expect(yield* reasonOf(yield* sign(a), opts)).toBe("MissingClaim")
      expect(yield* reasonOf(yield* sign(a, { ...baseClaims(), auth_time: seconds(t0) - 601 }), opts)).toBe("Expired")
      const fresh = yield* IdToken.validate(yield* sign(a, { ...baseClaims(), auth_time: seconds(t0) - 600 }), opts)
      expect(fresh.auth_time).toBe(seconds(t0) - 600)
    }))

  it.effect("on refresh, azp, auth_time and a present nonce must equal the first ID token's (§12.2)", () =>
    Effect.gen(function*() {
      const { a, keys } = yield* setup
      const first = yield* IdToken.validate(yield* sign(a, { ...baseClaims(), auth_time: seconds(t0) - 5 }), options(keys))
      const refresh = (claims: Record<string, unknown>) =>
        Effect.flatMap(sign(a, { ...baseClaims(), auth_time: seconds(t0) - 5, nonce: undefined, ...claims }), (token) =>
          reasonOf(token, options(keys, { nonce: undefined, previous: first, trustedAudiences: ["api"] })))
      expect(yield* refresh({ auth_time: seconds(t0) - 1 })).toBe("AuthTimeMismatch")
      expect(yield* refresh({ aud: [clientId, "api"], azp: clientId })).toBe("AudienceMismatch")
      expect(yield* refresh({ azp: clientId })).toBe("AuthorizedPartyMismatch")
      expect(yield* refresh({ nonce: "other" })).toBe("NonceMismatch")
      const ok = yield* IdToken.validate(
        yield* sign(a, { ...baseClaims(), auth_time: seconds(t0) - 5, nonce: undefined }),
        options(keys, { nonce: undefined, previous: first })
      )
      expect(ok.sub).toBe(first.sub)
    }))
})

describe("issue 17 / remoteKeySet cache", () => {
  it.effect("finds a key rotated within the cooldown of the first fetch: only unknown-kid refetches count", () =>
    Effect.gen(function*() {
      const { a } = yield* setup
      const b = yield* signer("key-b")
      const jwks = jwksServer([a.jwk])
      const keys = yield* IdToken.remoteKeySet("https://op.example.com/jwks", { cooldown: "30 seconds" }).pipe(
        Effect.provide(jwks.layer)
      )
      yield* IdToken.validate(yield* sign(a), options(keys))
      jwks.state.keys = [a.jwk, b.jwk]
      yield* TestClock.adjust("5 seconds")
      const tokenB = yield* sign(b, { ...baseClaims(), iat: seconds(t0) + 5 })
      expect((yield* IdToken.validate(tokenB, options(keys))).sub).toBe("user-1")
      expect(jwks.state.fetches).toBe(2)
    }))

  it.effect("fetches the set again once its lifetime has passed, without an unknown kid", () =>
    Effect.gen(function*() {
      const { a } = yield* setup
      const jwks = jwksServer([a.jwk])
      const keys = yield* IdToken.remoteKeySet("https://op.example.com/jwks", { cacheLifetime: "1 minute" }).pipe(
        Effect.provide(jwks.layer)
      )
      yield* IdToken.validate(yield* sign(a), options(keys))
      yield* TestClock.adjust("59 seconds")
      yield* IdToken.validate(yield* sign(a, { ...baseClaims(), iat: seconds(t0) + 59 }), options(keys))
      expect(jwks.state.fetches).toBe(1)
      yield* TestClock.adjust("1 second")
      yield* IdToken.validate(yield* sign(a, { ...baseClaims(), iat: seconds(t0) + 60 }), options(keys))
      expect(jwks.state.fetches).toBe(2)
    }))
})
