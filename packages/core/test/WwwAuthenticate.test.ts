import { WwwAuthenticate } from "@effect-oauth/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"

interface Row {
  readonly name: string
  readonly source: string
  readonly header: string
  readonly expected: ReadonlyArray<{
    readonly scheme: string
    readonly params?: Record<string, string>
    readonly token68?: string
  }>
}

const rows: ReadonlyArray<Row> = [
  {
    name: "a bare Bearer challenge with a realm",
    source: "https://www.rfc-editor.org/rfc/rfc6750#section-3",
    header: `Bearer realm="example"`,
    expected: [{ scheme: "Bearer", params: { realm: "example" } }]
  },
  {
    name: "invalid_token with a description",
    source: "https://www.rfc-editor.org/rfc/rfc6750#section-3",
    header: `Bearer realm="example", error="invalid_token", error_description="The access token expired"`,
    expected: [{
      scheme: "Bearer",
      params: { realm: "example", error: "invalid_token", error_description: "The access token expired" }
    }]
  },
  {
    name: "a scheme without parameters",
    source: "https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1",
    header: "Bearer",
    expected: [{ scheme: "Bearer" }]
  },
  {
    name: "token values and spaces around the equals sign (BWS)",
    source: "https://www.rfc-editor.org/rfc/rfc9110#section-11.2",
    header: "Bearer error = invalid_token ,scope=\"a b\"",
    expected: [{ scheme: "Bearer", params: { error: "invalid_token", scope: "a b" } }]
  },
  {
    name: "several challenges in one header, the RFC 9110 example",
    source: "https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1",
    header: `Basic realm="simple", Newauth realm="apps", type=1, title="Login to \\"apps\\""`,
    expected: [
      { scheme: "Basic", params: { realm: "simple" } },
      { scheme: "Newauth", params: { realm: "apps", type: "1", title: `Login to "apps"` } }
    ]
  },
  {
    name: "DPoP and Bearer challenges side by side",
    source: "https://www.rfc-editor.org/rfc/rfc9449#section-7.1",
    header: `DPoP algs="ES256 PS256", error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", Bearer realm="api"`,
    expected: [
      {
        scheme: "DPoP",
        params: {
          algs: "ES256 PS256",
          error: "use_dpop_nonce",
          error_description: "Resource server requires nonce in DPoP proof"
        }
      },
      { scheme: "Bearer", params: { realm: "api" } }
    ]
  },
  {
    name: "resource_metadata of a protected resource",
    source: "https://www.rfc-editor.org/rfc/rfc9728#section-5.1",
    header: `Bearer resource_metadata="https://resource.example.com/.well-known/oauth-protected-resource"`,
    expected: [{
      scheme: "Bearer",
      params: { resource_metadata: "https://resource.example.com/.well-known/oauth-protected-resource" }
    }]
  },
  {
    name: "token68 with padding, then another challenge",
    source: "https://www.rfc-editor.org/rfc/rfc9110#section-11.2",
    header: "Negotiate a87421000492aa874209af8bc028==, Bearer",
    expected: [{ scheme: "Negotiate", token68: "a87421000492aa874209af8bc028==" }, { scheme: "Bearer" }]
  },
  {
    name: "token68 with slash and plus characters",
    source: "https://www.rfc-editor.org/rfc/rfc9110#section-11.2",
    header: "Custom ab/c+d",
    expected: [{ scheme: "Custom", token68: "ab/c+d" }]
  },
  {
    name: "parameter names lower-cased, empty list elements skipped",
    source: "https://www.rfc-editor.org/rfc/rfc9110#section-5.6.1",
    header: ` , Bearer Realm="x",, ERROR="insufficient_scope" ,`,
    expected: [{ scheme: "Bearer", params: { realm: "x", error: "insufficient_scope" } }]
  },
  {
    name: "an empty quoted string and a comma inside quotes",
    source: "https://www.rfc-editor.org/rfc/rfc9110#section-5.6.4",
    header: `Bearer realm="", error_description="a, b"`,
    expected: [{ scheme: "Bearer", params: { realm: "", error_description: "a, b" } }]
  },
  { name: "an empty header", source: "https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1", header: "", expected: [] }
]

interface BadRow {
  readonly name: string
  readonly header: string
  readonly reason: WwwAuthenticate.InvalidChallenge["reason"]
  readonly position: number
}

