import { FetchHttpClient } from "@effect/platform"
import { OAuthClient, Provider } from "@effect-oauth/core"
import { OAuthSession, SessionPromise, TokenStore } from "@effect-oauth/session"
import { MovableClock, TestServer } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime, Redacted, Supervisor } from "effect"
import type { Fiber } from "effect"


/** Counts the fibers started on the runtime it supervises. */
class FiberCounter extends Supervisor.AbstractSupervisor<number> {
  started = 0
  get value() {
    return Effect.sync(() => this.started)
  }
  override onStart<A, E, R>(
    _context: unknown,
    _effect: Effect.Effect<A, E, R>,
    _parent: unknown,
    _fiber: Fiber.RuntimeFiber<A, E>
  ): void {
    this.started++
  }
}

/** An authorized session at the embedded server, on a clock the test moves, with its Promise face. */
const authorized = (options: { readonly fetch?: typeof globalThis.fetch | undefined } = {}) =>
  Effect.gen(function*() {
    const server = yield* TestServer.make({ rotateRefreshToken: true })
    const time = MovableClock.make()
    const counter = new FiberCounter()
    const { session } = yield* TestServer.session(server, { key: "promise", refresh: "lazy" }).pipe(Effect.withClock(time.clock))
    yield* session.completeAuthorization(
      yield* server.approve((yield* session.authorize()).url, { accountId: "promise" })
    )
    const face = yield* SessionPromise.fromSession(session, options).pipe(
      Effect.withClock(time.clock),
      Effect.supervised(counter)
    )
    return { server, session, face, time, counter }
  }).pipe(Effect.provide(FetchHttpClient.layer))

