import type { OAuthError, Provider } from "@effect-oauth/core"

/** @internal */
export interface Table {
  /** Where the provider's own code is: `error` unless named. */
  readonly code?: string | undefined
  /** Where its text is: `error_description` unless named (Zoom's `reason`, Notion's `message`). */
  readonly description?: string | undefined
  /** The provider's code (exact, then lower-cased) → the RFC 6749 / 6750 code it means, and a remedy when the code alone does not say it. */
  readonly codes: Readonly<Record<string, string | readonly [string, OAuthError.Remedy]>>
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * A `readError` that reads a provider's own code as the RFC code it means. The
 * provider's code is kept in `details` as `provider_error`, beside the body's
 * other members; a code not in the table falls back to the RFC reading.
 *
 * @internal
 */
export const readError = (table: Table): NonNullable<Provider.TokenResponseQuirks["readError"]> => (body) => {
  const own = body[table.code ?? "error"]
  if (typeof own !== "string" && typeof own !== "number") return undefined
  const key = String(own)
  const mapped = table.codes[key] ?? table.codes[key.toLowerCase()]
  if (mapped === undefined) return undefined
  const [error, remedy] = typeof mapped === "string" ? [mapped, undefined] : mapped
  const descriptionName = table.description ?? "error_description"
  const { [table.code ?? "error"]: _, [descriptionName]: text, error_uri, ...rest } = body
  return {
    error,
    ...(typeof text === "string" ? { description: text } : {}),
    ...(typeof error_uri === "string" ? { uri: error_uri } : {}),
    details: { ...rest, provider_error: own },
    ...(remedy === undefined ? {} : { remedy })
  }
}

/** @internal */
export const record = (u: unknown): Readonly<Record<string, unknown>> | undefined => (isRecord(u) ? u : undefined)
