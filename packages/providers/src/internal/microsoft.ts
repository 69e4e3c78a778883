import type { OAuthError, Provider } from "@effect-oauth/core"
import type * as Microsoft from "../Microsoft.js"

/** @internal */
export const authorizationParams = (options: Microsoft.AuthorizationOptions): Readonly<Record<string, string>> => ({
  ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
  ...(options.loginHint === undefined ? {} : { login_hint: options.loginHint }),
  ...(options.domainHint === undefined ? {} : { domain_hint: options.domainHint })
})

/** @internal */
export const aadstsCodes = (error: { readonly description?: string | undefined; readonly details?: Readonly<Record<string, unknown>> | undefined }): ReadonlyArray<string> => {
  const listed = error.details?.["error_codes"]
  const fromList = Array.isArray(listed)
    ? listed.flatMap((code) => (typeof code === "number" || typeof code === "string") ? [`AADSTS${code}`] : [])
    : []
  const fromText = error.description?.match(/AADSTS\d+/g) ?? []
  return [...new Set([...fromList, ...fromText])]
}

// AADSTS codes that say more than the RFC 6749 code they come with (mostly
// `invalid_grant`): the user must step through MFA or consent, not just sign in.
// https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
const meanings: Readonly<Record<string, string>> = {
  AADSTS50076: "interaction_required",
  AADSTS50079: "interaction_required",
  AADSTS50158: "interaction_required",
  AADSTS65001: "consent_required",
  AADSTS65004: "consent_required"
}

/** @internal */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: (body) => {
    const { error, error_description, error_uri, ...rest } = body
    if (typeof error !== "string") return undefined
    const description = typeof error_description === "string" ? error_description : undefined
    const meaning = aadstsCodes({ description, details: rest }).map((code) => meanings[code]).find((code) => code !== undefined)
    if (meaning === undefined || meaning === error) return undefined
    const remedy: OAuthError.Remedy = "reauthorize"
    return {
      error: meaning,
      ...(description === undefined ? {} : { description }),
      ...(typeof error_uri === "string" ? { uri: error_uri } : {}),
      details: { ...rest, provider_error: error },
      remedy
    }
  }
}
