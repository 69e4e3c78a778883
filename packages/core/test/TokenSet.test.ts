import { TokenSet } from "@effect-oauth/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Redacted, Schema } from "effect"

const t0 = Date.UTC(2025, 0, 15, 12, 0, 0)
const hour = 3_600_000

const token = (fields: Partial<Parameters<typeof TokenSet.make>[0]> = {}) =>
  TokenSet.make({ accessToken: "at-1", issuedAt: t0, ...fields })

const value = (redacted: Redacted.Redacted<string> | undefined) =>
  redacted === undefined ? undefined : Redacted.value(redacted)

describe("TokenSet.make", () => {
  it("wraps credentials in Redacted and fills defaults", () => {
    const tokens = TokenSet.make({ accessToken: "at-1", issuedAt: t0, refreshToken: "rt-1", idToken: "id-1" })
    expect(Redacted.isRedacted(tokens.accessToken)).toBe(true)
    expect(value(tokens.accessToken)).toBe("at-1")
    expect(value(tokens.refreshToken)).toBe("rt-1")
    expect(value(tokens.idToken)).toBe("id-1")
    expect(tokens.tokenType).toBe("Bearer")
    expect(tokens.scopes).toEqual([])
    expect(Redacted.value(tokens.extra)).toEqual({})
    expect(tokens.expiresAt).toBeUndefined()
  })

  it("accepts values that are already Redacted", () => {
    const tokens = TokenSet.make({ accessToken: Redacted.make("at-1"), issuedAt: t0 })
    expect(value(tokens.accessToken)).toBe("at-1")
  })
})

describe("TokenSet construction", () => {
  const full = {
    accessToken: "at-1",
    tokenType: "DPoP",
    issuedAt: t0,
    expiresAt: t0 + hour,
    refreshToken: "rt-1",
    refreshTokenExpiresAt: t0 + 24 * hour,
    scopes: ["openid", "email"],
    idToken: "id-1",
    idTokenClaims: { iss: "https://as.example", sub: "alice", aud: "client", exp: 2, iat: 1 },
    extra: { instance_url: "https://eu.example" }
  }

  it("builds, without validating again, an instance equal to the validating constructor's", () => {
    for (const fields of [{ accessToken: "at-1", issuedAt: t0 }, full]) {
      const made = TokenSet.make(fields)
      const validated = new TokenSet.TokenSet({
        accessToken: made.accessToken,
        tokenType: made.tokenType,
        issuedAt: made.issuedAt,
        ...(made.expiresAt === undefined ? {} : { expiresAt: made.expiresAt }),
        ...(made.refreshToken === undefined ? {} : { refreshToken: made.refreshToken }),
        ...(made.refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt: made.refreshTokenExpiresAt }),
        scopes: made.scopes,
        ...(made.idToken === undefined ? {} : { idToken: made.idToken }),
        ...(made.idTokenClaims === undefined ? {} : { idTokenClaims: made.idTokenClaims }),
        extra: made.extra
      })
      expect(made).toBeInstanceOf(TokenSet.TokenSet)
      expect(Object.getPrototypeOf(made)).toBe(Object.getPrototypeOf(validated))
      expect(TokenSet.encode(made)).toEqual(TokenSet.encode(validated))
      expect(Object.keys(made).sort()).toEqual(Object.keys(validated).sort())
      expect(Schema.is(TokenSet.TokenSet)(made)).toBe(true)
    }
  })

  it.effect("a made TokenSet survives its JSON form, merged ones too", () =>
    Effect.gen(function*() {
      const made = TokenSet.make(full)
      const back = yield* TokenSet.fromJson(TokenSet.toJson(made))
      expect(TokenSet.encode(back)).toEqual(TokenSet.encode(made))
      const merged = TokenSet.merge(made, TokenSet.make({ accessToken: "at-2", issuedAt: t0 + hour }))
      expect(merged).toBeInstanceOf(TokenSet.TokenSet)
      expect(TokenSet.encode(yield* TokenSet.fromJson(TokenSet.toJson(merged)))).toEqual(TokenSet.encode(merged))
    }))

  it("an empty extra record cannot be changed through one token set", () => {
    const first = TokenSet.make({ accessToken: "at-1", issuedAt: t0 })
    expect(() => {
      ;(Redacted.value(first.extra) as Record<string, unknown>)["leak"] = "x"
    }).toThrow(TypeError)
    expect(TokenSet.extraField(TokenSet.make({ accessToken: "at-2", issuedAt: t0 }), "leak")).toBeUndefined()
  })

  it("the class constructor still validates what it is given", () => {
    expect(() =>
      new TokenSet.TokenSet({
        accessToken: "at-1" as unknown as Redacted.Redacted<string>,
        tokenType: "Bearer",
        issuedAt: t0,
        scopes: [],
        extra: Redacted.make({})
      })
    ).toThrow(/accessToken/)
  })
})

