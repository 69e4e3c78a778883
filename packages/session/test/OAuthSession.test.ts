import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { OAuthError, TokenSet } from "@effect-oauth/core"
import { OAuthSession, SessionError, TokenStore } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Exit, Fiber, Option, Redacted, Scope, Stream, TestClock, Tracer } from "effect"
import { inspect } from "node:util"
import type { InspectionEvent } from "xstate"
import * as Fake from "@effect-oauth/testing/FakeTokenServer"
import { authorize, authorizeAfter, harness, record, session, storedAccessToken, until } from "./helpers/session.js"

const hour = 3_600_000

/** A store that counts reads and can be told to fail writes. */
const instrumented = (store: TokenStore.Service) => {
  const state = { gets: 0, failWrites: false }
  const failure = (operation: TokenStore.Operation, key: string) =>
    new TokenStore.TokenStoreError({ reason: "Io", operation, key, detail: "disk full" })
  const wrapped: TokenStore.Service = {
    ...store,
    get: (key) => Effect.zipRight(Effect.sync(() => state.gets++), store.get(key)),
    compareAndSet: (key, expected, tokens) =>
      state.failWrites ? Effect.fail(failure("compareAndSet", key)) : store.compareAndSet(key, expected, tokens)
  }
  return { state, store: wrapped }
}

