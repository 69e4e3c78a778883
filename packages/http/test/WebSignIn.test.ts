import { WebSignIn } from "@effect-oauth/http"
import { describe, expect, it } from "@effect/vitest"
import { SessionRegistry } from "@effect-oauth/session"
import { TokenSet } from "@effect-oauth/core"
import { HttpServerResponse } from "@effect/platform"
import { Effect, Option, Redacted } from "effect"
import * as SealedCookie from "../src/internal/sealedCookie.js"
import { encodings, origin, secret, setup } from "./helpers.js"

/** Login, consent at the embedded server, and the callback URL it sends the browser to. */
const startSignIn = (app: Effect.Effect.Success<ReturnType<typeof setup>>, returnTo?: string) =>
  Effect.gen(function*() {
    const login = yield* app.send(`/auth/login${returnTo === undefined ? "" : `?returnTo=${encodeURIComponent(returnTo)}`}`)
    expect(login.response.status).toBe(302)
    const pending = app.jar.get("effect-oauth.pending")
    expect(pending).toBeDefined()
    const callbackUrl = yield* app.server.approve(login.response.headers.get("location")!)
    return { callbackUrl: new URL(callbackUrl), pending: pending!, login }
  })

const pathOf = (url: URL) => `${url.pathname}${url.search}`

