/**
 * The behaviour a session promises (issue 3's acceptance), against the real
 * embedded authorization server: token requests are counted by oidc-provider
 * itself. The session's time is `TestClock` (tokens expire when the test says);
 * HTTP is real, on 127.0.0.1.
 */
import { FetchHttpClient, FileSystem, HttpClient } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { Callback, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Layer, Option, Redacted, TestClock } from "effect"
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { createHash } from "node:crypto"
import { fileURLToPath } from "node:url"

const hour = 3_600_000
/** No `openid`: no ID token, whose validation would compare its times with the test's clock. */
const scopes = ["offline_access", "api:read"]

/** A store that counts every operation. */
const counting = (store: TokenStore.Service) => {
  const count = { operations: 0 }
  const tick = <A, E>(effect: Effect.Effect<A, E>) => Effect.zipRight(Effect.sync(() => count.operations++), effect)
  const counted: TokenStore.Service = {
    get: (key) => tick(store.get(key)),
    compareAndSet: (key, expected, tokens) => tick(store.compareAndSet(key, expected, tokens)),
    delete: (key, expected) => tick(store.delete(key, expected)),
    acquireLease: (key, ttl) => tick(store.acquireLease(key, ttl)),
    releaseLease: (lease) => tick(store.releaseLease(lease))
  }
  return { count, store: counted }
}

/**
 * A server, an `OAuthClient` for its `web` client over a fetch client that
 * counts requests, and a memory store that counts operations.
 */
const setup = (options: TestServer.Options = {}) =>
  Effect.gen(function*() {
    const server = yield* TestServer.make(options)
    const requests = { sent: 0 }
    const http = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(HttpClient.HttpClient, HttpClient.tapRequest(() => Effect.sync(() => requests.sent++)))
    ).pipe(Layer.provide(FetchHttpClient.layer))
    const provider = yield* Provider.discover(server.issuer).pipe(Effect.provide(FetchHttpClient.layer))
    const client = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web, scopes) }).pipe(
      Effect.provide(http)
    )
    const store = counting(yield* TokenStore.makeMemory)
    const open = (options: Partial<OAuthSession.Options> = {}) =>
      OAuthSession.make({ key: "alice", refresh: "lazy", clock: "effect", ...options }).pipe(
        Effect.provideService(OAuthClient.OAuthClient, client),
        Effect.provideService(TokenStore.TokenStore, store.store)
      )
    const authorize = (session: OAuthSession.OAuthSession) =>
      Effect.gen(function*() {
        const request = yield* session.authorize({ scopes })
        return yield* session.completeAuthorization(yield* server.approve(request.url, { accountId: "alice" }))
      })
    const refreshRequests = Effect.map(server.tokenRequests, (counts) => counts.byGrantType["refresh_token"] ?? 0)
    const accepted = (token: Redacted.Redacted<string>) =>
      Effect.promise(() =>
        fetch(server.resourceUrl, { headers: { authorization: `Bearer ${Redacted.value(token)}` } }).then((r) => r.status === 200)
      )
    return { server, requests, store, open, authorize, refreshRequests, accepted }
  })

describe("OAuthSession / acceptance against the embedded authorization server", () => {
  it.scoped("10,000 concurrent accessToken calls at expiry cause exactly 1 token request, and every caller gets the same new token", () =>
    Effect.gen(function*() {
      const t = yield* setup({ rotateRefreshToken: true })
      const session = yield* t.open()
      const first = yield* t.authorize(session)
      yield* TestClock.adjust(hour)
      expect(yield* session.state).toBe("expired")
      const before = yield* t.server.tokenRequests
      const tokens = yield* Effect.all(Array.from({ length: 10_000 }, () => session.accessToken), {
        concurrency: "unbounded"
      })
      const after = yield* t.server.tokenRequests
      expect(after.total - before.total).toBe(1)
      expect((after.byGrantType["refresh_token"] ?? 0) - (before.byGrantType["refresh_token"] ?? 0)).toBe(1)
      expect(after.invalidGrant).toBe(0)
      const values = new Set(tokens.map(Redacted.value))
      expect(values.size).toBe(1)
      const [value] = values
      expect(value).not.toBe(Redacted.value(first.accessToken))
      const stored = Option.getOrThrow(yield* t.store.store.get("alice"))
      expect(Redacted.value(stored.tokens.accessToken)).toBe(value)
      expect(yield* t.accepted(tokens[0]!)).toBe(true)
    }), 60_000)

  it.scoped("a lazy session makes no token request while idle, even long past expiry", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      const session = yield* t.open({ refresh: "lazy" })
      yield* t.authorize(session)
      const before = yield* t.server.tokenRequests
      const sent = t.requests.sent
      for (let i = 0; i < 48; i++) yield* TestClock.adjust(hour)
      expect(yield* session.state).toBe("expired")
      expect(yield* t.server.tokenRequests).toEqual(before)
      expect(t.requests.sent).toBe(sent)
    }), 30_000)

  it.scoped("an eager session refreshes inside the refresh window, before the token expires, with no caller", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      const session = yield* t.open({ refresh: "eager", refreshWindow: "5 minutes" })
      const first = yield* t.authorize(session)
      yield* TestClock.adjust(hour - 5 * 60_000 - 1)
      expect(yield* t.refreshRequests).toBe(0)
      yield* TestClock.adjust(1)
      yield* untilAuthorizedWithNewTokens(session, first.accessToken)
      expect(yield* t.refreshRequests).toBe(1)
      const now = yield* TestClock.currentTimeMillis
      expect(now).toBeLessThan(first.expiresAt!)
      expect(yield* t.accepted(yield* session.accessToken)).toBe(true)
    }), 30_000)

  it.scoped("accessToken on a valid token does no I/O: no store operation and no HTTP request across 10,000 calls", () =>
    Effect.gen(function*() {
      const t = yield* setup()
      const session = yield* t.open()
      const tokens = yield* t.authorize(session)
      const operations = t.store.count.operations
      const sent = t.requests.sent
      for (let i = 0; i < 10_000; i++) {
        if ((yield* session.accessToken) !== tokens.accessToken) expect.unreachable("another token was handed out")
      }
      expect(t.store.count.operations).toBe(operations)
      expect(t.requests.sent).toBe(sent)
      expect(yield* t.server.tokenRequests).toMatchObject({ total: 1 })
    }), 30_000)
})