describe("OAuthSession / accessToken", () => {
  it.scoped("1000 concurrent callers at expiry cause exactly one refresh and all get the same token", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "1 second" })
      const s = yield* session(h)
      const tokens = yield* authorizeAfter(h, s, "1 second")
      yield* TestClock.adjust(tokens.expiresAt! - 1000)
      expect(yield* s.state).toBe("expired")
      const callers = yield* Effect.fork(Effect.all(Array.from({ length: 1000 }, () => s.accessToken), { concurrency: "unbounded" }))
      yield* h.server.arrived("refresh", 1)
      yield* TestClock.adjust("1 second")
      const results = yield* Fiber.join(callers)
      expect(h.server.counts.refresh).toBe(1)
      const values = new Set(results.map(Redacted.value))
      expect(values.size).toBe(1)
      expect([...values][0]).toBe(yield* storedAccessToken(h.store))
      expect([...values][0]).not.toBe(Redacted.value(tokens.accessToken))
    }))

  it.scoped("reads a valid token from the snapshot, with no store read and no request", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const counted = instrumented(h.store)
      const s = yield* session({ ...h, store: counted.store })
      const tokens = yield* authorize(h, s)
      const gets = counted.state.gets
      for (let i = 0; i < 100; i++) expect(yield* s.accessToken).toBe(tokens.accessToken)
      expect(yield* s.tokens).toBe(tokens)
      expect(counted.state.gets).toBe(gets)
      expect(h.server.counts.refresh).toBe(0)
    }))

  it.scoped("never returns a token at or after its expiresAt, even before the expiry timer fired", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "10 millis" })
      // A custom clock that never fires keeps the machine in `authorized` past expiry.
      const s = yield* session(h, { clock: { setTimeout: () => undefined, clearTimeout: () => undefined } })
      const tokens = yield* authorizeAfter(h, s, "10 millis")
      yield* TestClock.adjust(tokens.expiresAt! - 10)
      expect(yield* s.state).toBe("authorized")
      const caller = yield* Effect.fork(s.accessToken)
      yield* h.server.arrived("refresh", 1)
      yield* TestClock.adjust("10 millis")
      const next = yield* Fiber.join(caller)
      expect(next).not.toBe(tokens.accessToken)
      const now = yield* TestClock.currentTimeMillis
      expect((yield* s.tokens).expiresAt!).toBeGreaterThan(now)
    }))

  it.scoped("a token read on the valid-token path is not handed out again at its expiry, though the snapshot is unchanged", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "10 millis" })
      // No timer fires: the snapshot read before the expiry is the one read at it.
      const s = yield* session(h, { clock: { setTimeout: () => undefined, clearTimeout: () => undefined } })
      const tokens = yield* authorizeAfter(h, s, "10 millis")
      const snapshot = s.actor.getSnapshot()
      expect(yield* s.accessToken).toBe(tokens.accessToken)
      expect(yield* s.tokens).toBe(tokens)
      yield* TestClock.setTime(tokens.expiresAt!)
      expect(s.actor.getSnapshot()).toBe(snapshot)
      const caller = yield* Effect.fork(s.accessToken)
      const reader = yield* Effect.fork(s.tokens)
      yield* h.server.arrived("refresh", 1)
      yield* TestClock.adjust("10 millis")
      expect(yield* Fiber.join(caller)).not.toBe(tokens.accessToken)
      expect((yield* Fiber.join(reader)).accessToken).not.toBe(tokens.accessToken)
      expect(h.server.counts.refresh).toBe(1)
    }))

  it.scoped("lazy: a token read before the refresh window opens does not skip the refresh once it is open", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "1 second" })
      const s = yield* session(h, { refresh: "lazy" })
      const tokens = yield* authorizeAfter(h, s, "1 second")
      expect(yield* s.accessToken).toBe(tokens.accessToken)
      yield* TestClock.setTime(TokenSet.refreshAt(tokens)!)
      expect(yield* s.state).toBe("authorized")
      expect(yield* s.accessToken).toBe(tokens.accessToken)
      expect(yield* s.state).toBe("refreshing")
      yield* h.server.arrived("refresh", 1)
      yield* TestClock.adjust("1 second")
      yield* until(s, "authorized")
      expect(yield* s.accessToken).not.toBe(tokens.accessToken)
    }))

  it.scoped("lazy: inside the refresh window, returns the still-valid token and refreshes once in the background", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "1 second" })
      const s = yield* session(h, { refresh: "lazy" })
      const tokens = yield* authorizeAfter(h, s, "1 second")
      yield* TestClock.adjust(TokenSet.refreshAt(tokens)! - 1000)
      expect(yield* s.accessToken).toBe(tokens.accessToken)
      expect(yield* s.accessToken).toBe(tokens.accessToken)
      expect(yield* s.state).toBe("refreshing")
      yield* h.server.arrived("refresh", 1)
      yield* TestClock.adjust("1 second")
      yield* until(s, "authorized")
      expect(yield* s.accessToken).not.toBe(tokens.accessToken)
      expect(h.server.counts.refresh).toBe(1)
    }))

  it.scoped("fails with Unauthorized before any authorization and while authorizing", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      expect(yield* Effect.flip(s.accessToken)).toMatchObject({ _tag: "Unauthorized", reason: "NoGrant" })
      yield* s.authorize()
      expect(yield* Effect.flip(s.accessToken)).toMatchObject({ _tag: "Unauthorized", reason: "Authorizing" })
    }))

  it.scoped("hands out a token only once it is stored (invariant 4)", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const failing = instrumented(h.store)
      const s = yield* session({ ...h, store: failing.store })
      failing.state.failWrites = true
      const request = yield* s.authorize()
      const completing = yield* Effect.fork(Effect.flip(s.completeAuthorization(h.server.approve(request))))
      yield* h.server.arrived("exchange", 1)
      yield* TestClock.adjust("10 seconds")
      const error = yield* Fiber.join(completing)
      expect(error).toMatchObject({ reason: "Storage", cause: { _tag: "TokenStoreError" } })
      expect(yield* Effect.flip(s.accessToken)).toMatchObject({ _tag: "Unauthorized" })
      failing.state.failWrites = false
      yield* authorize(h, s)
      yield* TestClock.adjust(hour)
      failing.state.failWrites = true
      const caller = yield* Effect.fork(Effect.either(s.accessToken))
      yield* TestClock.adjust("10 seconds")
      const result = yield* Fiber.join(caller)
      expect(Either.isLeft(result) && result.left).toMatchObject({
        _tag: "RefreshFailed",
        attempts: 4,
        cause: { _tag: "TokenStoreError" }
      })
      // The server issued new tokens once; they were never handed out, and the
      // retries tried to store them rather than spend the rotated refresh token again.
      expect(h.server.counts.refresh).toBe(1)
      const issued = h.server.issued.at(-2)!
      const snapshot = yield* s.snapshot
      expect(snapshot.value).toBe("expired")
      expect(Redacted.value(snapshot.context.tokens!.accessToken)).toBe(yield* storedAccessToken(h.store))
      expect(Redacted.value(snapshot.context.unsaved!.accessToken)).toBe(issued)
      // Once the store works again, the next demand stores and returns them, with no request.
      failing.state.failWrites = false
      expect(Redacted.value(yield* s.accessToken)).toBe(issued)
      expect(yield* storedAccessToken(h.store)).toBe(issued)
      expect(h.server.counts.refresh).toBe(1)
    }))

  it.scoped("keeps the previous refresh token when the refresh response has none (invariant 3)", () =>
    Effect.gen(function*() {
      const h = yield* harness({ rotate: false })
      const s = yield* session(h)
      const first = yield* authorize(h, s)
      const refreshed = yield* s.refresh
      expect(refreshed.refreshToken).toEqual(first.refreshToken)
      const stored = Option.getOrThrow(yield* h.store.get("alice"))
      expect(Redacted.value(stored.tokens.refreshToken!)).toBe(Redacted.value(first.refreshToken!))
    }))
})