describe("WebSignIn / routes", () => {
  it.scoped("signs in, lands on returnTo, and gives the handler the user's session", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const { callbackUrl, login } = yield* startSignIn(app, "/me?tab=1")
      const pendingCookie = login.setCookies.find((c) => c.startsWith("effect-oauth.pending="))!
      expect(pendingCookie).toMatch(/HttpOnly/i)
      expect(pendingCookie).toMatch(/SameSite=Lax/i)
      expect(pendingCookie).toMatch(/Path=\/auth/i)
      expect(pendingCookie).not.toMatch(/Secure/i) // loopback
      const callback = yield* app.send(pathOf(callbackUrl))
      expect(callback.response.status).toBe(303)
      expect(callback.response.headers.get("location")).toBe("/me?tab=1")
      expect(app.jar.has("effect-oauth.pending")).toBe(false)
      expect(app.jar.has("effect-oauth.session")).toBe(true)
      const me = yield* app.send("/me")
      expect(me.response.status).toBe(200)
      expect(JSON.parse(me.body)).toEqual({ account: "user-1", me: expect.objectContaining({ sub: "user-1" }) })
    }), 60_000)

  it.scoped("sets Secure cookies on an origin that is not loopback", () =>
    Effect.gen(function*() {
      const app = yield* setup({ origin: "https://app.example" })
      const login = yield* app.send("/auth/login")
      expect(login.setCookies.find((c) => c.startsWith("effect-oauth.pending="))).toMatch(/Secure/)
    }), 60_000)

  it.scoped("gives the session cookie a new value on each sign-in", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const first = yield* startSignIn(app)
      yield* app.send(pathOf(first.callbackUrl))
      const before = app.jar.get("effect-oauth.session")
      const second = yield* startSignIn(app)
      yield* app.send(pathOf(second.callbackUrl))
      expect(app.jar.get("effect-oauth.session")).not.toBe(before)
    }), 60_000)

  it.scoped("puts no token and no PKCE verifier in any cookie, header or page, in any encoding", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const login = yield* app.send("/auth/login")
      const sealer = yield* SealedCookie.make(secret)
      const pending = (yield* sealer.open("effect-oauth.pending", app.jar.get("effect-oauth.pending")!)).pipe(Option.getOrThrow) as {
        request: { codeVerifier: string; state: string }
      }
      const callbackUrl = yield* app.server.approve(login.response.headers.get("location")!)
      const callback = yield* app.send(pathOf(new URL(callbackUrl)))
      const me = yield* app.send("/me")
      const tokens = yield* app.registry.tokens({ provider: "idp", account: "user-1" })
      const secrets = [
        pending.request.codeVerifier,
        Redacted.value(tokens.accessToken),
        Redacted.value(tokens.refreshToken!),
        ...(tokens.idToken === undefined ? [] : [Redacted.value(tokens.idToken)])
      ]
      const seen = [login, callback, me].flatMap((r) => [r.body, ...Array.from(r.response.headers.entries(), ([k, v]) => `${k}: ${v}`)])
      for (const value of secrets) {
        for (const encoded of encodings(value)) {
          for (const text of seen) expect(text.includes(encoded)).toBe(false)
        }
      }
    }), 60_000)

  it.scoped("sign-out revokes at the server, clears the store and the cookie", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const { callbackUrl } = yield* startSignIn(app)
      yield* app.send(pathOf(callbackUrl))
      const tokens = yield* app.registry.tokens({ provider: "idp", account: "user-1" })
      const logout = yield* app.send("/auth/logout", { method: "POST", headers: { origin } })
      expect(logout.response.status).toBe(303)
      expect(app.jar.has("effect-oauth.session")).toBe(false)
      const stored = yield* app.store.get(SessionRegistry.storeKey({ provider: "idp", account: "user-1" }))
      expect(Option.isNone(stored)).toBe(true)
      const introspection = yield* app.client.introspect(tokens.refreshToken!, { hint: "refresh_token" })
      expect(introspection.active).toBe(false)
      const me = yield* app.send("/me")
      expect(me.response.status).toBe(303)
      expect(me.response.headers.get("location")).toBe("/auth/login?returnTo=%2Fme")
    }), 60_000)

  it.scoped("a user who signs out and back in is signed in again at once (the revoked session leaves memory)", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      yield* app.send(pathOf((yield* startSignIn(app)).callbackUrl))
      expect((yield* app.send("/me")).response.status).toBe(200)
      yield* app.send("/auth/logout", { method: "POST" })
      yield* app.send(pathOf((yield* startSignIn(app)).callbackUrl))
      expect((yield* app.send("/me")).response.status).toBe(200)
    }), 60_000)

  it.scoped("a store that cannot be read answers 503 and keeps the session cookie: it is not a sign-out", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      yield* app.send(pathOf((yield* startSignIn(app)).callbackUrl))
      app.faults.failGets = true
      const me = yield* app.send("/me")
      expect(me.response.status).toBe(503)
      expect(me.setCookies).toEqual([])
      app.faults.failGets = false
      expect((yield* app.send("/me")).response.status).toBe(200)
    }), 60_000)

  it.scoped("sign-out continues at the provider's end_session_endpoint with endSession", () =>
    Effect.gen(function*() {
      const app = yield* setup({ endSession: { postLogoutRedirectUri: `${origin}/` } })
      const { callbackUrl } = yield* startSignIn(app)
      yield* app.send(pathOf(callbackUrl))
      const logout = yield* app.send("/auth/logout", { method: "POST" })
      const location = new URL(logout.response.headers.get("location")!)
      expect(location.origin + location.pathname).toBe(String(app.client.provider.metadata?.["end_session_endpoint"]))
      expect(location.searchParams.get("post_logout_redirect_uri")).toBe(`${origin}/`)
      expect(location.searchParams.get("client_id")).toBe(app.client.clientId)
    }), 60_000)
})

describe("WebSignIn / onSignIn", () => {
  it.scoped("stores what onSignIn returns, and nothing when it fails", () =>
    Effect.gen(function*() {
      const replaced = yield* setup({
        onSignIn: (tokens) =>
          Effect.succeed(TokenSet.make({
            accessToken: "replaced-token",
            issuedAt: tokens.issuedAt,
            scopes: tokens.scopes,
            idToken: tokens.idToken,
            idTokenClaims: TokenSet.claims(tokens)
          }))
      })
      yield* replaced.send(pathOf((yield* startSignIn(replaced)).callbackUrl))
      const stored = yield* replaced.store.get(SessionRegistry.storeKey({ provider: "idp", account: "user-1" }))
      expect(Option.map(stored, (e) => Redacted.value(e.tokens.accessToken))).toEqual(Option.some("replaced-token"))

      const failing = yield* setup({ onSignIn: () => Effect.fail("no") })
      const callback = yield* failing.send(pathOf((yield* startSignIn(failing)).callbackUrl))
      expect(callback.response.status).toBe(400)
      expect(callback.body).toContain("onSignIn failed")
      expect(failing.jar.has("effect-oauth.session")).toBe(false)
      const none = yield* failing.store.get(SessionRegistry.storeKey({ provider: "idp", account: "user-1" }))
      expect(Option.isNone(none)).toBe(true)
    }), 60_000)
})