describe("SessionPromise", () => {
  it.scoped("hands out a valid token from the snapshot without starting a fiber or a token request", () =>
    Effect.gen(function*() {
      const { counter, face, server, session } = yield* authorized()
      const before = yield* server.tokenRequests
      const tokens = yield* Effect.promise(() => Promise.all(Array.from({ length: 50 }, () => face.accessToken())))
      expect(new Set(tokens)).toEqual(new Set([Redacted.value(yield* session.accessToken)]))
      expect(counter.started).toBe(0)
      expect((yield* server.tokenRequests).total).toBe(before.total)
      expect(face.state()).toBe("authorized")
    }))

  it.scoped("after expiry, 200 Promise callers share one refresh at the server and get the same new token", () =>
    Effect.gen(function*() {
      const { counter, face, server, session, time } = yield* authorized()
      const old = face.state() === "authorized" ? Redacted.value(yield* session.accessToken) : ""
      time.moveTo((yield* session.tokens).expiresAt!)
      const before = yield* server.tokenRequests
      const tokens = yield* Effect.promise(() => Promise.all(Array.from({ length: 200 }, () => face.accessToken())))
      const after = yield* server.tokenRequests
      expect(new Set(tokens).size).toBe(1)
      expect(tokens[0]).not.toBe(old)
      expect((after.byGrantType["refresh_token"] ?? 0) - (before.byGrantType["refresh_token"] ?? 0)).toBe(1)
      expect(after.invalidGrant).toBe(before.invalidGrant)
      expect(counter.started).toBeGreaterThan(0)
    }))

  it.scoped("rejects with the session's own typed error, not a wrapper, and names no token", () =>
    Effect.gen(function*() {
      const { face, session } = yield* authorized()
      const token = Redacted.value(yield* session.accessToken)
      yield* session.revoke
      const error = yield* Effect.promise(() => face.accessToken().then(() => undefined, (e: unknown) => e))
      expect(error).toMatchObject({ _tag: "SessionRevoked" })
      expect(String(error)).not.toContain(token)
    }))

  it.scoped("fetch sends the token to the resource; a 401 invalid_token is reported once and the request sent again with the next token", () =>
    Effect.gen(function*() {
      const seen: Array<string | null> = []
      let reject = 1
      const fetch: typeof globalThis.fetch = async (input, init) => {
        seen.push(new Headers(init?.headers).get("authorization"))
        if (reject-- > 0) {
          return new Response("", { status: 401, headers: { "www-authenticate": "Bearer error=\"invalid_token\"" } })
        }
        return globalThis.fetch(input, init)
      }
      const { face, server } = yield* authorized({ fetch })
      const before = yield* server.tokenRequests
      const response = yield* Effect.promise(() => face.fetch(server.resourceUrl))
      expect(response.status).toBe(200)
      expect(yield* Effect.promise(() => response.json())).toMatchObject({ sub: "promise" })
      expect(seen).toHaveLength(2)
      expect(seen[0]).toMatch(/^Bearer /)
      expect(seen[1]).toMatch(/^Bearer /)
      expect(seen[1]).not.toBe(seen[0])
      const after = yield* server.tokenRequests
      expect((after.byGrantType["refresh_token"] ?? 0) - (before.byGrantType["refresh_token"] ?? 0)).toBe(1)
    }))

  it.scoped("fetch does not send a body stream twice: the 401 comes back to the caller", () =>
    Effect.gen(function*() {
      let calls = 0
      const fetch: typeof globalThis.fetch = async () => {
        calls++
        return new Response("", { status: 401, headers: { "www-authenticate": "Bearer error=\"invalid_token\"" } })
      }
      const { face, server } = yield* authorized({ fetch })
      const body = new ReadableStream({ start: (controller) => controller.close() })
      const response = yield* Effect.promise(() =>
        face.fetch(server.resourceUrl, { method: "POST", body, duplex: "half" } as RequestInit)
      )
      expect(response.status).toBe(401)
      expect(calls).toBe(1)
    }))

  it.scoped("start runs a session on a ManagedRuntime: authorize, complete, hand out, revoke from Promise code; close stops it", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      const provider = yield* Provider.discover(server.issuer).pipe(Effect.provide(FetchHttpClient.layer))
      const runtime = ManagedRuntime.make(
        Layer.mergeAll(
          OAuthClient.layer({ provider, client: TestServer.clientConfig(server.clients.web) }).pipe(
            Layer.provide(FetchHttpClient.layer)
          ),
          TokenStore.layerMemory
        )
      )
      yield* Effect.addFinalizer(() => Effect.promise(() => runtime.dispose()))
      const face = yield* Effect.promise(() => SessionPromise.start(runtime, { key: "cli", refresh: "lazy" }))
      expect(face.state()).toBe("unauthorized")
      const unauthorized = yield* Effect.promise(() => face.accessToken().then(() => undefined, (e: unknown) => e))
      expect(unauthorized).toMatchObject({ _tag: "Unauthorized" })

      const request = yield* Effect.promise(() => face.authorize())
      expect(face.state()).toBe("authorizing")
      const callback = yield* server.approve(request.url, { accountId: "cli" }).pipe(Effect.provide(FetchHttpClient.layer))
      const tokens = yield* Effect.promise(() => face.completeAuthorization(callback))
      expect(yield* Effect.promise(() => face.accessToken())).toBe(Redacted.value(tokens.accessToken))
      const session: OAuthSession.OAuthSession = face.session
      expect(Redacted.value(yield* session.accessToken)).toBe(Redacted.value(tokens.accessToken))
      const mismatch = yield* Effect.promise(() =>
        face.completeAuthorization(callback).then(() => undefined, (e: unknown) => e)
      )
      expect(mismatch).toMatchObject({ _tag: "AuthorizationFailed" })
      yield* Effect.promise(() => face.revoke())
      expect(face.state()).toBe("revoked")
      expect(yield* Effect.promise(() => face.accessToken().then(() => undefined, (e: unknown) => e))).toMatchObject({
        _tag: "SessionRevoked"
      })
      yield* Effect.promise(() => face.close())
      expect(session.actor.getSnapshot().status).toBe("stopped")
    }))
})
