import { OAuthError, TokenResponse } from "@effect-oauth/core"
import type { OAuthClient, Provider } from "@effect-oauth/core"
import { Clock, Effect, Redacted } from "effect"

/** @internal */
export type Fields = Readonly<Record<string, unknown>>

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal */
export const record = (u: unknown): Fields | undefined => (isRecord(u) ? u : undefined)

const jsonObject = (body: Uint8Array): Fields | undefined => {
  try {
    return record(JSON.parse(new TextDecoder().decode(body).replace(/^\uFEFF/, "")))
  } catch {
    return undefined
  }
}

/**
 * The JSON object of a successful answer of a provider operation. Anything else
 * goes through `TokenResponse.parse` with the provider's quirks, the one reader of
 * error bodies: an RFC 6749 §5.2 or provider-shaped error becomes an `OAuthError`
 * (credentials sent masked, remedy classified), any other body an
 * `InvalidTokenResponse`.
 *
 * @internal
 */
export const readJson = (
  response: OAuthClient.EndpointResponse,
  context: {
    readonly endpoint: string
    readonly quirks?: Provider.TokenResponseQuirks | undefined
    readonly secrets: ReadonlyArray<Redacted.Redacted<string>>
  }
): Effect.Effect<Fields, OAuthError.OAuthError | OAuthError.InvalidTokenResponse> => {
  const body = jsonObject(response.body)
  const isError = body === undefined || body["error"] !== undefined || response.status < 200 || response.status >= 300
  if (!isError) return Effect.succeed(body)
  return Clock.currentTimeMillis.pipe(
    Effect.flatMap((requestedAt) =>
      TokenResponse.parse(response, {
        requestedAt,
        quirks: context.quirks,
        endpoint: context.endpoint,
        secrets: context.secrets
      })
    ),
    // A 2xx form body with an `access_token` parses as tokens; an operation wants JSON.
    Effect.flatMap(() =>
      Effect.fail(
        new OAuthError.InvalidTokenResponse({
          reason: "NotJson",
          status: response.status,
          endpoint: context.endpoint,
          detail: "is form-encoded, not a JSON object"
        })
      )
    )
  )
}

/** `text` with every value of `secrets` (also URL-encoded) replaced by `<redacted>`. @internal */
export const mask = (text: string, secrets: ReadonlyArray<Redacted.Redacted<string>>): string =>
  secrets
    .flatMap((secret) => {
      const value = Redacted.value(secret)
      return value.length === 0 ? [] : [value, encodeURIComponent(value)]
    })
    .sort((a, b) => b.length - a.length)
    .reduce((masked, value) => masked.split(value).join("<redacted>"), text)

/** `origin + path` of a URL, as errors name endpoints. @internal */
export const where = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return url
  }
}

/** A string field, or `undefined`. @internal */
export const string = (fields: Fields, name: string): string | undefined => {
  const value = fields[name]
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined
}

/** A number of seconds sent as a number or a numeric string, or `undefined`. @internal */
export const seconds = (fields: Fields, name: string): number | undefined => {
  const value = fields[name]
  const number = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN
  return Number.isFinite(number) ? number : undefined
}

/** Fields not in `known`. @internal */
export const rest = (fields: Fields, known: ReadonlyArray<string>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(fields)) {
    if (!known.includes(name) && name !== "__proto__") out[name] = value
  }
  return out
}
