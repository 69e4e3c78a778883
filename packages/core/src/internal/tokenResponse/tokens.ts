/**
 * The success body of a token response read into a `TokenSet` (RFC 6749 §5.1),
 * and the context and failures the reader of `tokenResponse.ts` shares with it.
 */
import { Either, Redacted } from "effect"
import { InvalidTokenResponse, type OAuthError } from "../../OAuthError.js"
import type * as Provider from "../../Provider.js"
import type * as TokenResponse from "../../TokenResponse.js"
import * as TokenSet from "../../TokenSet.js"
import * as Json from "../wire/json.js"
import * as Text from "../wire/text.js"

const define = Json.define

/** @internal */
export const maxLifetimeSeconds = 10 * 365 * 24 * 60 * 60

export type Failure = OAuthError | InvalidTokenResponse
export type Fields = Readonly<Record<string, unknown>>

export interface Context {
  readonly status: number
  readonly header: (name: string) => string | undefined
  readonly options: TokenResponse.ParseOptions
  readonly quirks: Provider.TokenResponseQuirks
  readonly mask: (text: string) => string
  readonly retryAfter: number | undefined
}

export const invalid = (
  ctx: Context,
  reason: InvalidTokenResponse["reason"],
  fields: { readonly field?: string; readonly detail?: string; readonly excerpt?: string }
): InvalidTokenResponse =>
  new InvalidTokenResponse({
    reason,
    status: ctx.status,
    ...fields,
    ...(ctx.options.endpoint === undefined ? {} : { endpoint: ctx.options.endpoint }),
    ...(ctx.retryAfter === undefined ? {} : { retryAfter: ctx.retryAfter })
  })

// Tokens -----------------------------------------------------------------------

export const readTokens = (ctx: Context, fields: Fields, excerpt: () => string): Either.Either<TokenSet.TokenSet, Failure> => {
  const { options, quirks } = ctx
  const used = new Set<string>()
  const fail = (reason: "MissingAccessToken" | "InvalidField", field: string, detail: string) =>
    Either.left(invalid(ctx, reason, { field, detail, excerpt: excerpt() }))

  used.add("access_token")
  const accessToken = fields.access_token
  if (accessToken === undefined || accessToken === null) return fail("MissingAccessToken", "access_token", "is missing")
  if (typeof accessToken !== "string") return fail("InvalidField", "access_token", `must be a string, got ${describe(accessToken)}`)
  if (accessToken.trim().length === 0) return fail("MissingAccessToken", "access_token", "is empty")
  for (const name of ["access_token", "token_type", "refresh_token", "id_token"] as const) {
    const value = fields[name]
    if (typeof value === "string" && Text.controlCharacter(value) !== -1) {
      return fail("InvalidField", name, "contains a CR, LF or NUL character")
    }
  }

  used.add("token_type")
  const tokenType = fields.token_type
  if (!isAbsent(tokenType) && typeof tokenType !== "string") {
    return fail("InvalidField", "token_type", `must be a string, got ${describe(tokenType)}`)
  }
  const type = isAbsent(tokenType) ? quirks.defaultTokenType ?? "Bearer" : tokenTypeOf(tokenType, quirks.tokenTypes)
  if (type === undefined) {
    return fail(
      "InvalidField",
      "token_type",
      "is neither Bearer nor DPoP, and the provider's quirks do not map it (RFC 6749 §7.1)"
    )
  }

  let expiresAt: number | undefined
  for (const name of ["expires_in", ...(quirks.expiresInAliases ?? [])]) {
    if (isAbsent(fields[name])) continue
    used.add(name)
    const seconds = readSeconds(fields[name])
    if (typeof seconds === "string") return fail("InvalidField", name, seconds)
    expiresAt = options.requestedAt + lifetimeMillis(seconds)
    break
  }
  if (expiresAt === undefined && !isAbsent(fields.expires_at)) {
    used.add("expires_at")
    const seconds = readSeconds(fields.expires_at)
    if (typeof seconds === "string") return fail("InvalidField", "expires_at", seconds)
    const serverNow = options.useDateHeader === false ? undefined : readDate(ctx.header)
    const offset = serverNow === undefined ? 0 : options.requestedAt - serverNow
    const at = seconds * 1000 + offset
    expiresAt = Math.round(Math.min(Math.max(at, options.requestedAt), options.requestedAt + maxLifetimeSeconds * 1000))
  }

  used.add("refresh_token")
  const refreshToken = fields.refresh_token
  if (!isAbsent(refreshToken) && typeof refreshToken !== "string") {
    return fail("InvalidField", "refresh_token", `must be a string, got ${describe(refreshToken)}`)
  }
  let refreshTokenExpiresAt: number | undefined
  for (const name of quirks.refreshTokenExpiresInFields ?? ["refresh_token_expires_in", "refresh_expires_in"]) {
    if (isAbsent(fields[name])) continue
    used.add(name)
    const seconds = readSeconds(fields[name])
    if (typeof seconds === "string") return fail("InvalidField", name, seconds)
    // Keycloak sends `refresh_expires_in: 0` for an offline token without a
    // maximum lifespan: 0 means no known expiry here, not "already expired".
    // https://github.com/keycloak/keycloak/issues/8919
    if (seconds > 0 && typeof refreshToken === "string" && refreshToken.length > 0) {
      refreshTokenExpiresAt = options.requestedAt + lifetimeMillis(seconds)
    }
    break
  }

  used.add("scope")
  const scopes = readScopes(fields.scope, quirks.scopeSeparator ?? " ")
  if (scopes === undefined) return fail("InvalidField", "scope", `must be a string, got ${describe(fields.scope)}`)

  used.add("id_token")
  const idToken = fields.id_token
  if (!isAbsent(idToken) && typeof idToken !== "string") {
    return fail("InvalidField", "id_token", `must be a string, got ${describe(idToken)}`)
  }

  // `__proto__` is dropped: no provider sends it, and a record copied by plain
  // assignment further on (schema validation) would take it as its prototype.
  const extra: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(fields)) {
    if (!used.has(name) && name !== "__proto__") define(extra, name, value)
  }

  return Either.right(
    TokenSet.make({
      accessToken: Redacted.make(accessToken),
      tokenType: type,
      issuedAt: options.requestedAt,
      expiresAt,
      refreshToken: isAbsent(refreshToken) ? undefined : Redacted.make(refreshToken),
      refreshTokenExpiresAt,
      scopes: scopes.length > 0 ? scopes : options.requestedScopes ?? [],
      idToken: isAbsent(idToken) ? undefined : Redacted.make(idToken),
      extra
    })
  )
}

