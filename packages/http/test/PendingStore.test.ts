import { WebSignIn } from "@effect-oauth/http"
import { OAuthClient, Provider } from "@effect-oauth/core"
import { SessionRegistry, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { FetchHttpClient, HttpApp, HttpRouter, HttpServerResponse, KeyValueStore } from "@effect/platform"
import * as PlatformError from "@effect/platform/Error"
import { Clock, Effect, Option } from "effect"
import * as SealedCookie from "../src/internal/sealedCookie.js"
import { encodings, origin, secret, sender } from "./helpers.js"

/** A clock `shift.ms` ahead of the real one. */
const shiftedClock = (shift: { ms: number }): Clock.Clock => {
  const real = Clock.make()
  const millis = () => real.unsafeCurrentTimeMillis() + shift.ms
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    unsafeCurrentTimeNanos: () => BigInt(millis()) * 1_000_000n,
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanos: Effect.sync(() => BigInt(millis()) * 1_000_000n),
    sleep: (duration) => real.sleep(duration)
  }
}

/**
 * Two instances of one app, each with its own router, registry and sign-in,
 * sharing what a deployment shares: the authorization server, the token store and
 * the pending-request store. One browser (one cookie jar) talks to either.
 */
const twoInstances = Effect.gen(function*() {
  const server = yield* TestServer.make({ redirectUri: `${origin}/auth/callback` })
  const provider = yield* Provider.discover(server.issuer)
  const client = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
  const tokens = yield* TokenStore.makeMemory
  const pendingStore = yield* KeyValueStore.KeyValueStore.pipe(Effect.provide(KeyValueStore.layerMemory))
  const jar = new Map<string, string>()
  const instance = (clockShift: { ms: number }) =>
    Effect.gen(function*() {
      const registry = yield* SessionRegistry.make({ clients: { idp: client } })
      const signIn = yield* WebSignIn.make({ provider: "idp", client, secret, pendingStore }).pipe(
        Effect.provideService(SessionRegistry.SessionRegistry, registry)
      )
      const app = signIn.routes.pipe(
        HttpRouter.get(
          "/me",
          signIn.requireUser("unauthorized")(Effect.gen(function*() {
            const user = yield* WebSignIn.CurrentUser
            return yield* HttpServerResponse.json({ account: user.key.account })
          }))
        )
      )
      return sender(HttpApp.toWebHandler(Effect.withClock(app, shiftedClock(clockShift))), jar)
    }).pipe(Effect.provideService(TokenStore.TokenStore, tokens))
  const laterOnA = { ms: 0 }
  const laterOnB = { ms: 0 }
  const a = yield* instance(laterOnA)
  const b = yield* instance(laterOnB)
  /** `GET /auth/login` on A, consent at the server: the callback path and the cookie's handle. */
  const loginOnA = (returnTo = "/me") =>
    Effect.gen(function*() {
      const login = yield* a(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`)
      expect(login.response.status).toBe(302)
      const callbackUrl = new URL(yield* server.approve(login.response.headers.get("location")!))
      return { login, callbackPath: `${callbackUrl.pathname}${callbackUrl.search}`, handle: jar.get("effect-oauth.pending")! }
    })
  return { server, pendingStore, jar, a, b, laterOnA, laterOnB, loginOnA }
}).pipe(Effect.provide(FetchHttpClient.layer))

/** The store's key for a handle: the SHA-256 of the handle, never the handle. */
const keyOf = (handle: string) =>
  Effect.promise(() => crypto.subtle.digest("SHA-256", new TextEncoder().encode(handle))).pipe(
    Effect.map((digest) => `effect-oauth.pending.${Buffer.from(digest).toString("hex")}`)
  )

describe("WebSignIn / pendingStore", () => {
  it.scoped("signs in with login on one instance and the callback on another, sharing one store", () =>
    Effect.gen(function*() {
      const app = yield* twoInstances
      const { callbackPath, handle, login } = yield* app.loginOnA("/me?tab=1")
      const cookie = login.setCookies.find((c) => c.startsWith("effect-oauth.pending="))!
      expect(cookie).toMatch(/HttpOnly/i)
      expect(cookie).toMatch(/SameSite=Lax/i)
      expect(cookie).toMatch(/Max-Age=600/i)
      expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(yield* app.pendingStore.size).toBe(1)
      expect(yield* app.pendingStore.has(yield* keyOf(handle))).toBe(true)

      const callback = yield* app.b(callbackPath)
      expect(callback.response.status).toBe(303)
      expect(callback.response.headers.get("location")).toBe("/me?tab=1")
      expect(yield* app.pendingStore.size).toBe(0)
      expect(app.jar.has("effect-oauth.pending")).toBe(false)
      for (const send of [app.a, app.b]) {
        const me = yield* send("/me")
        expect(me.response.status).toBe(200)
        expect(JSON.parse(me.body)).toEqual({ account: "user-1" })
      }
    }), 60_000)

  it.scoped("refuses a replayed callback from the store, before the provider is asked", () =>
    Effect.gen(function*() {
      const app = yield* twoInstances
      const { callbackPath, handle } = yield* app.loginOnA()
      expect((yield* app.b(callbackPath)).response.status).toBe(303)
      for (const send of [app.a, app.b]) {
        const replay = yield* send(callbackPath, { cookies: { "effect-oauth.pending": handle } })
        expect(replay.response.status).toBe(400)
        expect(replay.body).toContain("no sign-in is pending for this cookie")
      }
      expect((yield* app.server.tokenRequests).byGrantType["authorization_code"]).toBe(1)
    }), 60_000)

  it.scoped("lets one of two simultaneous callbacks with the same cookie through", () =>
    Effect.gen(function*() {
      const app = yield* twoInstances
      const { callbackPath, handle } = yield* app.loginOnA()
      const cookies = { "effect-oauth.pending": handle }
      const answers = yield* Effect.all([app.b(callbackPath, { cookies }), app.b(callbackPath, { cookies })], { concurrency: 2 })
      expect(answers.map((a) => a.response.status).sort()).toEqual([303, 400])
      expect(answers.find((a) => a.response.status === 400)!.body).toContain("no sign-in is pending for this cookie")
      expect((yield* app.server.tokenRequests).byGrantType["authorization_code"]).toBe(1)
    }), 60_000)

  it.scoped("refuses an expired entry, and removes it", () =>
    Effect.gen(function*() {
      const app = yield* twoInstances
      const { callbackPath } = yield* app.loginOnA()
      app.laterOnB.ms = 10 * 60_000 + 1
      const callback = yield* app.b(callbackPath)
      expect(callback.response.status).toBe(400)
      expect(callback.body).toContain("the sign-in took too long")
      expect(yield* app.pendingStore.size).toBe(0)
      expect(app.jar.has("effect-oauth.session")).toBe(false)
      expect((yield* app.server.tokenRequests).byGrantType["authorization_code"] ?? 0).toBe(0)
    }), 60_000)

  it.scoped("removes an abandoned entry once expired, at the instance's next login", () =>
    Effect.gen(function*() {
      const app = yield* twoInstances
      const abandoned = yield* app.loginOnA()
      expect(yield* app.pendingStore.has(yield* keyOf(abandoned.handle))).toBe(true)
      app.laterOnA.ms = 10 * 60_000 + 1
      const next = yield* app.loginOnA()
      expect(yield* app.pendingStore.has(yield* keyOf(abandoned.handle))).toBe(false)
      expect(yield* app.pendingStore.has(yield* keyOf(next.handle))).toBe(true)
      expect(yield* app.pendingStore.size).toBe(1)
    }), 60_000)

  it.scoped("refuses a cookie that is not a handle, and one whose entry never existed", () =>
    Effect.gen(function*() {
      const app = yield* twoInstances
      const { callbackPath, handle } = yield* app.loginOnA()
      const notHandle = yield* app.b(callbackPath, { cookies: { "effect-oauth.pending": `${handle}x` } })
      expect(notHandle.body).toContain("sign-in cookie is not valid")
      const other = handle.slice(0, 20) + (handle[20] === "A" ? "B" : "A") + handle.slice(21)
      const unknown = yield* app.b(callbackPath, { cookies: { "effect-oauth.pending": other } })
      expect(unknown.body).toContain("no sign-in is pending for this cookie")
      // Neither refusal took the real entry.
      expect((yield* app.b(callbackPath, { cookies: { "effect-oauth.pending": handle } })).response.status).toBe(303)
    }), 60_000)

  it.scoped("keeps no verifier, state or nonce in the cookie, nor the handle in the store's key, in any encoding", () =>
    Effect.gen(function*() {
      const app = yield* twoInstances
      const { handle, login } = yield* app.loginOnA()
      const key = yield* keyOf(handle)
      const entry = Option.getOrThrow(yield* app.pendingStore.get(key))
      const sealer = yield* SealedCookie.make(secret)
      const pending = Option.getOrThrow(yield* sealer.open(key, entry)) as {
        request: { state: string; codeVerifier: string; nonce: string }
      }
      const secrets = [pending.request.codeVerifier, pending.request.state, pending.request.nonce]
      expect(secrets.every((s) => typeof s === "string" && s.length >= 16)).toBe(true)
      const cookieLines = login.setCookies.join("\n")
      for (const value of secrets) {
        for (const encoded of encodings(value)) {
          expect(cookieLines.includes(encoded)).toBe(false)
          expect(entry.includes(encoded)).toBe(false)
          expect(key.includes(encoded)).toBe(false)
        }
      }
      for (const encoded of encodings(pending.request.codeVerifier)) expect(login.body.includes(encoded)).toBe(false)
      for (const encoded of encodings(handle)) {
        expect(key.includes(encoded)).toBe(false)
        expect(entry.includes(encoded)).toBe(false)
      }
    }), 60_000)

  it.scoped("answers 503 when the store cannot keep the request, and sets no cookie", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ redirectUri: `${origin}/auth/callback` })
      const provider = yield* Provider.discover(server.issuer)
      const client = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
      const memory = yield* KeyValueStore.KeyValueStore.pipe(Effect.provide(KeyValueStore.layerMemory))
      const full = KeyValueStore.make({
        ...memory,
        set: (key) =>
          Effect.fail(new PlatformError.SystemError({ reason: "WriteZero", module: "KeyValueStore", method: "set", pathOrDescriptor: key, description: "disk full" }))
      })
      const tokens = yield* TokenStore.makeMemory
      const registry = yield* SessionRegistry.make({ clients: { idp: client } }).pipe(Effect.provideService(TokenStore.TokenStore, tokens))
      const signIn = yield* WebSignIn.make({ provider: "idp", client, secret, pendingStore: full }).pipe(
        Effect.provideService(SessionRegistry.SessionRegistry, registry),
        Effect.provideService(TokenStore.TokenStore, tokens)
      )
      const jar = new Map<string, string>()
      const login = yield* sender(HttpApp.toWebHandler(signIn.routes), jar)("/auth/login")
      expect(login.response.status).toBe(503)
      expect(login.body).toContain("the pending sign-in could not be kept")
      expect(login.setCookies).toEqual([])
    }).pipe(Effect.provide(FetchHttpClient.layer)), 60_000)
})
