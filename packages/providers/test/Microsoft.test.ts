import { OAuthClient, OAuthError, TokenSet } from "@effect-oauth/core"
import { Microsoft } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"
import { jsonResponse, stub } from "./helpers/http.js"

const codeFlow = "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow"
const errorCodes = "https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes"

const aadError = (
  name: string,
  source: string,
  status: number,
  error: string,
  description: string,
  codes: ReadonlyArray<number>,
  remedy: "retry" | "reauthorize" | "fixConfiguration",
  more: Record<string, unknown> = {}
): Fixture => {
  const details = {
    error_codes: codes,
    timestamp: "2024-05-01 10:00:00Z",
    trace_id: "255d1aef-8c98-452f-ac51-23d051240864",
    correlation_id: "fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7",
    ...more
  }
  return oauthError({ name, source, status, headers: json, error, description, details, remedy })
}

/** An AADSTS error whose code means more than its `error`: read as `reads`, the received code kept in details. */
const aadRead = (row: Fixture, reads: string): Fixture => {
  const expected = row.expected as { readonly error: string; readonly details?: Readonly<Record<string, unknown>> }
  return {
    ...row,
    expected: { ...row.expected, error: reads, details: { ...expected.details, provider_error: expected.error } } as Fixture["expected"]
  }
}

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with refresh and ID tokens, ext_expires_in kept",
    source: `${codeFlow}#successful-response-2`,
    status: 200,
    headers: json,
    body: JSON.stringify({
      access_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6Ik5HVEZ2ZEstZnl0aEV1Q.microsoft.example",
      token_type: "Bearer",
      expires_in: 3599,
      ext_expires_in: 3599,
      scope: "https://graph.microsoft.com/mail.read",
      refresh_token: "AwABAAAAvPM1KaPlrEqdFSBzjqfTGAMxZGUTdM0t4B4.microsoft.example",
      id_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiIyZDRkMTFhMi1mODE0LTQ2YTctOD.microsoft"
    }),
    expected: {
      _tag: "TokenSet",
      accessToken: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6Ik5HVEZ2ZEstZnl0aEV1Q.microsoft.example",
      tokenType: "Bearer",
      expiresAt: after(3599),
      refreshToken: "AwABAAAAvPM1KaPlrEqdFSBzjqfTGAMxZGUTdM0t4B4.microsoft.example",
      scopes: ["https://graph.microsoft.com/mail.read"],
      idToken: "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiIyZDRkMTFhMi1mODE0LTQ2YTctOD.microsoft",
      extra: { ext_expires_in: 3599 }
    }
  },
  {
    name: "refresh answer with a rotated refresh token",
    source: `${codeFlow}#successful-response-3`,
    status: 200,
    headers: json,
    body: JSON.stringify({
      access_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6Ik5HVEZ2ZEstZnl0aEV1Q.refreshed",
      token_type: "Bearer",
      expires_in: 3599,
      scope: "https%3A%2F%2Fgraph.microsoft.com%2Fmail.read",
      refresh_token: "AwABAAAAvPM1KaPlrEqdFSBzjqfTGAMxZGUTdM0t4B4.rotated",
      id_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiIyZDRkMTFhMi1mODE0LTQ2YTctOD.refreshed"
    }),
    expected: {
      _tag: "TokenSet",
      accessToken: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6Ik5HVEZ2ZEstZnl0aEV1Q.refreshed",
      tokenType: "Bearer",
      expiresAt: after(3599),
      refreshToken: "AwABAAAAvPM1KaPlrEqdFSBzjqfTGAMxZGUTdM0t4B4.rotated",
      scopes: ["https%3A%2F%2Fgraph.microsoft.com%2Fmail.read"],
      idToken: "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiIyZDRkMTFhMi1mODE0LTQ2YTctOD.refreshed",
      extra: {}
    }
  },
  {
    name: "Entra v1: every number sent as a string",
    source: "https://learn.microsoft.com/en-us/azure/active-directory/azuread-dev/v1-protocols-oauth-code#successful-response-1",
    status: 200,
    headers: json,
    body: JSON.stringify({
      access_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6Ik5HVEZ2ZEstZnl0aEV1Q.v1.example",
      token_type: "Bearer",
      expires_in: "3600",
      expires_on: "1388444763",
      resource: "https://service.contoso.com/",
      refresh_token: "AwABAAAAvPM1KaPlrEqdFSBzjqfTGAMxZGUTdM0t4B4rTfgV29ghDOHRc2B-C_hHeJaJICqjZ3mY2b_YNqmf9SoAylD1PycGCB90xzZeEDg6oBzOIPfYsbDWNf621pKo2Q3GGTHYlmNfwoc-OlrxK69hkha2CF12azM_NYhgO668yfcUl4VBbiSHZyd1NVZG5QTIOcbObu3qnLutbpadZGAxqjIbMkQ2bQS09fTrjMBtDE3D6kSMIodpCecoANon9b0LATkpitimVCrl-NyfN3oyG4ZCWu18M9-vEou4Sq-1oMDzExgAf61noxzkNiaTecM-Ve5cq6wHqYQjfV9DOz4lbceuYCAA",
      scope: "user_impersonation",
      id_token: "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiIyZDRkMTFhMi1mODE0LTQ2YTctODkwYS0yNzRhNzJhNzMwOWUifQ."
    }),
    expected: {
      _tag: "TokenSet",
      accessToken: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6Ik5HVEZ2ZEstZnl0aEV1Q.v1.example",
      tokenType: "Bearer",
      expiresAt: after(3600),
      refreshToken: "AwABAAAAvPM1KaPlrEqdFSBzjqfTGAMxZGUTdM0t4B4rTfgV29ghDOHRc2B-C_hHeJaJICqjZ3mY2b_YNqmf9SoAylD1PycGCB90xzZeEDg6oBzOIPfYsbDWNf621pKo2Q3GGTHYlmNfwoc-OlrxK69hkha2CF12azM_NYhgO668yfcUl4VBbiSHZyd1NVZG5QTIOcbObu3qnLutbpadZGAxqjIbMkQ2bQS09fTrjMBtDE3D6kSMIodpCecoANon9b0LATkpitimVCrl-NyfN3oyG4ZCWu18M9-vEou4Sq-1oMDzExgAf61noxzkNiaTecM-Ve5cq6wHqYQjfV9DOz4lbceuYCAA",
      scopes: ["user_impersonation"],
      idToken: "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiIyZDRkMTFhMi1mODE0LTQ2YTctODkwYS0yNzRhNzJhNzMwOWUifQ.",
      extra: { expires_on: "1388444763", resource: "https://service.contoso.com/" }
    }
  },
  aadError(
    "invalid_scope AADSTS70011 with error_codes, trace_id and correlation_id kept",
    `${codeFlow}#error-response-1`,
    400,
    "invalid_scope",
    "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope https://foo.microsoft.com/mail.read is not valid.",
    [70011],
    "fixConfiguration"
  ),
  aadError(
    "invalid_grant AADSTS70008: the refresh token expired from inactivity → reauthorize",
    errorCodes,
    400,
    "invalid_grant",
    "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    [70008],
    "reauthorize"
  ),
  aadRead(aadError(
    "invalid_grant AADSTS50076: multifactor authentication required read as interaction_required, suberror kept → reauthorize",
    `${codeFlow}#error-codes-for-token-endpoint-errors`,
    400,
    "invalid_grant",
    "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
    [50076],
    "reauthorize",
    { suberror: "basic_action", claims: "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"aa2b3e5c\"]}}}" }
  ), "interaction_required"),
  aadRead(aadError(
    "interaction_required AADSTS65001: consent missing read as consent_required → reauthorize",
    errorCodes,
    400,
    "interaction_required",
    "AADSTS65001: The user or administrator has not consented to use the application with ID '2d4d11a2-f814-46a7-890a-274a72a7309e'.",
    [65001],
    "reauthorize",
    { suberror: "consent_required" }
  ), "consent_required"),
  aadError(
    "invalid_client AADSTS7000215: wrong client secret → fixConfiguration",
    errorCodes,
    401,
    "invalid_client",
    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
    [7000215],
    "fixConfiguration"
  ),
  aadError(
    "temporarily_unavailable with HTTP 503 → retry",
    `${codeFlow}#error-codes-for-token-endpoint-errors`,
    503,
    "temporarily_unavailable",
    "AADSTS90033: A transient error has occurred. Try again.",
    [90033],
    "retry"
  ),
  {
    name: "device code authorization_pending AADSTS70016 → retry",
    source: "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code#expected-errors",
    status: 400,
    headers: json,
    body: JSON.stringify({
      error: "authorization_pending",
      error_description: "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
      error_codes: [70016]
    }),
    expected: {
      _tag: "OAuthError",
      error: "authorization_pending",
      description: "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
      status: 400,
      remedy: "retry",
      details: { error_codes: [70016] }
    }
  }
]

