import { Callback, IdToken, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock } from "effect"
import { UnsecuredJWT } from "jose"

// OpenID Connect against the embedded oidc-provider: the ID tokens it issues are
// validated against its JWKS; tokens it would never issue (alg none, a forged
// signature) are made from its real ones.

const Live = Layer.merge(TestServer.layer(), FetchHttpClient.layer)

const clientOf = Effect.gen(function*() {
  const server = yield* TestServer.TestServerTag
  const provider = yield* Provider.discover(server.issuer)
  const oauth = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
  return { server, provider, oauth }
})

const signIn = Effect.gen(function*() {
  const { oauth, provider, server } = yield* clientOf
  const request = yield* oauth.authorizationUrl()
  const callback = yield* server.approve(request.url)
  return { oauth, provider, server, request, callback }
})

const validateAgainst = (provider: Provider.Provider, token: Redacted.Redacted<string>, clientId = "web-client") =>
  Effect.gen(function*() {
    const keys = yield* IdToken.remoteKeySet(provider.jwksUri!)
    return yield* IdToken.validate(token, { issuer: provider.issuer!, clientId, keys })
  })

describe("OpenID Connect against the embedded server", () => {
  layer(Live, { excludeTestServices: true, timeout: "30 seconds" })("ID tokens", (it) => {
    it.effect("sends a nonce, validates the ID token and puts its claims on the TokenSet", () =>
      Effect.gen(function*() {
        const { callback, oauth, request, server } = yield* signIn
        expect(new URL(request.url).searchParams.get("nonce")).toBe(Redacted.value(request.nonce!))
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(callback, request))
        expect(TokenSet.claims(tokens)).toMatchObject({
          iss: server.issuer,
          sub: "user-1",
          aud: "web-client",
          nonce: Redacted.value(request.nonce!)
        })
        // The claims identify the user and hold the nonce: redacted like the tokens.
        for (const rendered of [String(tokens), JSON.stringify(tokens), String(tokens.idTokenClaims)]) {
          expect(rendered).not.toContain(Redacted.value(request.nonce!))
          expect(rendered).not.toContain("user-1")
        }
      }))

    it.effect("refuses the ID token when the nonce differs from the one sent (NonceMismatch)", () =>
      Effect.gen(function*() {
        const { callback, oauth, request } = yield* signIn
        const other = new Callback.AuthorizationRequest({ ...request, nonce: Redacted.make("another-nonce") })
        const error = yield* Effect.flip(oauth.exchangeCode(yield* Callback.parse(callback, other)))
        expect(error).toMatchObject({ _tag: "IdTokenInvalid", reason: "NonceMismatch", claim: "nonce" })
      }))

    it.effect("refuses the server's ID token for another audience, with a forged payload, and re-encoded as alg none", () =>
      Effect.gen(function*() {
        const { callback, oauth, provider, request } = yield* signIn
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(callback, request))
        const idToken = tokens.idToken!
        expect((yield* validateAgainst(provider, idToken)).sub).toBe("user-1")

        const wrongAud = yield* Effect.flip(validateAgainst(provider, idToken, "post-client"))
        expect(wrongAud).toMatchObject({ _tag: "IdTokenInvalid", reason: "AudienceMismatch" })

        const [header, , signature] = Redacted.value(idToken).split(".")
        const forged = Buffer.from(JSON.stringify({ ...TokenSet.claims(tokens), sub: "admin" })).toString("base64url")
        const tampered = yield* Effect.flip(validateAgainst(provider, Redacted.make(`${header}.${forged}.${signature}`)))
        expect(tampered).toMatchObject({ _tag: "IdTokenInvalid", reason: "SignatureInvalid" })

        const unsigned = Redacted.make(new UnsecuredJWT(JSON.parse(JSON.stringify(TokenSet.claims(tokens)))).encode())
        const none = yield* Effect.flip(validateAgainst(provider, unsigned))
        expect(none).toMatchObject({ _tag: "IdTokenInvalid", reason: "AlgorithmNone" })
      }))

    it.effect("validates the ID token of a refresh against the first one (same iss, sub, aud)", () =>
      Effect.gen(function*() {
        const { callback, oauth, request } = yield* signIn
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(callback, request))
        const refreshed = yield* oauth.refresh(tokens)
        // A fresh decode of the new ID token, not the claims carried over.
        expect(TokenSet.claims(refreshed)).not.toBe(TokenSet.claims(tokens))
        expect(TokenSet.claims(refreshed)).toMatchObject({ iss: TokenSet.claims(tokens)!.iss, sub: "user-1", aud: "web-client" })
        // A grant whose first ID token named another subject refuses the new ID token:
        // the refresh fails with IdTokenInvalid (SubjectMismatch) carrying the rotated
        // refresh token, and hands out no access token (issue 17).
        const otherSubject = new TokenSet.TokenSet({
          ...refreshed,
          idTokenClaims: Redacted.make({ ...TokenSet.claims(refreshed)!, sub: "user-2" })
        })
        const error = yield* Effect.flip(oauth.refresh(otherSubject))
        expect(error).toMatchObject({ _tag: "IdTokenInvalid", reason: "SubjectMismatch", claim: "sub" })
        expect(error._tag === "IdTokenInvalid" ? error.refreshToken : undefined).toBeDefined()
      }))

    it.effect("reads userinfo and checks its sub against the ID token's (OpenID Connect Core §5.3.2)", () =>
      Effect.gen(function*() {
        const { callback, oauth, request } = yield* signIn
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(callback, request))
        expect(yield* oauth.userinfo(tokens)).toMatchObject({ sub: "user-1" })
        const mismatch = yield* Effect.flip(oauth.userinfo(tokens, { subject: "user-2" }))
        expect(mismatch).toMatchObject({ _tag: "IdTokenInvalid", reason: "SubjectMismatch" })
        const bad = yield* Effect.flip(
          oauth.userinfo(new TokenSet.TokenSet({ ...tokens, accessToken: Redacted.make("not-a-token") }))
        )
        // RFC 6750 §3.1: this access token is refused; a new one may be fine.
        expect(bad).toMatchObject({ _tag: "OAuthError", error: "invalid_token", status: 401, remedy: "retry" })
      }))

    it.effect("puts the validated claims within reach of a session", () =>
      Effect.gen(function*() {
        const { oauth, server } = yield* clientOf
        const session = yield* OAuthSession.make({ key: "oidc-user", refresh: "lazy" }).pipe(
          Effect.provideService(OAuthClient.OAuthClient, oauth),
          Effect.provide(TokenStore.layerMemory)
        )
        const request = yield* session.authorize()
        yield* session.completeAuthorization(yield* server.approve(request.url))
        expect(TokenSet.claims(yield* session.tokens)?.sub).toBe("user-1")
      }).pipe(Effect.scoped))
  })

  it.scoped("refuses the server's ID token once it has expired (exp + skew, time from the Clock)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.now())
      const server = yield* TestServer.make()
      const provider = yield* Provider.discover(server.issuer)
      const oauth = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
      const request = yield* oauth.authorizationUrl()
      const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
      const exp = TokenSet.claims(tokens)!.exp * 1000
      yield* TestClock.setTime(exp + 60_000)
      const error = yield* Effect.flip(validateAgainst(provider, tokens.idToken!))
      expect(error).toMatchObject({ _tag: "IdTokenInvalid", reason: "Expired", claim: "exp" })
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
