import { OAuth1Error } from "@effect-oauth/oauth1"
import { describe, expect, it } from "@effect/vitest"

// https://wiki.oauth.net/w/page/12238543/ProblemReporting
describe("OAuth1Error / classify", () => {
  const rows: ReadonlyArray<readonly [problem: string, status: number, remedy: OAuth1Error.Remedy]> = [
    ["token_expired", 401, "reauthorize"],
    ["token_revoked", 401, "reauthorize"],
    ["token_rejected", 401, "reauthorize"],
    ["token_used", 401, "reauthorize"],
    ["user_refused", 401, "reauthorize"],
    ["permission_denied", 403, "reauthorize"],
    ["verifier_invalid", 401, "reauthorize"],
    ["timestamp_refused", 401, "retry"],
    ["nonce_used", 401, "retry"],
    ["consumer_key_refused", 401, "retry"],
    ["signature_invalid", 401, "fixConfiguration"],
    ["signature_method_rejected", 400, "fixConfiguration"],
    ["consumer_key_unknown", 401, "fixConfiguration"],
    ["consumer_key_rejected", 401, "fixConfiguration"],
    ["parameter_absent", 400, "fixConfiguration"],
    ["version_rejected", 400, "fixConfiguration"],
    ["something_new", 503, "retry"],
    ["something_new", 429, "retry"],
    ["something_new", 400, "fixConfiguration"]
  ]
  for (const [problem, status, remedy] of rows) {
    it(`${problem} with HTTP ${status} is ${remedy}`, () => {
      expect(OAuth1Error.classify(problem, status)).toBe(remedy)
    })
  }
})

describe("OAuth1Error / messages", () => {
  it("states the problem, the advice, the endpoint and the remedy", () => {
    const error = new OAuth1Error.OAuth1Error({
      problem: "token_expired",
      advice: "ask the user again",
      status: 401,
      endpoint: "https://api.example.com/1/me",
      remedy: "reauthorize"
    })
    expect(error.message).toBe(
      "oauth_problem=token_expired: ask the user again (HTTP 401 from https://api.example.com/1/me; remedy: reauthorize)"
    )
    expect(error.isTerminal).toBe(true)
  })

  it("tells this package's errors from others", () => {
    expect(OAuth1Error.isOAuth1PackageError(new OAuth1Error.TokenMismatch())).toBe(true)
    expect(OAuth1Error.isOAuth1PackageError(new OAuth1Error.SigningError({ reason: "InvalidUrl", detail: "x" }))).toBe(
      true
    )
    expect(OAuth1Error.isOAuth1PackageError(new Error("x"))).toBe(false)
    expect(OAuth1Error.isOAuth1PackageError({ _tag: "OAuthError" })).toBe(false)
  })
})