describe("OAuthSession / refresh", () => {
  it.scoped("refreshes a still-valid token on request and returns the stored result", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      const first = yield* authorize(h, s)
      const next = yield* s.refresh
      expect(Redacted.value(next.accessToken)).not.toBe(Redacted.value(first.accessToken))
      expect(Redacted.value(next.accessToken)).toBe(yield* storedAccessToken(h.store))
      expect(yield* s.accessToken).toBe(next.accessToken)
    }))

  it.scoped("fails with RefreshFailed (MissingCredential) when the grant has no refresh token, keeping the token", () =>
    Effect.gen(function*() {
      const h = yield* harness({ refreshTokens: false })
      const s = yield* session(h)
      const first = yield* authorize(h, s)
      const error = yield* Effect.flip(s.refresh)
      expect(error).toMatchObject({ _tag: "RefreshFailed", cause: { reason: "MissingCredential" } })
      expect(yield* s.accessToken).toBe(first.accessToken)
    }))

  it.scoped("joins a refresh already in flight", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "1 second" })
      const s = yield* session(h)
      yield* authorizeAfter(h, s, "1 second")
      const a = yield* Effect.fork(s.refresh)
      const b = yield* Effect.fork(s.refresh)
      yield* h.server.arrived("refresh", 1)
      yield* Effect.repeatN(Effect.yieldNow(), 3)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(a)).accessToken).toBe((yield* Fiber.join(b)).accessToken)
      expect(h.server.counts.refresh).toBe(1)
    }))
})