describe("TokenSet.merge", () => {
  it("keeps the previous refresh token and its expiry when the response has none (DESIGN invariant 3)", () => {
    const previous = token({ refreshToken: "rt-1", refreshTokenExpiresAt: t0 + 30 * 24 * hour, expiresAt: t0 + hour })
    const next = token({ accessToken: "at-2", issuedAt: t0 + hour, expiresAt: t0 + 2 * hour })
    const merged = TokenSet.merge(previous, next)
    expect(value(merged.accessToken)).toBe("at-2")
    expect(merged.expiresAt).toBe(t0 + 2 * hour)
    expect(value(merged.refreshToken)).toBe("rt-1")
    expect(merged.refreshTokenExpiresAt).toBe(t0 + 30 * 24 * hour)
  })

  it("takes a rotated refresh token with its own expiry", () => {
    const previous = token({ refreshToken: "rt-1", refreshTokenExpiresAt: t0 + hour })
    const next = token({ accessToken: "at-2", refreshToken: "rt-2", refreshTokenExpiresAt: t0 + 9 * hour })
    const merged = TokenSet.merge(previous, next)
    expect(value(merged.refreshToken)).toBe("rt-2")
    expect(merged.refreshTokenExpiresAt).toBe(t0 + 9 * hour)
  })

  it("does not lend the old refresh token's expiry to a rotated token that has none", () => {
    const previous = token({ refreshToken: "rt-1", refreshTokenExpiresAt: t0 + hour, idToken: "id-1" })
    const next = token({ accessToken: "at-2", refreshToken: "rt-2" })
    const merged = TokenSet.merge(previous, next)
    expect(value(merged.refreshToken)).toBe("rt-2")
    expect(merged.refreshTokenExpiresAt).toBeUndefined()
    expect(value(merged.idToken)).toBe("id-1")
  })

  it("drops a refresh-token lifetime that arrived without a refresh token", () => {
    const previous = token({ refreshToken: "rt-1" })
    const next = token({ accessToken: "at-2", refreshTokenExpiresAt: t0 + hour })
    const merged = TokenSet.merge(previous, next)
    expect(value(merged.refreshToken)).toBe("rt-1")
    expect(merged.refreshTokenExpiresAt).toBeUndefined()
  })

  it("keeps the previous ID token when the response has none, and takes a new one", () => {
    const previous = token({ idToken: "id-1" })
    expect(value(TokenSet.merge(previous, token({ accessToken: "at-2" })).idToken)).toBe("id-1")
    expect(value(TokenSet.merge(previous, token({ accessToken: "at-2", idToken: "id-2" })).idToken)).toBe("id-2")
  })

  it("keeps the validated claims with the ID token they belong to, and never lends them to a new one", () => {
    const claims = { iss: "https://op.example", sub: "user-1", aud: "c", exp: 2, iat: 1 }
    const previous = token({ idToken: "id-1", idTokenClaims: claims })
    expect(TokenSet.claims(TokenSet.merge(previous, token({ accessToken: "at-2" })))).toEqual(claims)
    expect(TokenSet.claims(TokenSet.merge(previous, token({ accessToken: "at-2", idToken: "id-2" })))).toBeUndefined()
  })

  it("returns the response unchanged when there is nothing to keep", () => {
    const next = token({ accessToken: "at-2", refreshToken: "rt-2" })
    expect(TokenSet.merge(token(), next)).toBe(next)
  })

  it.prop(
    "never loses the newest refresh token (DESIGN invariant 3)",
    {
      previousRefresh: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
      nextRefresh: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
      previousId: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
      nextId: fc.option(fc.string({ minLength: 1 }), { nil: undefined })
    },
    ({ nextId, nextRefresh, previousId, previousRefresh }) => {
      const merged = TokenSet.merge(
        token({ accessToken: "at-1", refreshToken: previousRefresh, idToken: previousId }),
        token({ accessToken: "at-2", refreshToken: nextRefresh, idToken: nextId })
      )
      expect(value(merged.accessToken)).toBe("at-2")
      expect(value(merged.refreshToken)).toBe(nextRefresh ?? previousRefresh)
      expect(value(merged.idToken)).toBe(nextId ?? previousId)
    }
  )
})