const isAbsent = (u: unknown): u is undefined | null | "" => u === undefined || u === null || u === ""


/** A number of seconds, or why it is not one (the value itself is never quoted unless a number). */
const readSeconds = (value: unknown): number | string => {
  const seconds = typeof value === "number"
    ? value
    : typeof value === "string"
    ? Text.decimal(value.trim())
    : undefined
  if (seconds === undefined) {
    return typeof value === "string" ? "is not a number" : `must be a number of seconds, got ${describe(value)}`
  }
  if (!Number.isFinite(seconds)) return "is not a finite number"
  if (seconds < 0) return `is negative (${seconds})`
  return seconds
}

const lifetimeMillis = (seconds: number) => Math.round(Math.min(seconds, maxLifetimeSeconds) * 1000)

const separators = { " ": /\s+/, ",": /,/, any: /[\s,]+/ } as const

const readScopes = (
  value: unknown,
  separator: " " | "," | "any"
): ReadonlyArray<string> | undefined => {
  if (value === undefined || value === null) return []
  if (typeof value === "string") {
    return value.split(separators[separator]).map((scope) => scope.trim()).filter((scope) => scope.length > 0)
  }
  // Twitch sends `scope` as a JSON array.
  // https://dev.twitch.tv/docs/authentication/getting-tokens-oauth/
  if (Array.isArray(value) && value.every((scope) => typeof scope === "string")) {
    return value.map((scope) => scope.trim()).filter((scope) => scope.length > 0)
  }
  return undefined
}

const normaliseTokenType = (tokenType: string): string | undefined => {
  const lower = tokenType.trim().toLowerCase()
  return lower === "bearer" ? "Bearer" : lower === "dpop" ? "DPoP" : undefined
}

// RFC 6749 §7.1: "The client MUST NOT use an access token if it does not understand
// the token type." A provider's own names (Slack's "bot", "user") come from its quirks.
const tokenTypeOf = (
  tokenType: string,
  mapped: Readonly<Record<string, string>> | undefined
): string | undefined => {
  const known = normaliseTokenType(tokenType)
  if (known !== undefined || mapped === undefined) return known
  const lower = tokenType.trim().toLowerCase()
  for (const [name, type] of Object.entries(mapped)) {
    if (name.toLowerCase() === lower) return normaliseTokenType(type) ?? type
  }
  return undefined
}

export const describe = (u: unknown): string =>
  u === null ? "null" : Array.isArray(u) ? "an array" : typeof u === "object" ? "an object" : `a ${typeof u}`

/** The server's `Date` header (epoch ms), when it is a date. */
export const readDate = (header: (name: string) => string | undefined): number | undefined => {
  const value = header("date")
  if (value === undefined) return undefined
  const at = Date.parse(value)
  return Number.isFinite(at) ? at : undefined
}
