import { OAuthError, TokenResponse } from "@effect-oauth/core"
import type { OAuthClient, Provider } from "@effect-oauth/core"
import { Clock, Effect, Redacted } from "effect"

/** @internal */
export type Fields = Readonly<Record<string, unknown>>

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal */
export const record = (u: unknown): Fields | undefined => (isRecord(u) ? u : undefined)

/**
 * The JSON object of a successful answer of a provider operation; anything else
 * through core's one reader of error bodies (`TokenResponse.parseJson`, then
 * `parseError`) with the provider's quirks: credentials sent masked, remedy
 * classified.
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
): Effect.Effect<Fields, OAuthError.OAuthError | OAuthError.InvalidTokenResponse> =>
  Effect.flatMap(Clock.currentTimeMillis, (requestedAt) =>
    TokenResponse.parseJson(response, {
      requestedAt,
      quirks: context.quirks,
      endpoint: context.endpoint,
      secrets: context.secrets
    }))

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

/** A number of seconds sent as a number or a string of digits, or `undefined`. @internal */
export const seconds = (fields: Fields, name: string): number | undefined => {
  const value = fields[name]
  const number = typeof value === "number" ? value : typeof value === "string" && isDigits(value) ? Number(value) : NaN
  return Number.isFinite(number) ? number : undefined
}

const isDigits = (text: string) => text.length > 0 && [...text].every((c) => c >= "0" && c <= "9")

/** Fields not in `known`. @internal */
export const rest = (fields: Fields, known: ReadonlyArray<string>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(fields)) {
    if (!known.includes(name) && name !== "__proto__") out[name] = value
  }
  return out
}
