/**
 * Shape suites: token endpoint responses as a provider documents them, each row
 * with its documentation URL, run through `TokenResponse.parse` with the quirks of
 * that provider's preset (never quirks written in the test).
 */
import { TokenResponse } from "@effect-oauth/core"
import type { Provider } from "@effect-oauth/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import type { OAuthError, TokenSet } from "@effect-oauth/core"

/** When every row's request was sent: 2025-01-15T12:00:00Z. */
export const requestedAt = Date.UTC(2025, 0, 15, 12, 0, 0)

/** `requestedAt + seconds`, in epoch ms. */
export const after = (seconds: number): number => requestedAt + seconds * 1000

export const json = { "content-type": "application/json; charset=utf-8" } as const
export const form = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" } as const
export const text = { "content-type": "text/plain; charset=UTF-8" } as const

export type Expected =
  | {
    readonly _tag: "TokenSet"
    readonly accessToken: string
    readonly tokenType: string
    readonly expiresAt?: number
    readonly refreshToken?: string
    readonly refreshTokenExpiresAt?: number
    readonly scopes: ReadonlyArray<string>
    readonly idToken?: string
    readonly extra: Readonly<Record<string, unknown>>
  }
  | {
    readonly _tag: "OAuthError"
    readonly error: string
    readonly description?: string
    readonly uri?: string
    readonly status: number
    readonly remedy: "retry" | "reauthorize" | "fixConfiguration"
    readonly retryAfter?: number
    readonly details?: Readonly<Record<string, unknown>>
  }
  | {
    readonly _tag: "InvalidTokenResponse"
    readonly reason: "EmptyBody" | "NotJson" | "TooLarge" | "UnexpectedStatus" | "MissingAccessToken" | "InvalidField"
    readonly status: number
    readonly field?: string
  }

export interface Fixture {
  readonly name: string
  /** The documentation page the shape comes from. */
  readonly source: string
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly requestedScopes?: ReadonlyArray<string>
  readonly expected: Expected
}

const unredact = (value: unknown): unknown => {
  if (Redacted.isRedacted(value)) return { redacted: Redacted.value(value) }
  if (Array.isArray(value)) return value.map(unredact)
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, unredact(item)]))
  }
  return value
}

const drop = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))

/** The outcome of a parse, in the shape of {@link Expected} (absent fields omitted). */
export const view = (
  result: Either.Either<TokenSet.TokenSet, OAuthError.OAuthError | OAuthError.InvalidTokenResponse>
): Record<string, unknown> => {
  if (Either.isRight(result)) {
    const tokens = result.right
    return drop({
      _tag: "TokenSet",
      accessToken: Redacted.value(tokens.accessToken),
      tokenType: tokens.tokenType,
      expiresAt: tokens.expiresAt,
      refreshToken: tokens.refreshToken === undefined ? undefined : Redacted.value(tokens.refreshToken),
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
      scopes: tokens.scopes,
      idToken: tokens.idToken === undefined ? undefined : Redacted.value(tokens.idToken),
      extra: Redacted.value(tokens.extra)
    })
  }
  const error = result.left
  return error._tag === "OAuthError"
    ? drop({
      _tag: error._tag,
      error: error.error,
      description: error.description,
      uri: error.uri,
      status: error.status,
      remedy: error.remedy,
      retryAfter: error.retryAfter,
      details: unredact(error.details)
    })
    : drop({ _tag: error._tag, reason: error.reason, status: error.status, field: error.field })
}

/**
 * One test per row: `TokenResponse.parse` with `provider.tokenResponse`, the
 * outcome equal to the row's `expected`. Rows need unique names and an https
 * documentation URL.
 */
export const shapeSuite = (title: string, provider: Provider.Provider, rows: ReadonlyArray<Fixture>): void => {
  describe(title, () => {
    it("has unique row names, each with a documentation URL", () => {
      expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length)
      for (const row of rows) expect(row.source).toMatch(/^https:\/\/\S+$/)
    })
    for (const row of rows) {
      it.effect(`${row.name} (HTTP ${row.status})`, () =>
        Effect.gen(function*() {
          const result = yield* Effect.either(
            TokenResponse.parse(
              { status: row.status, headers: row.headers, body: row.body },
              { requestedAt, requestedScopes: row.requestedScopes, quirks: provider.tokenResponse }
            )
          )
          expect(view(result)).toEqual(row.expected)
        }))
    }
  })
}