const bad: ReadonlyArray<BadRow> = [
  { name: "an unterminated quoted string", header: `Bearer realm="api`, reason: "UnterminatedString", position: 13 },
  { name: "a parameter without a value", header: `Bearer error="x", realm=`, reason: "MissingValue", position: 24 },
  { name: "a parameter after a token68", header: `Bearer realm=, error="x"`, reason: "MissingScheme", position: 15 },
  { name: "a parameter twice in a challenge", header: `Bearer error="a", error="b"`, reason: "DuplicateParameter", position: 27 },
  { name: "a parameter before any scheme", header: `realm="api"`, reason: "MissingScheme", position: 0 },
  { name: "a quote right after the scheme", header: `Bearer"x"`, reason: "UnexpectedCharacter", position: 6 },
  { name: "garbage after a value", header: `Bearer realm="a" b`, reason: "UnexpectedCharacter", position: 17 },
  { name: "a control character in a quoted string", header: "Bearer realm=\"a\u0001\"", reason: "UnterminatedString", position: 13 },
  { name: "a lone separator", header: "@", reason: "UnexpectedCharacter", position: 0 }
]

describe("WwwAuthenticate / parse", () => {
  for (const row of rows) {
    it.effect(`reads ${row.name} (${row.source})`, () =>
      Effect.gen(function*() {
        const challenges = yield* WwwAuthenticate.parse(row.header)
        expect(challenges.map((c) => ({
          scheme: c.scheme,
          ...(Object.keys(c.params).length === 0 ? {} : { params: c.params }),
          ...(c.token68 === undefined ? {} : { token68: c.token68 })
        }))).toEqual(row.expected)
      }))
  }

  for (const row of bad) {
    it(`fails with InvalidChallenge ${row.reason} for ${row.name}`, () => {
      const result = WwwAuthenticate.parse(row.header)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left).toMatchObject({ _tag: "InvalidChallenge", reason: row.reason, position: row.position })
      }
    })
  }

  it("names neither the header nor a value in its message", () => {
    const result = WwwAuthenticate.parse(`Bearer error="secret-ish", error="again"`)
    const error = Either.getLeft(result).pipe(Option.getOrThrow)
    expect(error.message).toBe("malformed WWW-Authenticate header: DuplicateParameter at offset 40 (RFC 9110 §11.6.1)")
    expect(JSON.stringify(error)).not.toContain("secret-ish")
  })

  it.effect("exposes the RFC 6750 and RFC 9728 parameters as fields", () =>
    Effect.gen(function*() {
      const [challenge] = yield* WwwAuthenticate.parse(
        `Bearer realm="api", error="insufficient_scope", error_description="needs write", error_uri="https://api.example/errors", scope="api:read  api:write", resource_metadata="https://api.example/.well-known/oauth-protected-resource"`
      )
      expect(challenge).toBeDefined()
      expect(challenge!.realm).toBe("api")
      expect(challenge!.error).toBe("insufficient_scope")
      expect(challenge!.errorDescription).toBe("needs write")
      expect(challenge!.errorUri).toBe("https://api.example/errors")
      expect(challenge!.scope).toEqual(["api:read", "api:write"])
      expect(challenge!.resourceMetadata).toBe("https://api.example/.well-known/oauth-protected-resource")
    }))
})

describe("WwwAuthenticate / find and fromHeaders", () => {
  it.effect("finds a challenge by scheme, case-insensitively", () =>
    Effect.gen(function*() {
      const challenges = yield* WwwAuthenticate.parse(`Basic realm="a", dpop error="use_dpop_nonce"`)
      expect(Option.map(WwwAuthenticate.find(challenges, "DPoP"), (c) => c.error)).toEqual(Option.some("use_dpop_nonce"))
      expect(Option.isNone(WwwAuthenticate.find(challenges, "Bearer"))).toBe(true)
    }))

  it.effect("reads the www-authenticate header of a response, none when absent", () =>
    Effect.gen(function*() {
      expect(yield* WwwAuthenticate.fromHeaders({})).toEqual([])
      const challenges = yield* WwwAuthenticate.fromHeaders({ "www-authenticate": `Bearer error="invalid_token"` })
      expect(challenges.map((c) => c.error)).toEqual(["invalid_token"])
    }))
})