describe("TokenSet refresh margin", () => {
  it("scales with the lifetime: a 59 s token is not due the moment it arrives", () => {
    const short = token({ expiresAt: t0 + 59_000 })
    expect(TokenSet.refreshMarginMillis(short)).toBeCloseTo(5_900, 6)
    expect(TokenSet.needsRefresh(short, t0)).toBe(false)
  })

  it("is capped at 60 s: a 1 h token is due 60 s before expiry", () => {
    const long = token({ expiresAt: t0 + hour })
    expect(TokenSet.refreshMarginMillis(long)).toBe(60_000)
    expect(TokenSet.refreshAt(long)).toBe(t0 + hour - 60_000)
  })

  it("is zero and never due for a token without expiry", () => {
    const forever = token()
    expect(TokenSet.refreshMarginMillis(forever)).toBe(0)
    expect(TokenSet.refreshAt(forever)).toBeUndefined()
    expect(TokenSet.needsRefresh(forever, t0 + 100 * 365 * 24 * hour)).toBe(false)
  })

  it("is due at once for a token with expires_in 0", () => {
    expect(TokenSet.needsRefresh(token({ expiresAt: t0 }), t0)).toBe(true)
  })

  it("honours a custom fraction and cap", () => {
    const long = token({ expiresAt: t0 + hour })
    expect(TokenSet.refreshMarginMillis(long, { fraction: 0.5, max: "10 minutes" })).toBe(600_000)
    expect(TokenSet.refreshMarginMillis(long, { fraction: 0.05 })).toBe(60_000)
    expect(TokenSet.refreshMarginMillis(long, { fraction: 0.01 })).toBe(36_000)
  })

  // Boundary rows in the manner of golang/oauth2 token_test.go: exactly at the
  // margin the token is due, one millisecond earlier it is not.
  const boundaries = [
    { name: "1 h token", lifetime: hour, margin: 60_000 },
    { name: "59 s token", lifetime: 59_000, margin: 5_900 },
    { name: "10 min token", lifetime: 600_000, margin: 60_000 },
    { name: "5 min token", lifetime: 300_000, margin: 30_000 },
    { name: "60-day token", lifetime: 60 * 24 * hour, margin: 60_000 }
  ]
  for (const row of boundaries) {
    it(`${row.name}: due exactly ${row.margin} ms before expiry, not 1 ms earlier`, () => {
      const tokens = token({ expiresAt: t0 + row.lifetime })
      const expiresAt = t0 + row.lifetime
      expect(TokenSet.needsRefresh(tokens, expiresAt - row.margin)).toBe(true)
      expect(TokenSet.needsRefresh(tokens, expiresAt - row.margin - 1)).toBe(false)
      expect(TokenSet.isExpired(tokens, expiresAt - row.margin)).toBe(false)
    })
  }

  it.prop(
    "the margin is at most 10% of the lifetime and at most 60 s, so a fresh token is never due at issue",
    { lifetime: fc.integer({ min: 1, max: 10 * 365 * 24 * 3_600_000 }) },
    ({ lifetime }) => {
      const tokens = token({ expiresAt: t0 + lifetime })
      const margin = TokenSet.refreshMarginMillis(tokens)
      expect(margin).toBeLessThanOrEqual(Math.min(60_000, lifetime * 0.1))
      expect(TokenSet.needsRefresh(tokens, t0)).toBe(false)
      expect(TokenSet.needsRefresh(tokens, t0 + lifetime)).toBe(true)
    }
  )
})

