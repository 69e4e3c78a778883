import { TokenResponse } from "@effect-oauth/core"
import type { OAuthError, TokenSet } from "@effect-oauth/core"
import { expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import type * as TokenResponseFixtures from "../TokenResponseFixtures.js"

/** @internal */
export const requestedAt = Date.UTC(2025, 0, 15, 12, 0, 0)

/** @internal */
export const after = (seconds: number): number => requestedAt + seconds * 1000

/** @internal */
export const httpDate = (seconds: number): string => new Date(after(seconds)).toUTCString()

const unredact = (value: unknown): unknown => {
  if (Redacted.isRedacted(value)) return { redacted: Redacted.value(value) }
  if (Array.isArray(value)) return value.map(unredact)
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, unredact(item)]))
  }
  return value
}

// toEqual treats an undefined property as absent, so absent fields need no filtering
/** @internal */
export const view = (
  result: Either.Either<TokenSet.TokenSet, OAuthError.OAuthError | OAuthError.InvalidTokenResponse>,
  expected: TokenResponseFixtures.Expected
): Record<string, unknown> => {
  if (Either.isRight(result)) {
    const tokens = result.right
    return {
      _tag: "TokenSet",
      accessToken: Redacted.value(tokens.accessToken),
      tokenType: tokens.tokenType,
      expiresAt: tokens.expiresAt,
      refreshToken: tokens.refreshToken === undefined ? undefined : Redacted.value(tokens.refreshToken),
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
      scopes: tokens.scopes,
      idToken: tokens.idToken === undefined ? undefined : Redacted.value(tokens.idToken),
      extra: Redacted.value(tokens.extra)
    }
  }
  const error = result.left
  if (error._tag === "OAuthError") {
    return {
      _tag: error._tag,
      error: error.error,
      description: error.description,
      uri: error.uri,
      status: error.status,
      remedy: error.remedy,
      retryAfter: error.retryAfter,
      details: unredact(error.details)
    }
  }
  return {
    _tag: error._tag,
    reason: error.reason,
    status: error.status,
    field: error.field,
    retryAfter: error.retryAfter,
    excerpt: expected._tag === "InvalidTokenResponse" && expected.excerpt !== undefined ? error.excerpt : undefined
  }
}

/** @internal */
export const oauthError = (row: TokenResponseFixtures.OAuthErrorRow): TokenResponseFixtures.Fixture => ({
  name: row.name,
  source: row.source,
  status: row.status,
  headers: row.headers,
  body: JSON.stringify({ error: row.error, error_description: row.description, error_uri: row.uri, ...row.details }),
  expected: {
    _tag: "OAuthError",
    error: row.error,
    ...(row.description === undefined ? {} : { description: row.description }),
    ...(row.uri === undefined ? {} : { uri: row.uri }),
    status: row.status,
    remedy: row.remedy,
    ...(row.details === undefined ? {} : { details: row.details })
  }
})

/** @internal */
export const checkRows = (rows: ReadonlyArray<TokenResponseFixtures.Fixture>): void => {
  expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length)
  for (const row of rows) expect(row.source).toMatch(/^https:\/\/\S+$/)
}

/** @internal */
export const tests = (
  rows: ReadonlyArray<TokenResponseFixtures.Fixture>,
  options: TokenResponseFixtures.Options = {}
): void => {
  for (const row of rows) {
    it.effect(`${row.name} (HTTP ${row.status})`, () =>
      Effect.gen(function*() {
        const result = yield* Effect.either(
          TokenResponse.parse(
            { status: row.status, headers: row.headers, body: row.body },
            {
              requestedAt,
              quirks: row.quirks ?? options.quirks,
              requestedScopes: row.requestedScopes,
              useDateHeader: row.useDateHeader
            }
          )
        )
        expect(view(result, row.expected)).toEqual(row.expected)
        if (Either.isLeft(result) && options.hidden !== undefined) {
          const rendered = `${result.left.message}\n${JSON.stringify(result.left)}`
          for (const secret of options.hidden) expect(rendered).not.toContain(secret)
        }
      }))
  }
}
