import { Apple } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Encoding, Redacted } from "effect"
import { after, type Fixture, json, oauthError, shapeSuite } from "./helpers/fixtures.js"

const tokens = "https://developer.apple.com/documentation/sign_in_with_apple/tokenresponse"
const errors = "https://developer.apple.com/documentation/sign_in_with_apple/errorresponse"
const idToken = "eyJraWQiOiJZdXlYb1kiLCJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2FwcGxlaWQuYXBwbGUuY29tIn0.c2lnbmF0dXJl"

const rows: ReadonlyArray<Fixture> = [
  {
    name: "code exchange: access, refresh and ID token",
    source: tokens,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "a0b1c2d3e4f5.0.mrqs.Kx3Q", expires_in: 3600, id_token: idToken, refresh_token: "r0b1c2d3e4f5.0.mrqs.Jz9L", token_type: "Bearer" }),
    expected: { _tag: "TokenSet", accessToken: "a0b1c2d3e4f5.0.mrqs.Kx3Q", tokenType: "Bearer", expiresAt: after(3600), refreshToken: "r0b1c2d3e4f5.0.mrqs.Jz9L", idToken, scopes: [], extra: {} }
  },
  {
    name: "refresh: a new access token, no refresh token (the first is kept)",
    source: tokens,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "a9b8c7d6e5f4.0.mrqs.Lp2W", expires_in: 3600, token_type: "Bearer" }),
    expected: { _tag: "TokenSet", accessToken: "a9b8c7d6e5f4.0.mrqs.Lp2W", tokenType: "Bearer", expiresAt: after(3600), scopes: [], extra: {} }
  },
  oauthError({ name: "an expired or used code or refresh token", source: errors, status: 400, headers: json, error: "invalid_grant", remedy: "reauthorize" }),
  oauthError({ name: "a client secret JWT that does not verify", source: errors, status: 400, headers: json, error: "invalid_client", remedy: "fixConfiguration" })
]

shapeSuite("Apple / documented token responses", Apple.make(), rows)

const decode = (segment: string) => JSON.parse(new TextDecoder().decode(Encoding.decodeBase64Url(segment).pipe((r) => r._tag === "Right" ? r.right : new Uint8Array())))

describe("Apple.clientSecret", () => {
  it.effect("signs an ES256 JWT: iss the team, sub the client, aud appleid.apple.com, kid the key", () =>
    Effect.gen(function*() {
      const pair = yield* Effect.promise(() => crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]))
      const secret = yield* Apple.clientSecret({ teamId: "DEF123GHIJ", clientId: "com.example.web", keyId: "ABC123DEFG", privateKey: pair.privateKey })
      const [header, payload, signature] = Redacted.value(secret).split(".")
      expect(decode(header!)).toMatchObject({ alg: "ES256", kid: "ABC123DEFG" })
      expect(decode(payload!)).toMatchObject({ iss: "DEF123GHIJ", sub: "com.example.web", aud: "https://appleid.apple.com" })
      const signed = new TextEncoder().encode(`${header}.${payload}`)
      const raw = Encoding.decodeBase64Url(signature!)
      const ok = yield* Effect.promise(() =>
        crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pair.publicKey, new Uint8Array(raw._tag === "Right" ? raw.right : []), signed)
      )
      expect(ok).toBe(true)
    }))

  it.effect("refuses a key that cannot sign ES256", () =>
    Effect.gen(function*() {
      const hmac = yield* Effect.promise(() => crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]))
      const error = yield* Effect.flip(Apple.clientSecret({ teamId: "T", clientId: "c", keyId: "k", privateKey: hmac }))
      expect(error._tag).toBe("ConfigurationError")
    }))
})

describe("Apple.make / Apple.readUser", () => {
  it("asks for response_mode=form_post and sends the secret in the body", () => {
    const provider = Apple.make()
    expect(provider.requests?.authorizationParams).toEqual({ response_mode: "form_post" })
    expect(provider.tokenEndpointAuthMethodsSupported).toEqual(["client_secret_post"])
    expect(provider.revocationEndpoint).toBe("https://appleid.apple.com/auth/revoke")
  })

  it("reads the name sent on the first sign-in, and nothing on later ones", () => {
    // https://developer.apple.com/documentation/sign_in_with_apple/request_an_authorization_to_the_sign_in_with_apple_server#Handle-the-response
    const first = new URLSearchParams({ code: "c", state: "s", user: JSON.stringify({ name: { firstName: "Jane", lastName: "Appleseed" }, email: "jane@example.com" }) })
    expect(Apple.readUser(first)).toEqual({ email: "jane@example.com", firstName: "Jane", lastName: "Appleseed" })
    expect(Apple.readUser(new URLSearchParams({ code: "c", state: "s" }))).toBeUndefined()
    expect(Apple.readUser(new URLSearchParams({ user: "{not json" }))).toBeUndefined()
  })
})
