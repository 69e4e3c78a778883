import { Slack } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const access = "https://api.slack.com/methods/oauth.v2.access"
const rotation = "https://api.slack.com/authentication/rotation"
const team = { name: "Slack Softball Team", id: "T9TK3CUKW" }
const authedUser = { id: "U1234", scope: "chat:write", access_token: "xoxp-1234", token_type: "user" }

const rows: ReadonlyArray<Fixture> = [
  {
    name: "v2 install: a bot token (token_type bot read as Bearer), the user token under authed_user",
    source: access,
    status: 200,
    headers: json,
    body: JSON.stringify({ ok: true, access_token: "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy", token_type: "bot", scope: "commands,incoming-webhook", bot_user_id: "U0KRQLJ9H", app_id: "A0KRD7HC3", team, enterprise: { name: "slack-sports", id: "E12345678" }, authed_user: authedUser }),
    expected: { _tag: "TokenSet", accessToken: "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy", tokenType: "Bearer", scopes: ["commands", "incoming-webhook"], extra: { ok: true, bot_user_id: "U0KRQLJ9H", app_id: "A0KRD7HC3", team, enterprise: { name: "slack-sports", id: "E12345678" }, authed_user: authedUser } }
  },
  {
    name: "token rotation: a 12-hour token and a new refresh token",
    source: rotation,
    status: 200,
    headers: json,
    body: JSON.stringify({ ok: true, app_id: "A0KRD7HC3", access_token: "xoxe.xoxb-1-MS0yLTIyMTk1NTk5NTQ5LTI", expires_in: 43200, refresh_token: "xoxe-1-My0xLTIyMTk1NTk5NTQ5LTI", team, token_type: "bot", scope: "commands" }),
    expected: { _tag: "TokenSet", accessToken: "xoxe.xoxb-1-MS0yLTIyMTk1NTk5NTQ5LTI", tokenType: "Bearer", expiresAt: after(43200), refreshToken: "xoxe-1-My0xLTIyMTk1NTk5NTQ5LTI", scopes: ["commands"], extra: { ok: true, app_id: "A0KRD7HC3", team } }
  },
  {
    name: "user token alone: token_type user read as Bearer",
    source: access,
    status: 200,
    headers: json,
    body: JSON.stringify({ ok: true, access_token: "xoxp-1234", token_type: "user", scope: "chat:write" }),
    expected: { _tag: "TokenSet", accessToken: "xoxp-1234", tokenType: "Bearer", scopes: ["chat:write"], extra: { ok: true } }
  },
  {
    name: "invalid_code inside HTTP 200, read as invalid_grant",
    source: `${access}#errors`,
    status: 200,
    headers: json,
    body: JSON.stringify({ ok: false, error: "invalid_code" }),
    expected: { _tag: "OAuthError", error: "invalid_grant", status: 200, remedy: "reauthorize", details: { ok: false, provider_error: "invalid_code" } }
  },
  // oauth.v2.access documents no error for a dead refresh token (invalid_refresh_token is documented for
  // tooling.tokens.rotate only): no row for it, and no mapping.
  {
    name: "bad_client_secret read as invalid_client",
    source: `${access}#errors`,
    status: 200,
    headers: json,
    body: JSON.stringify({ ok: false, error: "bad_client_secret" }),
    expected: { _tag: "OAuthError", error: "invalid_client", status: 200, remedy: "fixConfiguration", details: { ok: false, provider_error: "bad_client_secret" } }
  },
  {
    name: "rate limited: HTTP 429, ratelimited read as temporarily_unavailable with Retry-After",
    source: "https://api.slack.com/apis/rate-limits",
    status: 429,
    headers: { ...json, "retry-after": "30" },
    body: JSON.stringify({ ok: false, error: "ratelimited" }),
    expected: { _tag: "OAuthError", error: "temporarily_unavailable", status: 429, remedy: "retry", retryAfter: 30, details: { ok: false, provider_error: "ratelimited" } }
  }
]

shapeSuite("Slack / documented token responses", Slack.make(), rows)

describe("Slack.make", () => {
  it("sends user scopes comma-separated as user_scope", () => {
    expect(Slack.make({ userScopes: ["identity.basic", "identity.email"], team: "T9TK3CUKW" }).requests?.authorizationParams).toEqual({
      user_scope: "identity.basic,identity.email",
      team: "T9TK3CUKW"
    })
  })
})
