import { OAuthClient, TokenSet } from "@effect-oauth/core"
import { Reddit } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"
import { jsonResponse, stub } from "./helpers/http.js"

const docs = "https://github.com/reddit-archive/reddit/wiki/OAuth2"
const userAgent = "web:com.example.app:v1.0 (by /u/example)"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with duration=permanent: a refresh token",
    source: `${docs}#retrieving-the-access-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "J1qK1c18UUGJFAzz9xnH56584l4", token_type: "bearer", expires_in: 3600, scope: "identity read", refresh_token: "J1qK1c18UUGJFAzz9xnH56584l4r" }),
    expected: { _tag: "TokenSet", accessToken: "J1qK1c18UUGJFAzz9xnH56584l4", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "J1qK1c18UUGJFAzz9xnH56584l4r", scopes: ["identity", "read"], extra: {} }
  },
  {
    name: "refresh: no refresh token (the first is kept)",
    source: `${docs}#refreshing-the-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "J1qK1c18UUGJFAzz9xnH56584l5", token_type: "bearer", expires_in: 3600, scope: "identity read" }),
    expected: { _tag: "TokenSet", accessToken: "J1qK1c18UUGJFAzz9xnH56584l5", tokenType: "Bearer", expiresAt: after(3600), scopes: ["identity", "read"], extra: {} }
  },
  // Reddit's OAuth2 wiki as found shows no error body of /api/v1/access_token: no error rows, and no
  // Reddit body is read specially.
]

shapeSuite("Reddit / documented token responses", Reddit.make({ userAgent }), rows)

describe("Reddit.make", () => {
  it.effect("sends the User-Agent and the Basic credential with every token request", () =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => jsonResponse({ access_token: "a", token_type: "bearer", expires_in: 3600 }))
      const oauth = yield* OAuthClient.make({
        provider: Reddit.make({ userAgent }),
        client: { clientId: "p-jcoLKBynTLew", clientSecret: Redacted.make("gko_LXELoV07ZBNUXrvWZfzE3aI") }
      }).pipe(Effect.provide(layer))
      yield* oauth.refresh(TokenSet.make({ accessToken: "old", issuedAt: 0, refreshToken: "J1qK1c18UUGJFAzz9xnH56584l4r" }))
      expect(seen[0]?.headers["user-agent"]).toBe(userAgent)
      expect(seen[0]?.headers["authorization"]).toMatch(/^Basic /)
    }))

  it("asks for duration=permanent unless told temporary", () => {
    expect(Reddit.make({ userAgent }).requests?.authorizationParams).toEqual({ duration: "permanent" })
    expect(Reddit.make({ userAgent, duration: "temporary" }).requests?.authorizationParams).toEqual({ duration: "temporary" })
  })
})
