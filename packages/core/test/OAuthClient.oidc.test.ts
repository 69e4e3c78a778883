import { Callback, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import type { IdToken } from "@effect-oauth/core"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock } from "effect"
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from "jose"

// How OAuthClient applies ID token validation to the responses of its grants,
// against `HttpClient.make` stubs: which responses need an ID token, which keys
// and algorithms it uses. The validation itself is tested in IdToken.test.ts.

const t0 = Date.UTC(2025, 0, 15, 12, 0, 0)
const issuer = "https://op.example.com"
const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true })
const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" } as IdToken.Jwk

const idToken = (nonce: string | undefined) =>
  new SignJWT({ iss: issuer, sub: "user-1", aud: "client-1", iat: t0 / 1000, exp: t0 / 1000 + 300, ...(nonce === undefined ? {} : { nonce }) })
    .setProtectedHeader({ alg: "ES256", kid: "k1" })
    .sign(privateKey)

const provider = (fields: Partial<Provider.Provider> = {}) =>
  Provider.make({
    name: "op",
    issuer,
    authorizationEndpoint: `${issuer}/authorize`,
    tokenEndpoint: `${issuer}/token`,
    jwksUri: `${issuer}/jwks`,
    metadata: { id_token_signing_alg_values_supported: ["HS256", "ES256", "none"] },
    ...fields
  })

const serve = (tokenBody: (form: URLSearchParams) => Promise<Record<string, unknown>>) =>
  Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request, url) =>
      Effect.promise(async () => {
        if (url.pathname === "/jwks") return HttpClientResponse.fromWeb(request, Response.json({ keys: [jwk] }))
        const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
        return HttpClientResponse.fromWeb(request, Response.json(await tokenBody(new URLSearchParams(body))))
      })
    )
  )

const exchange = (p: Provider.Provider, scopes: ReadonlyArray<string>, respond: (nonce: string | undefined) => Promise<Record<string, unknown>>) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(t0)
    let sentNonce: string | undefined
    const oauth = yield* OAuthClient.make({
      provider: p,
      client: { clientId: "client-1", redirectUri: "https://app.example/cb", scopes }
    }).pipe(Effect.provide(serve(() => respond(sentNonce))))
    const request = yield* oauth.authorizationUrl()
    sentNonce = request.nonce === undefined ? undefined : Redacted.value(request.nonce)
    const response = yield* Callback.parse(
      new URLSearchParams({ code: "c", state: Redacted.value(request.state) }),
      request
    )
    return yield* oauth.exchangeCode(response)
  })

const tokens = { access_token: "at", token_type: "Bearer", expires_in: 60 }

describe("OAuthClient / OpenID Connect", () => {
  it.effect("validates the ID token with the advertised asymmetric algorithms and the request's nonce", () =>
    Effect.gen(function*() {
      const result = yield* exchange(provider(), ["openid"], async (nonce) => ({ ...tokens, id_token: await idToken(nonce) }))
      expect(TokenSet.claims(result)?.sub).toBe("user-1")
    }))

  it.effect("fails with IdTokenInvalid Missing when openid was requested and no ID token came", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(exchange(provider(), ["openid"], async () => tokens))
      expect(error).toMatchObject({ _tag: "IdTokenInvalid", reason: "Missing" })
    }))

  it.effect("refuses an unsigned ID token even though the provider advertises none", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(exchange(provider(), ["openid"], async (nonce) => ({
        ...tokens,
        id_token: new UnsecuredJWT({ iss: issuer, sub: "user-1", aud: "client-1", iat: t0 / 1000, exp: t0 / 1000 + 300, nonce }).encode()
      })))
      expect(error).toMatchObject({ _tag: "IdTokenInvalid", reason: "AlgorithmNone" })
    }))

  it.effect("refuses an algorithm outside the configured ones", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(exchange(provider({ metadata: {} }), ["openid"], async (nonce) => ({
        ...tokens,
        id_token: await idToken(nonce)
      })))
      expect(error).toMatchObject({ _tag: "IdTokenInvalid", reason: "UnsupportedAlgorithm" })
    }))

  it.effect("fails with ConfigurationError when openid was requested from a provider without jwks_uri", () =>
    Effect.gen(function*() {
      const { jwksUri: _, ...withoutKeys } = provider()
      const error = yield* Effect.flip(exchange(Provider.make(withoutKeys), ["openid"], async (nonce) => ({
        ...tokens,
        id_token: await idToken(nonce)
      })))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "MissingEndpoint" })
    }))

  it.effect("leaves a plain OAuth response without an ID token alone", () =>
    Effect.gen(function*() {
      const result = yield* exchange(provider(), ["api:read"], async () => tokens)
      expect(result.idToken).toBeUndefined()
      expect(TokenSet.claims(result)).toBeUndefined()
    }))

  it.effect("issue 17: a refresh whose ID token is refused fails with IdTokenInvalid carrying the rotated refresh token, and no access token", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(t0)
      let round = 0
      const oauth = yield* OAuthClient.make({
        provider: provider(),
        client: { clientId: "client-1", redirectUri: "https://app.example/cb", scopes: ["openid"] }
      }).pipe(Effect.provide(serve(async (form) => {
        round++
        if (form.get("grant_type") === "authorization_code") {
          return { ...tokens, refresh_token: "rt-1", id_token: await idToken(pendingNonce) }
        }
        const [header, payload] = (await idToken(undefined)).split(".")
        return { ...tokens, access_token: "at-2", refresh_token: "rt-2", id_token: `${header}.${payload}.AAAA` }
      })))
      let pendingNonce: string | undefined
      const request = yield* oauth.authorizationUrl()
      pendingNonce = Redacted.value(request.nonce!)
      const first = yield* oauth.exchangeCode(
        yield* Callback.parse(new URLSearchParams({ code: "c", state: Redacted.value(request.state) }), request)
      )
      const error = yield* Effect.flip(oauth.refresh(first))
      expect(round).toBe(2)
      expect(error).toMatchObject({ _tag: "IdTokenInvalid", reason: "SignatureInvalid" })
      expect(error._tag === "IdTokenInvalid" && error.refreshToken !== undefined && Redacted.value(error.refreshToken))
        .toBe("rt-2")
      expect(JSON.stringify(error)).not.toContain("rt-2")
      expect(JSON.stringify(error)).not.toContain("at-2")
    }))
})