shapeSuite("Microsoft / documented token responses", Microsoft.make(), rows)

describe("Microsoft.make", () => {
  it("builds the endpoints of common, organizations, consumers and one tenant", () => {
    for (const tenant of ["common", "organizations", "consumers"] as const) {
      const provider = Microsoft.make({ tenant })
      expect(provider.authorizationEndpoint).toBe(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize`)
      expect(provider.tokenEndpoint).toBe(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`)
      expect(provider.deviceAuthorizationEndpoint).toBe(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/devicecode`)
      expect(provider.issuer).toBeUndefined()
    }
    const id = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    const single = Microsoft.make({ tenant: id })
    expect(single.issuer).toBe(`https://login.microsoftonline.com/${id}/v2.0`)
    expect(single.jwksUri).toBe(`https://login.microsoftonline.com/${id}/discovery/v2.0/keys`)
    expect(Microsoft.make({ tenant: "contoso.onmicrosoft.com" }).issuer).toBeUndefined()
    expect(Microsoft.make({ tenant: id, authority: Microsoft.authorities.usGovernment }).tokenEndpoint)
      .toBe(`https://login.microsoftonline.us/${id}/oauth2/v2.0/token`)
    expect(Microsoft.make().tokenEndpoint).toBe("https://login.microsoftonline.com/common/oauth2/v2.0/token")
  })

  it.effect("asks for offline_access by default, with the identity platform's parameters", () =>
    Effect.gen(function*() {
      const { layer } = stub(() => jsonResponse({}))
      const oauth = yield* OAuthClient.make({
        provider: Microsoft.make({ tenant: "organizations", domainHint: "contoso.com" }),
        client: { clientId: "2d4d11a2-f814-46a7-890a-274a72a7309e", redirectUri: "http://localhost/myapp/" }
      }).pipe(Effect.provide(layer))
      const request = yield* oauth.authorizationUrl({ params: Microsoft.authorizationParams({ prompt: "select_account" }) })
      const url = new URL(request.url)
      expect(url.searchParams.get("scope")).toBe("openid profile offline_access")
      expect(url.searchParams.get("domain_hint")).toBe("contoso.com")
      expect(url.searchParams.get("prompt")).toBe("select_account")
      expect(url.searchParams.get("code_challenge_method")).toBe("S256")
    }))

  it.effect("keeps the rotated refresh token of each refresh, and the previous one when an answer has none", () =>
    Effect.gen(function*() {
      const answers = [
        { access_token: "at-2", token_type: "Bearer", expires_in: 3599, scope: "User.Read", refresh_token: "rt-2" },
        { access_token: "at-3", token_type: "Bearer", expires_in: 3599, scope: "User.Read" }
      ]
      const { layer, seen } = stub(() => jsonResponse(answers[seen.length - 1]))
      const oauth = yield* OAuthClient.make({
        provider: Microsoft.make({ tenant: "consumers" }),
        client: { clientId: "2d4d11a2-f814-46a7-890a-274a72a7309e", clientSecret: Redacted.make("secret~value") }
      }).pipe(Effect.provide(layer))
      const first = TokenSet.make({ accessToken: "at-1", issuedAt: 0, expiresAt: 3_599_000, refreshToken: "rt-1", scopes: ["User.Read"] })
      const second = yield* oauth.refresh(first)
      const third = yield* oauth.refresh(second)
      expect(seen.map((entry) => entry.params.get("refresh_token"))).toEqual(["rt-1", "rt-2"])
      expect(second.refreshToken && Redacted.value(second.refreshToken)).toBe("rt-2")
      expect(Redacted.value(third.accessToken)).toBe("at-3")
      expect(third.refreshToken && Redacted.value(third.refreshToken)).toBe("rt-2")
    }))
})

describe("Microsoft.aadstsCodes", () => {
  it("reads AADSTS codes from error_codes and from the description, once each", () => {
    const error = new OAuthError.OAuthError({
      error: "invalid_grant",
      description: "AADSTS50076: MFA required. AADSTS50079: registration required.",
      status: 400,
      remedy: "reauthorize",
      details: { error_codes: [50076] }
    })
    expect(Microsoft.aadstsCodes(error)).toEqual(["AADSTS50076", "AADSTS50079"])
    expect(Microsoft.aadstsCodes(new OAuthError.OAuthError({ error: "invalid_grant", status: 400, remedy: "reauthorize" })))
      .toEqual([])
  })
})
