/**
 * Issue 11, "the session tells the whole truth": the defects found under faults,
 * each shown by a test that failed before its fix.
 */
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { OAuthClient, TokenSet } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Fiber, Redacted, TestClock } from "effect"
import * as Fake from "@effect-oauth/testing/FakeTokenServer"
import { harness, session, until } from "../helpers/session.js"

const hour = 3_600_000

/** Moves the test clock in steps, so that retries and back-offs run out. */
const elapse = (seconds: number) => Effect.repeatN(TestClock.adjust("1 second"), seconds - 1)

describe("issue 11 / joiners share the refresh they joined", () => {
  for (const outage of [4, 8]) {
    it.scoped(`a ${outage}×503 outage costs at most the retry budget's requests, whatever the number of callers`, () =>
      Effect.gen(function*() {
        const h = yield* harness({ latency: "100 millis" })
        yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], hour))
        const s = yield* session(h)
        h.server.failNext("refresh", ...Array.from({ length: outage }, () => Fake.unavailable()))
        const callers = yield* Effect.fork(
          Effect.all(Array.from({ length: 5 }, () => Effect.either(s.accessToken)), { concurrency: "unbounded" })
        )
        yield* h.server.arrived("refresh", 1)
        yield* elapse(60)
        const outcomes = yield* Fiber.join(callers)
        // Four attempts (the default budget), all refused: every caller sees that refresh's failure.
        expect(h.server.counts.refresh).toBe(4)
        for (const outcome of outcomes) {
          expect(Either.isLeft(outcome) && outcome.left._tag).toBe("RefreshFailed")
        }
        const errors = new Set(outcomes.map((outcome) => Either.isLeft(outcome) ? outcome.left : undefined))
        expect(errors.size).toBe(1)
      }))
  }

  it.scoped("a refresh joined through session.refresh shares the outcome of the refresh it joined", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "100 millis" })
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], hour))
      const s = yield* session(h)
      h.server.failNext("refresh", ...Array.from({ length: 8 }, () => Fake.unavailable()))
      const first = yield* Effect.fork(Effect.either(s.accessToken))
      const joiner = yield* Effect.fork(Effect.either(s.refresh))
      yield* h.server.arrived("refresh", 1)
      yield* elapse(60)
      const [a, b] = [yield* Fiber.join(first), yield* Fiber.join(joiner)]
      expect(h.server.counts.refresh).toBe(4)
      expect(Either.isLeft(a) && Either.isLeft(b) && a.left === b.left).toBe(true)
    }))
})

describe("issue 11 / refresh on a stored, alive grant", () => {
  it.scoped("never answers NoGrant when the refreshed tokens reached the store already expired", () =>
    Effect.gen(function*() {
      // A write held back by a stale lock for longer than the tokens' lifetime, once.
      const h = yield* harness({ accessTokenLifetime: 1_000 })
      let delayed = 1
      const slow: TokenStore.Service = {
        ...h.store,
        compareAndSet: (key, expected, tokens) =>
          Effect.zipRight(
            Effect.suspend(() => delayed-- > 0 ? Effect.sleep("2 seconds") : Effect.void),
            h.store.compareAndSet(key, expected, tokens)
          )
      }
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], hour))
      const s = yield* session({ ...h, store: slow })
      const refreshed = yield* Effect.fork(s.refresh)
      yield* TestClock.adjust("2 seconds")
      const tokens = yield* Fiber.join(refreshed)
      expect(TokenSet.isExpired(tokens, yield* TestClock.currentTimeMillis)).toBe(false)
      expect(h.server.counts.refresh).toBe(2)
      expect(Redacted.value(tokens.accessToken)).toBe(Redacted.value(yield* s.accessToken))
    }))
})