describe("OAuthSession / revoke", () => {
  it.scoped("revokes at the server, clears the store, and hands out nothing until a new authorization (invariant 7)", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      const changes = yield* record(s)
      const tokens = yield* authorize(h, s)
      yield* s.revoke
      expect(yield* s.state).toBe("revoked")
      expect(Option.isNone(yield* h.store.get("alice"))).toBe(true)
      expect(h.server.counts.revoke).toBe(1)
      expect(yield* h.server.isActive(tokens.accessToken)).toBe(false)
      expect(yield* Effect.flip(s.accessToken)).toMatchObject({ _tag: "SessionRevoked", reason: "Revoked" })
      expect(yield* Effect.flip(s.refresh)).toMatchObject({ _tag: "SessionRevoked" })
      expect(yield* Effect.flip(s.tokens)).toMatchObject({ _tag: "SessionRevoked" })
      yield* s.revoke
      expect(h.server.counts.revoke).toBe(1)
      const all = yield* changes.take
      expect(all.filter((change) => change._tag === "Revoked")).toEqual([expect.objectContaining({ reason: "Revoked" })])
      const again = yield* authorize(h, s)
      expect(yield* s.accessToken).toBe(again.accessToken)
    }))

  it.scoped("stops handing out tokens the moment revoke starts, even while the server is slow", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "1 second" })
      const s = yield* session(h)
      yield* authorizeAfter(h, s, "1 second")
      const revoking = yield* Effect.fork(s.revoke)
      yield* h.server.arrived("revoke", 1)
      expect(yield* Effect.flip(s.accessToken)).toMatchObject({ _tag: "SessionRevoked" })
      expect(Option.isNone(yield* h.store.get("alice"))).toBe(true)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(revoking)
    }))

  it.scoped("a caller served ahead of expiry while the refresh finds the grant removed by another holder gets SessionRevoked, not the token (invariant 7)", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const tokens = yield* h.server.seed()
      yield* h.store.compareAndSet("alice", undefined, tokens)
      const a = yield* session(h)
      const b = yield* session(h)
      yield* a.revoke
      yield* TestClock.adjust(TokenSet.refreshAt(tokens)!)
      const outcome = yield* Effect.either(b.accessToken)
      expect(outcome).toMatchObject({ _tag: "Left", left: { _tag: "SessionRevoked", reason: "GrantRemoved" } })
      expect(yield* b.state).toBe("revoked")
    }))

  it.scoped("reports RevocationFailed when the server fails, and is revoked locally anyway", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      yield* authorize(h, s)
      h.server.failNext("revoke", Fake.transportError())
      const error = yield* Effect.flip(s.revoke)
      expect(error).toMatchObject({ _tag: "RevocationFailed", cause: { _tag: "TransportError" } })
      expect(yield* s.state).toBe("revoked")
      expect(Option.isNone(yield* h.store.get("alice"))).toBe(true)
      expect(yield* Effect.flip(s.accessToken)).toMatchObject({ _tag: "SessionRevoked" })
    }))
})

