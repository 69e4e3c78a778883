import { OAuthError } from "@effect-oauth/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"

describe("OAuthError.classify", () => {
  const rows: ReadonlyArray<readonly [error: string, status: number, remedy: OAuthError.Remedy]> = [
    ["invalid_grant", 400, "reauthorize"],
    ["access_denied", 400, "reauthorize"],
    ["expired_token", 400, "reauthorize"],
    ["invalid_token", 401, "reauthorize"],
    ["consent_required", 400, "reauthorize"],
    ["login_required", 400, "reauthorize"],
    ["interaction_required", 400, "reauthorize"],
    ["invalid_client", 401, "fixConfiguration"],
    ["unauthorized_client", 400, "fixConfiguration"],
    ["invalid_scope", 400, "fixConfiguration"],
    ["unsupported_grant_type", 400, "fixConfiguration"],
    ["invalid_request", 400, "fixConfiguration"],
    ["temporarily_unavailable", 503, "retry"],
    ["server_error", 500, "retry"],
    ["slow_down", 400, "retry"],
    ["authorization_pending", 400, "retry"],
    ["some_extension_code", 500, "retry"],
    ["some_extension_code", 503, "retry"],
    ["some_extension_code", 429, "retry"],
    ["some_extension_code", 400, "fixConfiguration"],
    ["some_extension_code", 200, "fixConfiguration"],
    // a known code keeps its meaning whatever the status
    ["invalid_grant", 500, "reauthorize"],
    ["invalid_client", 503, "fixConfiguration"],
    ["invalid_scope", 500, "fixConfiguration"],
    ["use_dpop_nonce", 400, "retry"],
    ["invalid_dpop_proof", 400, "fixConfiguration"],
    ["invalid_target", 400, "fixConfiguration"]
  ]
  for (const [error, status, remedy] of rows) {
    it(`${error} with HTTP ${status} → ${remedy}`, () => {
      expect(OAuthError.classify(error, status)).toBe(remedy)
    })
  }

  it("lets provider overrides win, also over RFC codes", () => {
    const overrides = { bad_verification_code: "reauthorize", invalid_grant: "retry" } as const
    expect(OAuthError.classify("bad_verification_code", 200, overrides)).toBe("reauthorize")
    expect(OAuthError.classify("invalid_grant", 400, overrides)).toBe("retry")
    expect(OAuthError.classify("invalid_client", 401, overrides)).toBe("fixConfiguration")
  })
})

describe("OAuthError.OAuthError", () => {
  it("is terminal unless the remedy is retry", () => {
    expect(new OAuthError.OAuthError({ error: "server_error", status: 500, remedy: "retry" }).isTerminal).toBe(false)
    expect(new OAuthError.OAuthError({ error: "invalid_grant", status: 400, remedy: "reauthorize" }).isTerminal).toBe(true)
    expect(new OAuthError.OAuthError({ error: "invalid_client", status: 401, remedy: "fixConfiguration" }).isTerminal)
      .toBe(true)
  })

  it("says the code, description, status, endpoint, remedy and Retry-After in its message", () => {
    const error = new OAuthError.OAuthError({
      error: "temporarily_unavailable",
      description: "maintenance",
      status: 503,
      endpoint: "https://as.example/token",
      remedy: "retry",
      retryAfter: 30
    })
    expect(error.message).toBe(
      "temporarily_unavailable: maintenance (HTTP 503 from https://as.example/token; remedy: retry, retry after 30s)"
    )
    expect(String(error)).toBe(`OAuthError: ${error.message}`)
  })

  it.effect("fails an Effect as a typed error and round-trips through its Schema", () =>
    Effect.gen(function*() {
      const error = new OAuthError.OAuthError({
        error: "invalid_grant",
        description: "Token is not active",
        status: 400,
        remedy: "reauthorize",
        details: { trace_id: "255d1aef" }
      })
      const caught = yield* Effect.flip(error)
      expect(caught).toBe(error)
      const encoded = Schema.encodeSync(OAuthError.OAuthError)(error)
      const decoded = Schema.decodeUnknownSync(OAuthError.OAuthError)(JSON.parse(JSON.stringify(encoded)))
      expect(decoded).toBeInstanceOf(OAuthError.OAuthError)
      expect(decoded.message).toBe(error.message)
      expect(decoded.details).toEqual({ trace_id: "255d1aef" })
    }))
})

