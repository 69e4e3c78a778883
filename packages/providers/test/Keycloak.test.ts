import { Keycloak } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"
import { discoveryStub } from "./helpers/http.js"

const docs = "https://www.keycloak.org/securing-apps/oidc-layers"
const options = { baseUrl: "https://keycloak.example.com", realm: "acme" }

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange with refresh_expires_in, session_state and not-before-policy kept",
    source: `${docs}#_token_endpoint`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "eyJhbGciOiJSUzI1NiIsInR5cCIgOiAiSldUIiwia2lkIiA6ICJ4", expires_in: 300, refresh_expires_in: 1800, refresh_token: "eyJhbGciOiJIUzUxMiIsInR5cCIgOiAiSldUIiwia2lkIiA6ICJy", token_type: "Bearer", id_token: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "not-before-policy": 0, session_state: "3a9a7d5c-2b1e-4d5f-8e6a-1c2b3d4e5f60", scope: "openid profile email" }),
    expected: { _tag: "TokenSet", accessToken: "eyJhbGciOiJSUzI1NiIsInR5cCIgOiAiSldUIiwia2lkIiA6ICJ4", tokenType: "Bearer", expiresAt: after(300), refreshToken: "eyJhbGciOiJIUzUxMiIsInR5cCIgOiAiSldUIiwia2lkIiA6ICJy", refreshTokenExpiresAt: after(1800), idToken: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", scopes: ["openid", "profile", "email"], extra: { "not-before-policy": 0, session_state: "3a9a7d5c-2b1e-4d5f-8e6a-1c2b3d4e5f60" } }
  },
  {
    name: "offline token: refresh_expires_in 0 means no known expiry",
    source: "https://www.keycloak.org/docs/latest/server_admin/#_offline-access",
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "eyJhbGciOiJSUzI1NiJ9.b2ZmbGluZQ.c2ln", expires_in: 300, refresh_expires_in: 0, refresh_token: "eyJhbGciOiJIUzUxMiJ9.b2ZmbGluZS1ydA.c2ln", token_type: "Bearer", scope: "offline_access" }),
    expected: { _tag: "TokenSet", accessToken: "eyJhbGciOiJSUzI1NiJ9.b2ZmbGluZQ.c2ln", tokenType: "Bearer", expiresAt: after(300), refreshToken: "eyJhbGciOiJIUzUxMiJ9.b2ZmbGluZS1ydA.c2ln", scopes: ["offline_access"], extra: {} }
  }
  // Keycloak's documentation as found shows no error body of the token endpoint: no error rows.
]

shapeSuite("Keycloak / documented token responses", Keycloak.make(options), rows)

describe("Keycloak", () => {
  it("builds the realm's endpoints", () => {
    const provider = Keycloak.make(options)
    expect([provider.issuer, provider.tokenEndpoint, provider.revocationEndpoint]).toEqual([
      "https://keycloak.example.com/realms/acme",
      "https://keycloak.example.com/realms/acme/protocol/openid-connect/token",
      "https://keycloak.example.com/realms/acme/protocol/openid-connect/revoke"
    ])
  })

  it.effect("discovers the realm", () =>
    Effect.gen(function*() {
      const { layer } = discoveryStub("https://keycloak.example.com/realms/acme", {
        token_endpoint: "https://keycloak.example.com/realms/acme/protocol/openid-connect/token"
      })
      const found = yield* Keycloak.discover(options).pipe(Effect.provide(layer))
      expect([found.name, found.tokenEndpoint]).toEqual(["keycloak", Keycloak.make(options).tokenEndpoint])
    }))
})
