import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { Provider } from "@effect-oauth/core"
import { OAuthSession, SessionRegistry, TokenStore } from "@effect-oauth/session"
import { SessionMachine } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Redacted } from "effect"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Styles from "../src/styles.js"

/** An authorized session of "alice" at a fresh embedded authorization server (rotation on). */
const authorizedSession = (options: { readonly accessTokenTtl?: number } = {}) =>
  Effect.gen(function*() {
    const server = yield* TestServer.make({ rotateRefreshToken: true, ...options })
    const { client, session, store } = yield* TestServer.session(server, { key: "alice", refresh: "lazy" })
    const request = yield* session.authorize()
    const tokens = yield* session.completeAuthorization(yield* server.approve(request.url, { accountId: "alice" }))
    const refreshes = Effect.map(server.tokenRequests, (counts) => counts.byGrantType["refresh_token"] ?? 0)
    return { server, client, store, session, tokens, refreshes }
  })

const entered = (session: OAuthSession.OAuthSession, state: SessionMachine.State) =>
  Effect.async<void>((resume) => {
    if (SessionMachine.stateOf(session.actor.getSnapshot()) === state) return resume(Effect.void)
    const subscription = session.actor.subscribe((snapshot) => {
      if (SessionMachine.stateOf(snapshot) !== state) return
      subscription.unsubscribe()
      resume(Effect.void)
    })
    return Effect.sync(() => subscription.unsubscribe())
  })

/**
 * The fault: the resource server rejects the next request to `url` with
 * `401 invalid_token` (RFC 6750 §3.1), as it would a token revoked early;
 * every other request goes to the real server.
 */
const rejectOnce = (url: string) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (real) => {
      let pending = true
      return HttpClient.make((request) => {
        if (!pending || request.url !== url) return real.execute(request)
        pending = false
        return Effect.succeed(HttpClientResponse.fromWeb(
          request,
          new Response(null, { status: 401, headers: { "www-authenticate": 'Bearer error="invalid_token"' } })
        ))
      })
    })
  ).pipe(Layer.provide(FetchHttpClient.layer))

describe("refresh styles", () => {
  it.live("explicit: a 401 from the API, session.refresh, then the request succeeds with the new token", () =>
    Effect.gen(function*() {
      const t = yield* authorizedSession()
      const response = yield* Styles.getWithExplicitRefresh(t.session, t.server.resourceUrl).pipe(
        Effect.provide(rejectOnce(t.server.resourceUrl))
      )
      expect(response.status).toBe(200)
      expect(JSON.parse(yield* Styles.text(response))).toMatchObject({ sub: "alice" })
      expect(yield* t.refreshes).toBe(1)
      expect(Redacted.value((yield* t.session.tokens).accessToken)).not.toBe(Redacted.value(t.tokens.accessToken))
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("automatic: after the access token expired, accessToken refreshes once by itself", () =>
    Effect.gen(function*() {
      const t = yield* authorizedSession({ accessTokenTtl: 3 })
      yield* entered(t.session, "expired")
      const responses = yield* Effect.all(
        Array.from({ length: 20 }, () => Styles.getWithAutomaticRefresh(t.session, t.server.resourceUrl)),
        { concurrency: "unbounded" }
      )
      expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 20 }, () => 200))
      expect(yield* t.refreshes).toBe(1)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("persist: every new token is in the store when changes reports it, with its version", () =>
    Effect.gen(function*() {
      const t = yield* authorizedSession()
      const seen: Array<{ readonly stored: boolean; readonly version: number }> = []
      const watcher = yield* Effect.fork(Styles.onEveryNewToken(t.session, (tokens, version) =>
        Effect.map(t.store.get("alice"), (entry) => {
          const stored = Option.isSome(entry) && entry.value.version === version &&
            Redacted.value(entry.value.tokens.accessToken) === Redacted.value(tokens.accessToken)
          seen.push({ stored, version })
        })))
      yield* Effect.yieldNow()
      yield* t.session.refresh
      yield* t.session.refresh
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(watcher)
      expect(seen).toHaveLength(2)
      expect(seen.every((entry) => entry.stored)).toBe(true)
      expect(seen[1]!.version).toBeGreaterThan(seen[0]!.version)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("retry on 401: AuthorizedHttpClient refreshes once and repeats the request once", () =>
    Effect.gen(function*() {
      const t = yield* authorizedSession()
      const response = yield* Styles.getWithRetryOn401(t.session, t.server.resourceUrl).pipe(
        Effect.provide(rejectOnce(t.server.resourceUrl))
      )
      expect(response.status).toBe(200)
      expect(JSON.parse(yield* Styles.text(response))).toMatchObject({ sub: "alice" })
      expect(yield* t.refreshes).toBe(1)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("registry: a user's session starts from the store on demand and calls the API", () =>
    Effect.gen(function*() {
      const t = yield* authorizedSession()
      const key: SessionRegistry.Key = { provider: "example", account: "alice" }
      yield* t.store.compareAndSet(SessionRegistry.storeKey(key), undefined, t.tokens)
      const provider = yield* Provider.discover(t.server.issuer)
      const registry = Styles.registryLayer({ provider, client: TestServer.clientConfig(t.server.clients.web) })
      const response = yield* Styles.getForUser("alice", t.server.resourceUrl).pipe(
        Effect.provide(registry.pipe(Layer.provide(Layer.succeed(TokenStore.TokenStore, t.store))))
      )
      expect(response.status).toBe(200)
      expect(yield* t.refreshes).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it("docs/refresh-styles.md quotes each region of src/styles.ts verbatim", () => {
    const source = readFileSync(fileURLToPath(new URL("../src/styles.ts", import.meta.url)), "utf8")
    const doc = readFileSync(fileURLToPath(new URL("../../../docs/refresh-styles.md", import.meta.url)), "utf8")
    const regions = [...source.matchAll(/\/\/ #region (\w+)\n([\s\S]*?)\/\/ #endregion \1\n/g)]
    expect(regions.map((region) => region[1])).toEqual(["explicit", "automatic", "persist", "retry", "registry", "registryLayer"])
    for (const [, , code] of regions) expect(doc).toContain("```ts\n" + code + "```")
  })
})