describe("OAuthError.InvalidTokenResponse", () => {
  const rows: ReadonlyArray<readonly [status: number, remedy: OAuthError.Remedy]> = [
    [200, "retry"],
    [204, "retry"],
    [400, "fixConfiguration"],
    [401, "fixConfiguration"],
    [404, "fixConfiguration"],
    [429, "retry"],
    [500, "retry"],
    [502, "retry"],
    [503, "retry"]
  ]
  for (const [status, remedy] of rows) {
    it(`HTTP ${status} → ${remedy}`, () => {
      const error = new OAuthError.InvalidTokenResponse({ reason: "NotJson", status })
      expect(error.remedy).toBe(remedy)
      expect(error.isTerminal).toBe(remedy !== "retry")
    })
  }

  it("names the field, the detail, the endpoint, Retry-After and the excerpt in its message", () => {
    const error = new OAuthError.InvalidTokenResponse({
      reason: "InvalidField",
      status: 200,
      field: "expires_in",
      detail: "is negative (-1)",
      endpoint: "https://as.example/token",
      excerpt: "JSON fields: access_token, expires_in",
      retryAfter: 5
    })
    expect(error.message).toBe(
      "invalid token response (InvalidField): \"expires_in\" is negative (-1); HTTP 200 from https://as.example/token" +
        "; retry after 5s; the server answered success, so it may have spent the code or rotated the refresh token: the grant may be lost; body: JSON fields: access_token, expires_in"
    )
  })

  it("says only the reason and status when that is all it has", () => {
    expect(new OAuthError.InvalidTokenResponse({ reason: "EmptyBody", status: 502 }).message).toBe(
      "invalid token response (EmptyBody): HTTP 502"
    )
  })
})

describe("OAuthError callback and configuration errors", () => {
  it("AuthorizationDenied asks for a new authorization unless the server was busy", () => {
    expect(new OAuthError.AuthorizationDenied({ error: "access_denied" }).remedy).toBe("reauthorize")
    expect(new OAuthError.AuthorizationDenied({ error: "temporarily_unavailable" }).remedy).toBe("retry")
    expect(new OAuthError.AuthorizationDenied({ error: "access_denied", description: "User cancelled" }).message)
      .toBe("authorization denied: access_denied: User cancelled")
  })

  it("StateMismatch says whether the state was missing or different", () => {
    expect(new OAuthError.StateMismatch({ missing: true }).message).toContain("no state parameter")
    expect(new OAuthError.StateMismatch({ missing: false }).message).toContain("differs")
  })

  it("IssuerMismatch names the expected and the received issuer", () => {
    expect(new OAuthError.IssuerMismatch({ expected: "https://a.example", received: "https://b.example" }).message)
      .toBe("issuer \"https://a.example\" expected, \"https://b.example\" received (RFC 9207)")
    expect(new OAuthError.IssuerMismatch({ expected: "https://a.example" }).message)
      .toBe("issuer \"https://a.example\" expected, none received (RFC 9207)")
  })

  it("TransportError is always retried and ConfigurationError never", () => {
    const transport = new OAuthError.TransportError({ reason: "Timeout", method: "POST", endpoint: "https://as.example/token" })
    expect([transport.remedy, transport.isTerminal]).toEqual(["retry", false])
    expect(transport.message).toBe("Timeout error on POST https://as.example/token")
    const configuration = new OAuthError.ConfigurationError({ reason: "InsecureUrl", detail: "tokenEndpoint must use https:" })
    expect(configuration.remedy).toBe("fixConfiguration")
  })
})

describe("OAuthError.isCoreError / remedyOf", () => {
  const errors: ReadonlyArray<readonly [OAuthError.CoreError, OAuthError.Remedy]> = [
    [new OAuthError.OAuthError({ error: "invalid_grant", status: 400, remedy: "reauthorize" }), "reauthorize"],
    [new OAuthError.InvalidTokenResponse({ reason: "NotJson", status: 502 }), "retry"],
    [new OAuthError.AuthorizationDenied({ error: "access_denied" }), "reauthorize"],
    [new OAuthError.StateMismatch({ missing: false }), "reauthorize"],
    [new OAuthError.IssuerMismatch({ expected: "https://as.example" }), "reauthorize"],
    [new OAuthError.InvalidCallback({ reason: "MissingCode" }), "reauthorize"],
    [new OAuthError.TransportError({ reason: "Transport", method: "POST", endpoint: "https://as.example/token" }), "retry"],
    [new OAuthError.ConfigurationError({ reason: "MissingEndpoint", detail: "no token endpoint" }), "fixConfiguration"]
  ]
  for (const [error, remedy] of errors) {
    it(`${error._tag} is a core error with remedy ${remedy}`, () => {
      expect(OAuthError.isCoreError(error)).toBe(true)
      expect(OAuthError.remedyOf(error)).toBe(remedy)
    })
  }

  it("rejects anything else", () => {
    expect(OAuthError.isCoreError(new Error("x"))).toBe(false)
    expect(OAuthError.isCoreError({ _tag: "SomethingElse" })).toBe(false)
    expect(OAuthError.isCoreError(null)).toBe(false)
  })
})