describe("TokenSet.isExpired", () => {
  it("is expired exactly at expiresAt and not 1 ms before", () => {
    const tokens = token({ expiresAt: t0 + hour })
    expect(TokenSet.isExpired(tokens, t0 + hour)).toBe(true)
    expect(TokenSet.isExpired(tokens, t0 + hour - 1)).toBe(false)
  })

  it("never expires by time without expiresAt", () => {
    expect(TokenSet.isExpired(token(), Number.MAX_SAFE_INTEGER)).toBe(false)
  })

  it("tells when the refresh token itself has lapsed", () => {
    const tokens = token({ refreshToken: "rt-1", refreshTokenExpiresAt: t0 + hour })
    expect(TokenSet.isRefreshTokenExpired(tokens, t0 + hour)).toBe(true)
    expect(TokenSet.isRefreshTokenExpired(tokens, t0 + hour - 1)).toBe(false)
    expect(TokenSet.isRefreshTokenExpired(token({ refreshToken: "rt-1" }), Number.MAX_SAFE_INTEGER)).toBe(false)
  })
})

const optional = <A>(arbitrary: fc.Arbitrary<A>) => fc.option(arbitrary, { nil: undefined })
const time = fc.integer({ min: 0, max: 2 ** 45 })

const tokenSets: fc.Arbitrary<TokenSet.TokenSet> = fc
  .record({
    accessToken: fc.string({ minLength: 1 }),
    tokenType: fc.oneof(fc.constantFrom("Bearer", "DPoP"), fc.string()),
    issuedAt: time,
    expiresAt: optional(time),
    refreshToken: optional(fc.string()),
    refreshTokenExpiresAt: optional(fc.double({ noNaN: true, noDefaultInfinity: true, min: 0 })),
    scopes: fc.array(fc.string()),
    idToken: optional(fc.string()),
    extra: fc.dictionary(fc.string(), fc.jsonValue())
  })
  .map((fields) => TokenSet.make(fields))

describe("TokenSet.toJson / fromJson", () => {
  it.effect.prop(
    "round-trips losslessly: fromJson(toJson(t)) encodes to the same blob and holds the same credentials",
    [tokenSets],
    ([tokens]) =>
      Effect.gen(function*() {
        const blob = TokenSet.toJson(tokens)
        const back = yield* TokenSet.fromJson(blob)
        expect(TokenSet.toJson(back)).toBe(blob)
        expect(value(back.accessToken)).toBe(value(tokens.accessToken))
        expect(value(back.refreshToken)).toBe(value(tokens.refreshToken))
        expect(value(back.idToken)).toBe(value(tokens.idToken))
        expect(back.expiresAt).toBe(tokens.expiresAt)
        expect(back.scopes).toEqual(tokens.scopes)
        const fromEncoded = yield* TokenSet.fromJson(TokenSet.encode(tokens))
        expect(TokenSet.toJson(fromEncoded)).toBe(blob)
      }),
    { fastCheck: { numRuns: 200 } }
  )

  it("writes credentials in clear in the blob (it is the storage form)", () => {
    const blob = TokenSet.toJson(token({ refreshToken: "rt-1" }))
    expect(JSON.parse(blob)).toMatchObject({ accessToken: "at-1", refreshToken: "rt-1", issuedAt: t0 })
  })

  it.effect("fails with InvalidTokenBlob naming no value for invalid JSON", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(TokenSet.fromJson("{\"accessToken\":\"SECRET-blob-1"))
      expect(error._tag).toBe("InvalidTokenBlob")
      expect(error.paths).toEqual([])
      expect(error.message).toBe("token blob is not valid JSON")
      expect(JSON.stringify(error)).not.toContain("SECRET")
    }))

  it.effect("fails with InvalidTokenBlob for JSON that is not an object", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(TokenSet.fromJson("null"))
      expect(error.paths).toEqual([])
    }))

  it.effect("names the offending paths, never the values", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        TokenSet.fromJson(JSON.stringify({ accessToken: "SECRET-blob-2", tokenType: 5, refreshToken: 7, scopes: ["a", 1] }))
      )
      expect(error.paths).toEqual(expect.arrayContaining(["tokenType", "issuedAt", "refreshToken", "scopes.1", "extra"]))
      expect(error.message).toContain("\"tokenType\"")
      for (const rendered of [error.message, String(error), JSON.stringify(error)]) {
        expect(rendered).not.toContain("SECRET-blob-2")
      }
    }))
})
