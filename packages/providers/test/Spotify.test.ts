import { Spotify } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const code = "https://developer.spotify.com/documentation/web-api/tutorials/code-flow"
const refresh = "https://developer.spotify.com/documentation/web-api/tutorials/refreshing-tokens"
const apiCalls = "https://developer.spotify.com/documentation/web-api/concepts/api-calls"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange",
    source: `${code}#response`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "NgCXRK...MzYjw", token_type: "Bearer", scope: "user-read-private user-read-email", expires_in: 3600, refresh_token: "NgAagA...Um_SHo" }),
    expected: { _tag: "TokenSet", accessToken: "NgCXRK...MzYjw", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "NgAagA...Um_SHo", scopes: ["user-read-private", "user-read-email"], extra: {} }
  },
  {
    name: "refresh without a new refresh token (the previous one is kept)",
    source: refresh,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "BQBLuPRYBQ...BP8stIv5xr-Iwaf4l8eg", token_type: "Bearer", expires_in: 3600, scope: "user-read-email user-read-private" }),
    expected: { _tag: "TokenSet", accessToken: "BQBLuPRYBQ...BP8stIv5xr-Iwaf4l8eg", tokenType: "Bearer", expiresAt: after(3600), scopes: ["user-read-email", "user-read-private"], extra: {} }
  },
  {
    name: "refresh with a new refresh token",
    source: refresh,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "BQBLuPRYBQ...BP8stIv5xr-Iwaf4l8eg", token_type: "Bearer", expires_in: 3600, refresh_token: "AQAQfyEFmJJuCvAFh...cG_m-2KTgNDaDMQqjrOa3", scope: "user-read-email user-read-private" }),
    expected: { _tag: "TokenSet", accessToken: "BQBLuPRYBQ...BP8stIv5xr-Iwaf4l8eg", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "AQAQfyEFmJJuCvAFh...cG_m-2KTgNDaDMQqjrOa3", scopes: ["user-read-email", "user-read-private"], extra: {} }
  },
  // Spotify documents that token and refresh errors follow RFC 6749 §5.2 (`error`, `error_description`);
  // it gives no description texts, so the rows carry none.
  oauthError({ name: "a used or expired code", source: apiCalls, status: 400, headers: json, error: "invalid_grant", remedy: "reauthorize" }),
  oauthError({ name: "a revoked refresh token", source: apiCalls, status: 400, headers: json, error: "invalid_grant", remedy: "reauthorize" }),
  oauthError({ name: "a wrong client secret", source: apiCalls, status: 400, headers: json, error: "invalid_client", remedy: "fixConfiguration" })
]

shapeSuite("Spotify / documented token responses", Spotify.make(), rows)

describe("Spotify.make", () => {
  it("sends the secret in the Basic header and passes show_dialog", () => {
    const provider = Spotify.make({ showDialog: true })
    expect(provider.tokenEndpointAuthMethodsSupported?.[0]).toBe("client_secret_basic")
    expect(provider.requests?.authorizationParams).toEqual({ show_dialog: "true" })
  })
})