describe("OAuthSession / store", () => {
  it.scoped("continues from the store after a restart, without a request", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const scope = yield* Scope.make()
      const before = yield* Scope.extend(session(h), scope)
      const tokens = yield* authorize(h, before)
      yield* Scope.close(scope, Exit.void)
      const after = yield* session(h)
      expect(yield* after.state).toBe("authorized")
      expect(yield* after.accessToken).toEqual(tokens.accessToken)
      expect(h.server.counts.refresh).toBe(0)
      expect(h.server.counts.exchange).toBe(1)
      // Its expiry timer is armed with the remaining time.
      yield* TestClock.adjust(hour)
      expect(yield* after.state).toBe("expired")
    }))

  it.scoped("a restarted session with an expired stored grant refreshes it on demand", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed())
      yield* TestClock.adjust(2 * hour)
      const s = yield* session(h)
      expect(yield* s.state).toBe("expired")
      yield* s.accessToken
      expect(h.server.counts.refresh).toBe(1)
    }))

  it.scoped("two sessions on one store refresh once: the lease holder refreshes, the other adopts", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "1 second" })
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed())
      const a = yield* session(h)
      const b = yield* session(h)
      yield* TestClock.adjust(hour)
      const both = yield* Effect.fork(Effect.all([a.accessToken, b.accessToken], { concurrency: "unbounded" }))
      yield* h.server.arrived("refresh", 1)
      yield* TestClock.adjust("2 seconds")
      const [ta, tb] = yield* Fiber.join(both)
      expect(h.server.counts.refresh).toBe(1)
      expect(Redacted.value(ta)).toBe(Redacted.value(tb))
      expect(Redacted.value(ta)).toBe(yield* storedAccessToken(h.store))
    }))

  it.scoped("rotation race: invalid_grant after another holder rotated the token adopts its tokens, not revoked", () =>
    Effect.gen(function*() {
      // A lease that lapsed (or a store without one): both holders reach the server.
      const h = yield* harness({ latency: "100 millis", reuseDetection: false })
      const noLease: TokenStore.Service = {
        ...h.store,
        acquireLease: (key) => Effect.succeed({ key, owner: crypto.randomUUID(), expiresAt: 0 }),
        releaseLease: () => Effect.void
      }
      yield* noLease.compareAndSet("alice", undefined, yield* h.server.seed())
      const a = yield* session({ ...h, store: noLease })
      const b = yield* session({ ...h, store: noLease })
      yield* TestClock.adjust(hour)
      const first = yield* Effect.fork(a.accessToken)
      yield* h.server.arrived("refresh", 1)
      yield* TestClock.adjust("50 millis")
      const second = yield* Effect.fork(b.accessToken)
      yield* h.server.arrived("refresh", 2)
      yield* TestClock.adjust("50 millis")
      const ta = yield* Fiber.join(first)
      yield* TestClock.adjust("50 millis")
      const tb = yield* Fiber.join(second)
      expect(h.server.counts.refresh).toBe(2)
      expect(Redacted.value(tb)).toBe(Redacted.value(ta))
      expect(yield* b.state).toBe("authorized")
      expect(Redacted.value(ta)).toBe(yield* storedAccessToken(h.store))
    }))

  it.scoped("keeps the lease while refreshed tokens are unsaved, so another holder does not spend the replaced refresh token", () =>
    Effect.gen(function*() {
      // With rotation and reuse detection, a refresh with the replaced refresh token would revoke the grant.
      const h = yield* harness({ latency: "100 millis" })
      const failing = instrumented(h.store)
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], hour))
      const a = yield* session({ ...h, store: failing.store })
      const b = yield* session({ ...h, store: failing.store })
      failing.state.failWrites = true
      const first = yield* Effect.fork(a.accessToken)
      yield* h.server.arrived("refresh", 1)
      yield* TestClock.adjust("100 millis")
      // The store refuses the write and its retries (100 + 200 + 400 ms); the machine retries after 500 ms.
      yield* TestClock.adjust("700 millis")
      expect((yield* a.snapshot).context.unsaved).toBeDefined()
      failing.state.failWrites = false
      const second = yield* Effect.fork(b.accessToken)
      yield* Effect.repeatN(Effect.yieldNow(), 5)
      yield* TestClock.adjust("2 seconds")
      const [ta, tb] = [yield* Fiber.join(first), yield* Fiber.join(second)]
      expect(h.server.counts.refresh).toBe(1)
      expect(Redacted.value(tb)).toBe(Redacted.value(ta))
      expect(Redacted.value(ta)).toBe(yield* storedAccessToken(h.store))
      expect(yield* h.server.isActive(ta)).toBe(true)
      // The lease was given back once the tokens were stored.
      expect(Option.isSome(yield* Effect.option(h.store.acquireLease("alice", "1 second")))).toBe(true)
    }))

  it.live("two processes on one host (file store) never refresh the same grant at once", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped()
      const storeA = yield* TokenStore.makeFileSystem(directory)
      const storeB = yield* TokenStore.makeFileSystem(directory)
      const server = new Fake.FakeTokenServer({ latency: "30 millis" })
      yield* storeA.compareAndSet("alice", undefined, yield* server.seed(["read"], 2 * hour))
      const a = yield* session({ server, store: storeA })
      const b = yield* session({ server, store: storeB })
      const [ta, tb] = yield* Effect.all([a.accessToken, b.accessToken], { concurrency: "unbounded" })
      expect(server.counts.refresh).toBe(1)
      expect(Redacted.value(ta)).toBe(Redacted.value(tb))
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))
})

