import { TokenResponse } from "@effect-oauth/core"
import type { Provider } from "@effect-oauth/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

// `ProviderErrorFields.remedy`: a provider-shaped error whose meaning is in a field
// other than its code decides its own remedy.

const body = JSON.stringify({ error: { message: "Please retry your request later.", type: "OAuthException", code: 2, is_transient: true } })

const quirks = (remedy: "retry" | undefined): Provider.TokenResponseQuirks => ({
  readError: (fields) => {
    const error = fields["error"]
    if (typeof error !== "object" || error === null) return undefined
    return { error: "OAuthException", description: "Please retry your request later.", remedy }
  }
})

const parse = (q: Provider.TokenResponseQuirks) =>
  Effect.flip(
    TokenResponse.parse(
      { status: 500, headers: { "content-type": "application/json" }, body },
      { requestedAt: 0, quirks: { ...q, errorRemedies: { OAuthException: "reauthorize" } } }
    )
  )

describe("TokenResponse.parse / quirks.readError remedy", () => {
  it.effect("takes the remedy readError decides over errorRemedies and the status", () =>
    Effect.map(parse(quirks("retry")), (error) => expect(error._tag === "OAuthError" && error.remedy).toBe("retry")))

  it.effect("classifies the code as usual when readError decides none", () =>
    Effect.map(parse(quirks(undefined)), (error) => expect(error._tag === "OAuthError" && error.remedy).toBe("reauthorize")))
})