/** Waits (on the session's snapshots) until it is authorized with tokens other than `old`. */
const untilAuthorizedWithNewTokens = (session: OAuthSession.OAuthSession, old: Redacted.Redacted<string>) =>
  Effect.async<void>((resume) => {
    const done = (snapshot: ReturnType<typeof session.actor.getSnapshot>) =>
      snapshot.value === "authorized" && snapshot.context.tokens !== undefined &&
      Redacted.value(snapshot.context.tokens.accessToken) !== Redacted.value(old)
    if (done(session.actor.getSnapshot())) return resume(Effect.void)
    const subscription = session.actor.subscribe((snapshot) => {
      if (!done(snapshot)) return
      subscription.unsubscribe()
      resume(Effect.void)
    })
    return Effect.sync(() => subscription.unsubscribe())
  })

const root = fileURLToPath(new URL("../../..", import.meta.url))
const script = fileURLToPath(new URL("./fixtures/refreshProcess.ts", import.meta.url))

/** A process of `fixtures/refreshProcess.ts`, killed with the scope if still running. */
const processOf = (issuer: string, directory: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", script, issuer, directory], {
        cwd: root,
        stdio: ["pipe", "pipe", "pipe"]
      })
      const output = { stdout: "", stderr: "" }
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output.stdout += chunk))
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output.stderr += chunk))
      return { child, output }
    }),
    ({ child }) => Effect.sync(() => child.exitCode === null && child.kill())
  )

/** The first stdout line of `child` that starts with `prefix`, without it. */
const line = ({ child, output }: { readonly child: ChildProcess; readonly output: { stdout: string; stderr: string } }, prefix: string) =>
  Effect.async<string, Error>((resume) => {
    const look = () => {
      const found = output.stdout.split("\n").find((l) => l.startsWith(`${prefix} `))
      if (found !== undefined) {
        cleanup()
        resume(Effect.succeed(found.slice(prefix.length + 1)))
      }
    }
    const exited = (code: number | null) => {
      look()
      cleanup()
      resume(Effect.fail(new Error(`the process exited (${code}) before "${prefix}": ${output.stderr.slice(0, 500)}`)))
    }
    const cleanup = () => {
      child.stdout!.off("data", look)
      child.off("exit", exited)
    }
    child.stdout!.on("data", look)
    child.on("exit", exited)
    look()
    return Effect.sync(cleanup)
  })

const hash = (token: Redacted.Redacted<string>) => createHash("sha256").update(Redacted.value(token)).digest("hex").slice(0, 16)

describe("OAuthSession / two processes sharing layerFileSystem", () => {
  it.live("refreshing at the same expiry with rotation on: exactly 1 token request, 0 invalid_grant, both end with the same valid token", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ rotateRefreshToken: true })
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped()
      const provider = yield* Provider.discover(server.issuer)
      const oauth = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.public, scopes) })
      const request = yield* oauth.authorizationUrl({ scopes })
      const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
      // The stored grant's access token expired an hour ago: both processes find it due at once.
      const now = yield* Clock.currentTimeMillis
      const store = yield* TokenStore.makeFileSystem(directory)
      yield* store.compareAndSet("alice", undefined, new TokenSet.TokenSet({ ...tokens, issuedAt: now - 2 * hour, expiresAt: now - hour }))
      const before = yield* server.tokenRequests

      const a = yield* processOf(server.issuer, directory)
      const b = yield* processOf(server.issuer, directory)
      expect(yield* Effect.all([line(a, "ready"), line(b, "ready")], { concurrency: 2 })).toEqual(["expired", "expired"])
      a.child.stdin!.write("go\n")
      b.child.stdin!.write("go\n")
      const [ta, tb] = yield* Effect.all([line(a, "token"), line(b, "token")], { concurrency: 2 })

      const after = yield* server.tokenRequests
      expect((after.byGrantType["refresh_token"] ?? 0) - (before.byGrantType["refresh_token"] ?? 0)).toBe(1)
      expect(after.total - before.total).toBe(1)
      expect(after.invalidGrant).toBe(0)
      expect(ta).toBe(tb)
      const stored = Option.getOrThrow(yield* store.get("alice")).tokens
      expect(hash(stored.accessToken)).toBe(ta)
      expect(Redacted.value(stored.refreshToken!)).not.toBe(Redacted.value(tokens.refreshToken!))
      const status = yield* Effect.promise(() =>
        fetch(server.resourceUrl, { headers: { authorization: `Bearer ${Redacted.value(stored.accessToken)}` } }).then((r) => r.status)
      )
      expect(status).toBe(200)
    }).pipe(Effect.timeout("50 seconds"), Effect.scoped, Effect.provide(Layer.merge(NodeFileSystem.layer, FetchHttpClient.layer))), 60_000)
})
