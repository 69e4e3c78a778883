import { Effect, Either, Redacted } from "effect"
import { classify, InvalidTokenResponse, OAuthError } from "../OAuthError.js"
import type * as Provider from "../Provider.js"
import type * as TokenResponse from "../TokenResponse.js"
import * as TokenSet from "../TokenSet.js"
import * as Json from "./wire/json.js"
import * as Mask from "./wire/mask.js"
import * as Text from "./wire/text.js"
import { type Context, describe, type Failure, type Fields, invalid, readDate, readTokens } from "./tokenResponse/tokens.js"

export { maxLifetimeSeconds } from "./tokenResponse/tokens.js"

/** @internal */
export const maxBodyLength = 1024 * 1024

/** @internal */
export const excerptLength = 120

/** @internal */
export const descriptionLength = 500

/** @internal */
export const parse = (
  response: TokenResponse.RawResponse,
  options: TokenResponse.ParseOptions
): Effect.Effect<TokenSet.TokenSet, Failure> =>
  Effect.suspend(() => {
    const warnings: Array<string> = []
    const result = parseEither(response, options, warnings)
    if (warnings.length === 0) return result
    return Effect.zipRight(
      Effect.logWarning(`token response fields dropped: ${warnings.join("; ")}`).pipe(
        Effect.annotateLogs({ "oauth.endpoint": options.endpoint ?? "" })
      ),
      result
    )
  })

/**
 * `warnings` receives one line per extension field that was dropped (repeated, or
 * past the depth limit): a success response whose protocol fields are valid is
 * never refused for an extra field, since by the time it is read the server has
 * issued the tokens and may have retired the refresh token it was sent.
 *
 * @internal
 */
export const parseEither = (
  response: TokenResponse.RawResponse,
  options: TokenResponse.ParseOptions,
  warnings: Array<string> = []
): Either.Either<TokenSet.TokenSet, Failure> => {
  const headers = new Map<string, string>()
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers.set(name.toLowerCase(), value)
  }
  const header = (name: string) => headers.get(name)
  const mask = Mask.make(options.secrets)
  const ctx: Context = {
    status: response.status,
    header,
    options,
    quirks: options.quirks ?? {},
    mask,
    retryAfter: readRetryAfter(header, options.requestedAt)
  }

  const length = typeof response.body === "string" ? response.body.length : response.body.byteLength
  if (length > maxBodyLength) {
    return Either.left(invalid(ctx, "TooLarge", { detail: `is over ${maxBodyLength} bytes` }))
  }
  const text = stripBom(typeof response.body === "string" ? response.body : utf8.decode(response.body)).trim()
  if (text.length === 0) return Either.left(invalid(ctx, "EmptyBody", {}))

  const body = readBody(text, header("content-type"))
  switch (body._tag) {
    case "Text":
      return Either.left(invalid(ctx, "NotJson", { detail: body.detail, excerpt: textExcerpt(text, mask) }))
    case "Fields": {
      const protocol = body.duplicates.length === 0 && body.dropped.length === 0 ? noFields : protocolFields(ctx.quirks)
      const excerpt = () => fieldsExcerpt(body.kind, body.fields, mask)
      for (const name of body.duplicates) {
        if (protocol.has(name)) {
          return Either.left(invalid(ctx, "InvalidField", {
            field: mask(name),
            detail: "appears more than once (RFC 6749 §3.2)",
            excerpt: excerpt()
          }))
        }
      }
      for (const { name, why } of body.dropped) {
        if (protocol.has(name)) {
          return Either.left(invalid(ctx, "InvalidField", { field: mask(name), detail: why, excerpt: excerpt() }))
        }
      }
      const fields = body.fields as Record<string, unknown>
      for (const name of body.duplicates) {
        delete fields[name]
        warnings.push(`"${maskTokenLike(mask(name))}" appears more than once`)
      }
      for (const { name, why } of body.dropped) warnings.push(`"${maskTokenLike(mask(name))}" ${why}`)
      return readFields(ctx, body.kind, fields)
    }
  }
}

const noFields: ReadonlySet<string> = new Set()

// The fields RFC 6749 §5.1 and §5.2 define (and the quirks' aliases of them): a
// problem with one of these refuses the response; any other field is an extension.
const protocolFields = (quirks: Provider.TokenResponseQuirks): ReadonlySet<string> =>
  new Set([
    "access_token",
    "token_type",
    "expires_in",
    "expires_at",
    "refresh_token",
    "scope",
    "id_token",
    "error",
    "error_description",
    "error_uri",
    ...(quirks.expiresInAliases ?? []),
    ...(quirks.refreshTokenExpiresInFields ?? ["refresh_token_expires_in", "refresh_expires_in"])
  ])