describe("WebSignIn / refusals", () => {
  it.scoped("refuses a forged state", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const { callbackUrl } = yield* startSignIn(app)
      callbackUrl.searchParams.set("state", "forged-state-value")
      const callback = yield* app.send(pathOf(callbackUrl))
      expect(callback.response.status).toBe(400)
      expect(callback.body).toContain("state differs")
      expect(app.jar.has("effect-oauth.session")).toBe(false)
      expect(app.jar.has("effect-oauth.pending")).toBe(false)
    }), 60_000)

  it.scoped("refuses a replayed state: the callback of an earlier sign-in against a newer one's cookie", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const first = yield* startSignIn(app)
      yield* startSignIn(app) // the browser started again: its cookie is the second request's
      const callback = yield* app.send(pathOf(first.callbackUrl))
      expect(callback.response.status).toBe(400)
      expect(callback.body).toContain("state differs")
      expect(app.jar.has("effect-oauth.session")).toBe(false)
    }), 60_000)

  it.scoped("refuses a replayed callback, with or without the cookie it came with", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const { callbackUrl, pending } = yield* startSignIn(app)
      expect((yield* app.send(pathOf(callbackUrl))).response.status).toBe(303)
      const again = yield* app.send(pathOf(callbackUrl), { cookies: {} })
      expect(again.response.status).toBe(400)
      expect(again.body).toContain("sign-in cookie is missing")
      // An attacker holding both: the code was used once, the server refuses it.
      const replay = yield* app.send(pathOf(callbackUrl), { cookies: { "effect-oauth.pending": pending } })
      expect(replay.response.status).toBe(400)
      expect(replay.body).toContain("invalid_grant")
    }), 60_000)

  it.scoped("turns a denied consent and an issuer mismatch into the error page with a way on, and signs nobody in", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const login = yield* app.send("/auth/login")
      const denied = new URL(yield* app.server.approve(login.response.headers.get("location")!, { deny: true }))
      const deniedPage = yield* app.send(pathOf(denied))
      expect(deniedPage.response.status).toBe(400)
      expect(deniedPage.body).toContain("access_denied")
      expect(deniedPage.body).toContain(`href="/auth/login"`)

      const { callbackUrl } = yield* startSignIn(app)
      callbackUrl.searchParams.set("iss", "https://evil.example")
      const mismatch = yield* app.send(pathOf(callbackUrl))
      expect(mismatch.response.status).toBe(400)
      expect(mismatch.body).toContain(`&quot;https://evil.example&quot; received (RFC 9207)`)
      expect(app.jar.has("effect-oauth.session")).toBe(false)
      expect((yield* app.server.tokenRequests).byGrantType["authorization_code"] ?? 0).toBe(0)
    }), 60_000)

  it.scoped("lets the app choose the answer to a failed sign-in (onError), with the error's reason and remedy", () =>
    Effect.gen(function*() {
      const app = yield* setup({
        onError: (error) =>
          Effect.succeed(HttpServerResponse.redirect(`/signed-out?reason=${error.reason}&remedy=${error.remedy}`, { status: 303 }))
      })
      const { callbackUrl } = yield* startSignIn(app)
      callbackUrl.searchParams.set("state", "forged")
      const callback = yield* app.send(pathOf(callbackUrl))
      expect(callback.response.status).toBe(303)
      expect(callback.response.headers.get("location")).toBe("/signed-out?reason=Callback&remedy=reauthorize")
    }), 60_000)

  it.scoped("refuses a callback without the cookie", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const { callbackUrl } = yield* startSignIn(app)
      const callback = yield* app.send(pathOf(callbackUrl), { cookies: {} })
      expect(callback.response.status).toBe(400)
      expect(callback.body).toContain("sign-in cookie is missing")
      expect(callback.body).toContain(`href="/auth/login"`)
    }), 60_000)

  it.scoped("refuses a tampered cookie, and one sealed for the other cookie", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const { callbackUrl, pending } = yield* startSignIn(app)
      const flipped = pending.slice(0, 20) + (pending[20] === "A" ? "B" : "A") + pending.slice(21)
      const tampered = yield* app.send(pathOf(callbackUrl), { cookies: { "effect-oauth.pending": flipped } })
      expect(tampered.response.status).toBe(400)
      expect(tampered.body).toContain("sign-in cookie is not valid")
      const truncated = yield* app.send(pathOf(callbackUrl), { cookies: { "effect-oauth.pending": pending.slice(0, 30) } })
      expect(truncated.body).toContain("sign-in cookie is not valid")
      // The session cookie's value under the pending cookie's name does not open.
      const sealer = yield* SealedCookie.make(secret)
      const other = yield* sealer.seal("effect-oauth.session", { v: 1 })
      const swapped = yield* app.send(pathOf(callbackUrl), { cookies: { "effect-oauth.pending": other } })
      expect(swapped.body).toContain("sign-in cookie is not valid")
      // The untouched cookie still completes the sign-in: the refusals wrote nothing.
      const ok = yield* app.send(pathOf(callbackUrl), { cookies: { "effect-oauth.pending": pending } })
      expect(ok.response.status).toBe(303)
    }), 60_000)

  it.scoped("refuses a tampered session cookie as signed out", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const { callbackUrl } = yield* startSignIn(app)
      yield* app.send(pathOf(callbackUrl))
      const value = app.jar.get("effect-oauth.session")!
      const flipped = value.slice(0, 20) + (value[20] === "A" ? "B" : "A") + value.slice(21)
      const me = yield* app.send("/me", { cookies: { "effect-oauth.session": flipped } })
      expect(me.response.status).toBe(303)
      expect(me.response.headers.get("location")).toContain("/auth/login")
    }), 60_000)

  for (const returnTo of ["https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example", "/.//evil.example", "javascript:alert(1)", "evil"]) {
    it.scoped(`refuses a returnTo to another origin: ${JSON.stringify(returnTo)}`, () =>
      Effect.gen(function*() {
        const app = yield* setup()
        const login = yield* app.send(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`)
        expect(login.response.status).toBe(400)
        expect(login.body).toContain("return address is not on this site")
        expect(app.jar.has("effect-oauth.pending")).toBe(false)
      }), 60_000)
  }

  it.scoped("refuses a sign-out posted from another origin", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const { callbackUrl } = yield* startSignIn(app)
      yield* app.send(pathOf(callbackUrl))
      const logout = yield* app.send("/auth/logout", { method: "POST", headers: { origin: "https://evil.example" } })
      expect(logout.response.status).toBe(403)
      expect((yield* app.send("/me")).response.status).toBe(200)
    }), 60_000)

  it.effect("refuses a secret shorter than 32 bytes", () =>
    Effect.gen(function*() {
      const error = yield* setup({ secret: Redacted.make("short") }).pipe(Effect.scoped, Effect.flip)
      expect(error).toBeInstanceOf(WebSignIn.SignInFailed)
      expect((error as WebSignIn.SignInFailed).reason).toBe("Configuration")
    }), 60_000)
})

describe("WebSignIn / checkReturnTo", () => {
  it("refuses a path that normalizes to a protocol-relative URL (/.//host, /a/..//host)", () => {
    for (const returnTo of ["/.//evil.example", "/a/..//evil.example/x", "/./\\evil.example"]) {
      expect(WebSignIn.checkReturnTo(returnTo, new URL(origin))).toEqual(Option.none())
    }
  })

  it("keeps a path with its query and fragment on the app's origin", () => {
    expect(WebSignIn.checkReturnTo("/a/b?c=1#d", new URL(origin))).toEqual(Option.some("/a/b?c=1#d"))
    expect(WebSignIn.checkReturnTo("/../x", new URL(origin))).toEqual(Option.some("/x"))
  })
})
