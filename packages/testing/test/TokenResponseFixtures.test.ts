import { TokenResponse } from "@effect-oauth/core"
import * as TokenResponseFixtures from "@effect-oauth/testing/TokenResponseFixtures"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

const row: TokenResponseFixtures.Fixture = {
  name: "RFC 6749 §5.1 example",
  source: "https://www.rfc-editor.org/rfc/rfc6749#section-5.1",
  status: 200,
  headers: TokenResponseFixtures.json,
  body: JSON.stringify({ access_token: "2YotnFZFEjr1zCsicMWpAA", token_type: "example", expires_in: 3600 }),
  // RFC 6749 §7.1: a token type the client does not know is refused unless mapped.
  quirks: { tokenTypes: { example: "example" } },
  expected: {
    _tag: "TokenSet",
    accessToken: "2YotnFZFEjr1zCsicMWpAA",
    tokenType: "example",
    expiresAt: TokenResponseFixtures.after(3600),
    scopes: [],
    extra: {}
  }
}

const parse = (body: string, status = 400) =>
  Effect.either(
    TokenResponse.parse(
      { status, headers: TokenResponseFixtures.json, body },
      { requestedAt: TokenResponseFixtures.requestedAt }
    )
  )

describe("TokenResponseFixtures / checkRows", () => {
  it("accepts unique names with https sources and rejects a repeated name or a non-https source", () => {
    expect(() => TokenResponseFixtures.checkRows([row, { ...row, name: "another" }])).not.toThrow()
    expect(() => TokenResponseFixtures.checkRows([row, row])).toThrow()
    expect(() => TokenResponseFixtures.checkRows([{ ...row, source: "http://example.com/doc" }])).toThrow()
  })
})

describe("TokenResponseFixtures / view", () => {
  it.effect("compares an InvalidTokenResponse excerpt only when the row pins one", () =>
    Effect.gen(function*() {
      const result = yield* parse("{\"error\":{\"message\":\"nested\"}}")
      const unpinned = { _tag: "InvalidTokenResponse", reason: "InvalidField", status: 400, field: "error" } as const
      expect(TokenResponseFixtures.view(result, unpinned)).toEqual(unpinned)
      const pinned = { ...unpinned, excerpt: "JSON fields: nothing" } as const
      expect(TokenResponseFixtures.view(result, pinned)).not.toEqual(pinned)
    }))

  it.effect("shows an OAuthError with its fields and the parse's remedy", () =>
    Effect.gen(function*() {
      const result = yield* parse("{\"error\":\"invalid_grant\",\"error_description\":\"expired\"}")
      expect(TokenResponseFixtures.view(result, row.expected)).toMatchObject({
        _tag: "OAuthError",
        error: "invalid_grant",
        description: "expired",
        status: 400,
        remedy: "reauthorize"
      })
    }))
})

const errorRow = TokenResponseFixtures.oauthError({
  name: "RFC 6749 §5.2 invalid_request with a uri and an extension member",
  source: "https://www.rfc-editor.org/rfc/rfc6749#section-5.2",
  status: 400,
  headers: TokenResponseFixtures.json,
  error: "invalid_request",
  description: "missing code",
  uri: "https://as.example/errors#invalid_request",
  details: { trace_id: "t-1" },
  remedy: "fixConfiguration"
})

describe("TokenResponseFixtures / oauthError", () => {
  it("writes the §5.2 members and the extension members into the body", () => {
    expect(JSON.parse(errorRow.body as string)).toEqual({
      error: "invalid_request",
      error_description: "missing code",
      error_uri: "https://as.example/errors#invalid_request",
      trace_id: "t-1"
    })
  })
})

describe("TokenResponseFixtures / tests", () => {
  TokenResponseFixtures.tests([row, errorRow], { hidden: ["2YotnFZFEjr1zCsicMWpAA"] })
})
