/**
 * Shape suites: token endpoint responses as a provider documents them, each row
 * with its documentation URL, run through `TokenResponse.parse` with the quirks of
 * that provider's preset (never quirks written in the test).
 */
import type { Provider } from "@effect-oauth/core"
import * as TokenResponseFixtures from "@effect-oauth/testing/TokenResponseFixtures"
import { describe, it } from "@effect/vitest"

export { after, type Fixture, form, oauthError, requestedAt, text } from "@effect-oauth/testing/TokenResponseFixtures"

/** The providers' JSON answers carry a charset. */
export const json = TokenResponseFixtures.jsonUtf8

/** One test per row: `TokenResponse.parse` with `provider.tokenResponse`, the outcome equal to the row's `expected`. */
export const shapeSuite = (title: string, provider: Provider.Provider, rows: ReadonlyArray<TokenResponseFixtures.Fixture>): void => {
  describe(title, () => {
    it("has unique row names, each with a documentation URL", () => {
      TokenResponseFixtures.checkRows(rows)
    })
    TokenResponseFixtures.tests(rows, { quirks: provider.tokenResponse })
  })
}