describe("OAuthSession / changes", () => {
  it.scoped("streams typed changes: TokensUpdated before the StateChanged it causes", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      const collected = yield* Effect.fork(Stream.runCollect(Stream.take(s.changes, 3)))
      // Let the stream's fiber start and subscribe (the scheduler is deterministic).
      yield* Effect.repeatN(Effect.yieldNow(), 3)
      const tokens = yield* authorize(h, s)
      const changes = Chunk.toReadonlyArray(yield* Fiber.join(collected))
      expect(changes).toEqual([
        OAuthSession.SessionChange.StateChanged({ from: "unauthorized", to: "authorizing", error: undefined }),
        OAuthSession.SessionChange.TokensUpdated({ tokens, version: 1 }),
        OAuthSession.SessionChange.StateChanged({ from: "authorizing", to: "authorized", error: undefined })
      ])
    }))
})

/** A span as a tracer sees it: its times, parent, events and attributes. */
interface RecordedSpan extends Tracer.Span {
  readonly events: Array<readonly [string, bigint, Record<string, unknown> | undefined]>
  endTime: bigint | undefined
}

/** A tracer keeping every span it makes. */
const recordingTracer = (spans: Array<RecordedSpan>) =>
  Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const attributes = new Map<string, unknown>()
      const span: RecordedSpan = {
        _tag: "Span",
        name,
        spanId: `span-${spans.length}`,
        traceId: "trace",
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes,
        links,
        sampled: true,
        kind,
        events: [],
        endTime: undefined,
        end: (endTime) => {
          span.endTime = endTime
        },
        attribute: (key, value) => {
          attributes.set(key, value)
        },
        event: (name, time, eventAttributes) => {
          span.events.push([name, time, eventAttributes])
        },
        addLinks: () => {}
      }
      spans.push(span)
      return span
    },
    context: (f) => f()
  })

describe("OAuthSession / span", () => {
  it.scoped("starts with the session under the span it was made in, records each transition at its time, ends with its scope", () =>
    Effect.gen(function*() {
      const spans: Array<RecordedSpan> = []
      const h = yield* harness({ latency: "1 second" })
      yield* TestClock.adjust("1 second")
      const scope = yield* Scope.make()
      const s = yield* session(h).pipe(
        Scope.extend(scope),
        Effect.withSpan("application"),
        Effect.withTracer(recordingTracer(spans))
      )
      yield* TestClock.adjust("2 seconds")
      const authorizing = yield* Effect.fork(authorize(h, s))
      yield* h.server.arrived("exchange", 1)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(authorizing)
      yield* TestClock.adjust("5 seconds")
      yield* Scope.close(scope, Exit.void)

      const ms = (millis: number) => BigInt(millis) * BigInt(1_000_000)
      const found = spans.filter((span) => span.name === "OAuthSession")
      expect(found).toHaveLength(1)
      const span = found[0]!
      expect(Option.map(span.parent, (parent) => parent._tag === "Span" ? parent.name : "external")).toEqual(
        Option.some("application")
      )
      expect(span.status).toEqual({ _tag: "Started", startTime: ms(1000) })
      expect(span.events.map(([name, time, attributes]) => [name, time, attributes?.["oauth.session.to"]])).toEqual([
        ["OAuthSession.transition", ms(3000), "authorizing"],
        ["OAuthSession.transition", ms(4000), "authorized"]
      ])
      expect(span.attributes.get("oauth.session.transitions")).toBe(2)
      expect(span.endTime).toBe(ms(9000))
    }))
})