describe("issue 11 / the back-off is a state the inspector shows", () => {
  it.scoped("an inspector sees refreshing.backingOff for the server's Retry-After, then refreshing.requesting again", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], hour))
      const seen: Array<string> = []
      const s = yield* session(h, {
        inspect: (event) => {
          if (event.type === "@xstate.snapshot" && "value" in event.snapshot) {
            const value = JSON.stringify(event.snapshot.value)
            if (seen.at(-1) !== value) seen.push(value)
          }
        }
      })
      h.server.failNext("refresh", Fake.tooManyRequests(3))
      const caller = yield* Effect.fork(s.accessToken)
      yield* TestClock.adjust("2999 millis")
      expect(seen.at(-1)).toBe(`{"refreshing":"backingOff"}`)
      expect(h.server.counts.refresh).toBe(1)
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(caller)
      expect(seen).toEqual([
        `"unauthorized"`,
        `"expired"`,
        `{"refreshing":"requesting"}`,
        `{"refreshing":"backingOff"}`,
        `{"refreshing":"requesting"}`,
        `"authorized"`
      ])
    }))
})

describe("issue 11 / a lost response is named", () => {
  it.scoped("a refresh whose response was lost says so, and the reuse refusal that follows is revoked as ResponseLost", () =>
    Effect.gen(function*() {
      // The server rotates the refresh token, then the response never arrives.
      const h = yield* harness()
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], hour))
      const s = yield* session(h)
      h.server.loseNext("refresh")
      const caller = yield* Effect.fork(Effect.either(s.accessToken))
      const backingOff = yield* until(s, (snapshot) => snapshot.context.attempt === 1)
      const lost = backingOff.context.error
      expect(lost?._tag === "RefreshFailed" && lost.responseLost).toBe(true)
      expect(lost?.message).toContain("may have reached the server")
      expect(lost?.message).not.toContain("untouched")
      yield* elapse(5)
      const outcome = yield* Fiber.join(caller)
      expect(Either.isLeft(outcome) && outcome.left).toMatchObject({ _tag: "SessionRevoked", reason: "ResponseLost" })
      expect(Either.isLeft(outcome) && outcome.left.message).toContain("an earlier refresh response was lost")
    }))

  it.scoped("refuses a lease that does not outlast the client's request timeout, where the session is built", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const slowClient = { ...h.server.client, timeout: Duration.seconds(30) }
      const error = yield* Effect.flip(
        OAuthSession.make({ key: "alice", refresh: "lazy", leaseTtl: "10 seconds" }).pipe(
          Effect.provideService(OAuthClient.OAuthClient, slowClient),
          Effect.provideService(TokenStore.TokenStore, h.store)
        )
      )
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "Unsupported" })
      expect(error.message).toContain("leaseTtl")
      const fine = yield* OAuthSession.make({ key: "alice", refresh: "lazy", leaseTtl: "1 minute" }).pipe(
        Effect.provideService(OAuthClient.OAuthClient, slowClient),
        Effect.provideService(TokenStore.TokenStore, h.store)
      )
      expect(yield* fine.state).toBe("unauthorized")
    }))
})

describe("issue 11 / a refreshed ID token that fails validation", () => {
  it.scoped("UnknownKey: the rotated refresh token is kept in the store, nothing of that response is handed out, and the retry succeeds", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], hour))
      const s = yield* session(h)
      h.server.refuseIdTokenNext("UnknownKey")
      const caller = yield* Effect.fork(s.accessToken)
      yield* until(s, (snapshot) => snapshot.context.attempt === 1)
      const refused = h.server.issued.filter((value) => value.startsWith("access-")).at(-1)!
      const rotated = h.server.newestRefreshToken()!
      const stored = yield* h.store.get("alice")
      expect(stored._tag === "Some" && Redacted.value(stored.value.tokens.refreshToken!)).toBe(rotated)
      yield* elapse(2)
      const token = Redacted.value(yield* Fiber.join(caller))
      expect(token).not.toBe(refused)
      expect(h.server.counts.refresh).toBe(2)
      expect(yield* s.state).toBe("authorized")
    }))

  it.scoped("another reason: the rotated refresh token is revoked at the server, the store cleared, and the session revoked with the error", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], hour))
      const s = yield* session(h)
      h.server.refuseIdTokenNext("AudienceMismatch")
      const error = yield* Effect.flip(s.accessToken)
      expect(error).toMatchObject({
        _tag: "SessionRevoked",
        reason: "IdTokenRejected",
        idTokenInvalid: { _tag: "IdTokenInvalid", reason: "AudienceMismatch" }
      })
      expect(error.message).toContain("AudienceMismatch")
      const rotated = h.server.newestRefreshToken()!
      expect(h.server.counts.revoke).toBe(1)
      expect(h.server.isRefreshTokenUsable(rotated, yield* TestClock.currentTimeMillis)).toBe(false)
      expect((yield* h.store.get("alice"))._tag).toBe("None")
      expect(yield* s.state).toBe("revoked")
    }))
})