/**
 * Reads the failed answer of any endpoint (token, revocation, introspection, PAR,
 * device, registration, a provider's own operation) with the same rules as a token
 * response: an RFC 6749 §5.2 body (or the provider's `readError` shape) is an
 * `OAuthError`; anything else an `InvalidTokenResponse` (`UnexpectedStatus` for a
 * non-2xx status, with a secret-free excerpt).
 *
 * @internal
 */
export const parseError = (response: TokenResponse.RawResponse, options: TokenResponse.ParseOptions): Failure =>
  Either.match(parseEither(response, options), {
    onLeft: (error) =>
      error._tag === "InvalidTokenResponse" && (response.status < 200 || response.status >= 300) &&
        (error.reason === "EmptyBody" || error.reason === "NotJson")
        ? new InvalidTokenResponse({ ...error, reason: "UnexpectedStatus" })
        : error,
    onRight: () =>
      new InvalidTokenResponse({
        reason: "UnexpectedStatus",
        status: response.status,
        detail: "is a token response where an error was expected",
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint })
      })
  })

/**
 * The JSON object of a successful answer of a non-token endpoint (a provider's
 * token-info operation), read by the same linear, depth-limited reader; anything
 * else is read by {@link parseError}.
 *
 * @internal
 */
export const parseJson = (
  response: TokenResponse.RawResponse,
  options: TokenResponse.ParseOptions
): Either.Either<Record<string, unknown>, Failure> => {
  if (response.status >= 200 && response.status < 300) {
    const text = stripBom(typeof response.body === "string" ? response.body : utf8.decode(response.body)).trim()
    const json = Json.parseObject(text)
    if (
      json._tag === "Object" && json.duplicates.length === 0 && json.dropped.length === 0 &&
      json.fields["error"] === undefined
    ) return Either.right(json.fields)
    if (json._tag !== "Object" && Text.isFormLike(text)) {
      return Either.left(
        new InvalidTokenResponse({
          reason: "NotJson",
          status: response.status,
          detail: "is form-encoded, not a JSON object",
          ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint })
        })
      )
    }
  }
  return Either.left(parseError(response, options))
}

// Body -------------------------------------------------------------------------

const utf8 = new TextDecoder("utf-8")

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)

type Body =
  | {
    readonly _tag: "Fields"
    readonly kind: "JSON" | "form"
    readonly fields: Fields
    readonly duplicates: ReadonlyArray<string>
    readonly dropped: ReadonlyArray<Json.Dropped>
  }
  | { readonly _tag: "Text"; readonly detail: string }