describe("OAuthSession / secrets", () => {
  it.scoped("no inspection event, snapshot or error ever contains a token, code or state value", () =>
    Effect.gen(function*() {
      const events: Array<InspectionEvent> = []
      const h = yield* harness({ latency: "1 second" })
      const s = yield* session(h, { inspect: (event) => events.push(event) })
      const request = yield* s.authorize()
      const callback = h.server.approve(request)
      const completing = yield* Effect.fork(s.completeAuthorization(callback))
      yield* h.server.arrived("exchange", 1)
      yield* TestClock.adjust("1 second")
      const tokens = yield* Fiber.join(completing)
      yield* s.tokenRejected(tokens.accessToken)
      yield* h.server.arrived("refresh", 1)
      yield* TestClock.adjust("1 second")
      yield* until(s, "authorized")
      h.server.failNext("refresh", Fake.transportError(), Fake.invalidGrant())
      yield* TestClock.adjust(hour)
      const failing = yield* Effect.fork(Effect.either(s.accessToken))
      yield* h.server.arrived("refresh", 2)
      yield* TestClock.adjust("10 seconds")
      const failure = yield* Fiber.join(failing)
      if (Either.isRight(failure)) return expect.unreachable("the refresh should have failed")
      const again = yield* Effect.fork(authorize(h, s))
      yield* h.server.arrived("exchange", 2)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(again)
      const revoking = yield* Effect.fork(s.revoke)
      yield* h.server.arrived("revoke", 1)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(revoking)

      const secrets = [
        ...h.server.issued,
        Redacted.value(request.state),
        Redacted.value(request.codeVerifier!),
        new URL(callback).searchParams.get("code")!
      ]
      expect(secrets.length).toBeGreaterThan(6)
      const seen = new Set(events.map((event) => event.type))
      expect(seen).toEqual(new Set(["@xstate.actor", "@xstate.event", "@xstate.snapshot", "@xstate.microstep", "@xstate.action"]))
      const json = events.map((event) => JSON.stringify(event)).join("\n")
      expect(json).toContain("<redacted>")
      for (const secret of secrets) expect(json).not.toContain(secret)
      const rendered = [
        String(failure.left),
        JSON.stringify(failure.left),
        JSON.stringify(yield* s.snapshot)
      ].join("\n")
      for (const secret of secrets) expect(rendered).not.toContain(secret)
    }))

  it.scoped("a session's members work taken apart, and its inspection and JSON show no token", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "1 second" })
      const s = yield* session(h)
      const { accessToken, authorize, completeAuthorization, state, tokens } = s
      expect(s.accessToken).toBe(accessToken)
      expect(s.authorize).toBe(authorize)
      const request = yield* authorize()
      const completing = yield* Effect.fork(completeAuthorization(h.server.approve(request)))
      yield* h.server.arrived("exchange", 1)
      yield* TestClock.adjust("1 second")
      const issued = yield* Fiber.join(completing)
      expect(yield* state).toBe("authorized")
      expect(yield* accessToken).toBe(issued.accessToken)
      expect(yield* tokens).toBe(issued)
      expect(h.server.issued.length).toBeGreaterThan(1)
      const rendered = [inspect(s, { depth: 1, showHidden: true }), JSON.stringify(s)].join("\n")
      expect(rendered).toContain("alice")
      for (const secret of h.server.issued) expect(rendered).not.toContain(secret)
    }))

  it("renders every session error without a secret and with an actionable message", () => {
    const cause = new OAuthError.OAuthError({ error: "invalid_grant", status: 400, remedy: "reauthorize" })
    const errors = [
      new SessionError.Unauthorized({ reason: "NoGrant" }),
      new SessionError.SessionRevoked({ reason: "GrantRejected", cause }),
      new SessionError.RefreshFailed({ cause: Fake.unavailable(30), attempts: 3 }),
      new SessionError.AuthorizationFailed({ reason: "Timeout" }),
      new SessionError.RevocationFailed({ cause: Fake.transportError() })
    ]
    expect(errors.map((error) => error.message)).toEqual([
      "the session has no grant: authorize first",
      "the authorization server rejected the grant (invalid_grant): authorize again",
      "refresh failed after 3 attempts (remedy: retry): temporarily_unavailable (HTTP 503 from https://as.example/token; remedy: retry, retry after 30s)",
      "the authorization did not complete in time (no callback, or no approval of the device code): authorize again",
      "revocation failed: Transport error on POST https://as.example/token: RequestError (Transport) ECONNRESET"
    ])
    expect(errors.every(SessionError.isSessionError)).toBe(true)
    expect(SessionError.isSessionError(cause)).toBe(false)
  })
})

