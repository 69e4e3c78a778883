import { Notion } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const token = "https://developers.notion.com/reference/create-a-token"
const status = "https://developers.notion.com/reference/status-codes#error-codes"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: no expiry, the workspace and bot kept",
    source: token,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "e202e8c9-0990-40af-855f-ff8f872b1ec6c", bot_id: "b3414d659-1224-5ty7-6ffr-cc9d8773drt601288f", duplicated_template_id: null, owner: { workspace: true }, workspace_icon: "https://website.domain/images/image.png", workspace_id: "j565j4d7x3-2882-61bs-564a-jj9d9ui-c36hxfr7x", workspace_name: "Ada's Notion Workspace" }),
    expected: { _tag: "TokenSet", accessToken: "e202e8c9-0990-40af-855f-ff8f872b1ec6c", tokenType: "Bearer", scopes: [], extra: { bot_id: "b3414d659-1224-5ty7-6ffr-cc9d8773drt601288f", duplicated_template_id: null, owner: { workspace: true }, workspace_icon: "https://website.domain/images/image.png", workspace_id: "j565j4d7x3-2882-61bs-564a-jj9d9ui-c36hxfr7x", workspace_name: "Ada's Notion Workspace" } }
  },
  {
    name: "code exchange of a newer integration: a refresh token",
    source: "https://developers.notion.com/reference/refresh-a-token",
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "ntn_3c90c3cc0d444b50", token_type: "bearer", refresh_token: "nrt_3c90c3cc0d444b50", bot_id: "3c90c3cc-0d44-4b50-8888-8dd25736052a", request_id: "3c90c3cc-0d44-4b50-8888-8dd25736052a" }),
    expected: { _tag: "TokenSet", accessToken: "ntn_3c90c3cc0d444b50", tokenType: "Bearer", refreshToken: "nrt_3c90c3cc0d444b50", scopes: [], extra: { bot_id: "3c90c3cc-0d44-4b50-8888-8dd25736052a", request_id: "3c90c3cc-0d44-4b50-8888-8dd25736052a" } }
  },
  oauthError({ name: "an invalid or used code", source: token, status: 400, headers: json, error: "invalid_grant", description: "Invalid code.", remedy: "reauthorize" }),
  {
    name: "rate limited: rate_limited read as temporarily_unavailable",
    source: "https://developers.notion.com/reference/request-limits#rate-limits",
    status: 429,
    headers: { ...json, "retry-after": "1" },
    body: JSON.stringify({ object: "error", status: 429, code: "rate_limited", message: "You have been rate limited. Please try again in a few minutes." }),
    expected: { _tag: "OAuthError", error: "temporarily_unavailable", description: "You have been rate limited. Please try again in a few minutes.", status: 429, remedy: "retry", retryAfter: 1, details: { object: "error", status: 429, provider_error: "rate_limited" } }
  },
  {
    name: "a bad Basic credential: unauthorized read as invalid_client",
    source: status,
    status: 401,
    headers: json,
    body: JSON.stringify({ object: "error", status: 401, code: "unauthorized", message: "API token is invalid." }),
    expected: { _tag: "OAuthError", error: "invalid_client", description: "API token is invalid.", status: 401, remedy: "fixConfiguration", details: { object: "error", status: 401, provider_error: "unauthorized" } }
  }
]

shapeSuite("Notion / documented token responses", Notion.make(), rows)

describe("Notion.make", () => {
  it("sends the secret in the Basic header and owner=user", () => {
    const provider = Notion.make()
    expect(provider.tokenEndpointAuthMethodsSupported).toEqual(["client_secret_basic"])
    expect(provider.requests?.authorizationParams).toEqual({ owner: "user" })
  })
})