const readBody = (text: string, contentType: string | undefined): Body => {
  const first = text[0]
  if (first === "{" || first === "[") {
    const json = Json.parseObject(text)
    switch (json._tag) {
      case "Invalid":
        return { _tag: "Text", detail: json.detail }
      case "NotObject":
        return { _tag: "Text", detail: "is a JSON array, not an object" }
      case "Object":
        return { _tag: "Fields", kind: "JSON", fields: json.fields, duplicates: json.duplicates, dropped: json.dropped }
    }
  }
  if (Text.isFormLike(text)) {
    const fields: Record<string, string> = {}
    const duplicates = new Set<string>()
    for (const [name, value] of new URLSearchParams(text)) {
      if (Object.hasOwn(fields, name)) duplicates.add(name)
      else define(fields, name, value)
    }
    return { _tag: "Fields", kind: "form", fields, duplicates: [...duplicates], dropped: [] }
  }
  if (first === "<") return { _tag: "Text", detail: "is markup (HTML or XML), not JSON" }
  return {
    _tag: "Text",
    detail: contentType !== undefined && contentType.toLowerCase().includes("json")
      ? "is not valid JSON"
      : "is text, neither JSON nor form-encoded"
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const define = Json.define

// Errors -----------------------------------------------------------------------

const readFields = (
  ctx: Context,
  kind: "JSON" | "form",
  fields: Fields
): Either.Either<TokenSet.TokenSet, Failure> => {
  const provider = ctx.quirks.readError?.(fields)
  if (provider !== undefined) return Either.left(oauthError(ctx, provider))
  if (ctx.quirks.wrappedIn !== undefined) {
    const inner = fields[ctx.quirks.wrappedIn]
    if (isRecord(inner)) return readFields({ ...ctx, quirks: { ...ctx.quirks, wrappedIn: undefined } }, kind, inner)
  }

  const error = fields.error
  if (typeof error === "string" && error.trim().length > 0) {
    const { error: _, error_description, error_uri, ...rest } = fields
    return Either.left(
      oauthError(ctx, {
        error: error.trim(),
        description: typeof error_description === "string" ? error_description : undefined,
        uri: typeof error_uri === "string" ? error_uri : undefined,
        details: rest
      })
    )
  }
  // Built only for a failure: it masks every field name.
  const excerpt = () => fieldsExcerpt(kind, fields, ctx.mask)
  if (error !== undefined && error !== null && error !== "") {
    return Either.left(
      invalid(ctx, "InvalidField", { field: "error", detail: `must be a string, got ${describe(error)}`, excerpt: excerpt() })
    )
  }
  if (ctx.status < 200 || ctx.status >= 300) {
    return Either.left(
      invalid(ctx, "UnexpectedStatus", { detail: "has no \"error\" field (RFC 6749 §5.2)", excerpt: excerpt() })
    )
  }
  return readTokens(ctx, fields, excerpt)
}

const oauthError = (ctx: Context, fields: Provider.ProviderErrorFields): OAuthError => {
  const error = truncate(ctx.mask(fields.error), 100)
  const details = fields.details === undefined ? undefined : sanitizeRecord(fields.details, ctx.mask)
  return new OAuthError({
    error,
    ...(fields.description === undefined || fields.description.length === 0
      ? {}
      : { description: truncate(ctx.mask(fields.description), descriptionLength) }),
    ...(fields.uri === undefined || fields.uri.length === 0 ? {} : { uri: ctx.mask(fields.uri) }),
    status: ctx.status,
    ...(ctx.retryAfter === undefined ? {} : { retryAfter: ctx.retryAfter }),
    ...(ctx.options.endpoint === undefined ? {} : { endpoint: ctx.options.endpoint }),
    remedy: fields.remedy ?? classify(fields.error, ctx.status, ctx.quirks.errorRemedies),
    ...(details === undefined || Object.keys(details).length === 0 ? {} : { details })
  })
}

// Names under which providers put credentials in error bodies (Auth0's
// `mfa_token`, a device flow's `device_code`): kept, but Redacted.
const credentialName = /token|secret|password|assertion|verifier|^(?:device_|user_)?code$/i

const sanitize = (value: unknown, mask: (text: string) => string, depth: number): unknown => {
  if (typeof value === "string") return mask(value)
  if (depth > 8) return undefined
  if (Array.isArray(value)) return value.map((item) => sanitize(item, mask, depth + 1))
  if (isRecord(value)) return sanitizeRecord(value, mask, depth + 1)
  return value
}

const sanitizeRecord = (
  record: Readonly<Record<string, unknown>>,
  mask: (text: string) => string,
  depth = 0
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue
    define(
      out,
      mask(name),
      typeof value === "string" && credentialName.test(name) ? Redacted.make(value) : sanitize(value, mask, depth)
    )
  }
  return out
}

// RFC 9110 §10.2.3: delay-seconds or an HTTP-date; a date is read against the
// server's own `Date` header so that clock skew does not stretch or cut the wait.
const readRetryAfter = (header: (name: string) => string | undefined, requestedAt: number): number | undefined => {
  const value = header("retry-after")?.trim()
  if (value === undefined || value.length === 0) return undefined
  if (Text.isDigits(value)) return Number(value)
  const at = Date.parse(value)
  if (!Number.isFinite(at)) return undefined
  const serverNow = readDate(header) ?? requestedAt
  return Math.max(0, Math.ceil((at - serverNow) / 1000))
}

// Secret-free text ---------------------------------------------------------------

const maskTokenLike = Mask.maskTokenLike

const truncate = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text)

const textExcerpt = (text: string, mask: (text: string) => string): string =>
  Mask.excerpt(text, mask, excerptLength)

const fieldsExcerpt = (kind: "JSON" | "form", fields: Fields, mask: (text: string) => string): string => {
  const names = Object.keys(fields).map((name) => maskTokenLike(mask(name)))
  const shown = names.length > 20 ? [...names.slice(0, 20), "…"] : names
  return `${kind} fields: ${shown.length === 0 ? "(none)" : shown.join(", ")}`
}