/** Tokens whose extra fields nest deeper than `JSON.stringify` can go. */
const unencodable = (tokens: TokenSet.TokenSet) => {
  let deep: Record<string, unknown> = {}
  for (let i = 0; i < 100_000; i++) deep = { deep }
  return new TokenSet.TokenSet({ ...tokens, extra: Redacted.make({ deep }) })
}

describe("issue 11 / a value the encoder refuses", () => {
  it.scoped("the file store answers a typed Unencodable error and writes nothing", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const store = yield* TokenStore.makeFileSystem(yield* fs.makeTempDirectoryScoped())
      const tokens = TokenSet.make({ accessToken: "a", issuedAt: 0, scopes: [] })
      const error = yield* Effect.flip(store.compareAndSet("alice", undefined, unencodable(tokens)))
      expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Unencodable", operation: "compareAndSet" })
      expect((yield* store.get("alice"))._tag).toBe("None")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.live("a refresh whose tokens the store cannot encode keeps them held, unsaved, and the session is not revoked", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const store = yield* TokenStore.makeFileSystem(yield* fs.makeTempDirectoryScoped())
      const h = yield* harness({}, store)
      yield* store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], hour))
      const deepClient: OAuthClient.Service = {
        ...h.server.client,
        refresh: (tokens, options) => Effect.map(h.server.client.refresh(tokens, options), unencodable)
      }
      // One attempt: the store's own retries (on the live clock) are enough to show the outcome.
      const s = yield* OAuthSession.make({ key: "alice", refresh: "lazy", retry: { maxAttempts: 1 } }).pipe(
        Effect.provideService(OAuthClient.OAuthClient, deepClient),
        Effect.provideService(TokenStore.TokenStore, store)
      )
      const outcome = yield* Effect.either(s.accessToken)
      expect(Either.isLeft(outcome) && outcome.left).toMatchObject({ _tag: "RefreshFailed", cause: { reason: "Unencodable" } })
      const snapshot = yield* s.snapshot
      expect(snapshot.value).not.toBe("revoked")
      // The rotated refresh token is held in memory, never dropped.
      const held = snapshot.context.unsaved?.refreshToken
      expect(held === undefined ? undefined : Redacted.value(held)).toBe(h.server.newestRefreshToken())
      expect(h.server.counts.refresh).toBe(1)
    }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)))
})

describe("issue 11 / file store hardening", () => {
  it.scoped.skipIf(process.platform === "win32")(
    "refuses a store directory writable by group or others, naming the fix (POSIX modes: not run on Windows)",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const directory = yield* fs.makeTempDirectoryScoped()
        yield* fs.chmod(directory, 0o777)
        const error = yield* Effect.flip(TokenStore.makeFileSystem(directory))
        expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Io", operation: "open" })
        expect(error.message).toContain("writable by group or others")
        yield* fs.chmod(directory, 0o700)
        const store = yield* TokenStore.makeFileSystem(directory)
        expect((yield* store.get("alice"))._tag).toBe("None")
      }).pipe(Effect.provide(NodeFileSystem.layer))
  )
})
