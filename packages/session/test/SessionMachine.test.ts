import { OAuthClient, TokenSet } from "@effect-oauth/core"
import { OAuthSession, SessionMachine, TokenStore } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Logger, LogLevel, Option, Redacted, TestClock } from "effect"
import { afterEach, beforeEach, vi } from "vitest"
import { fromCallback } from "xstate"
import * as Fake from "@effect-oauth/testing/FakeTokenServer"
import { authorize, harness, record, session, storedAccessToken, until } from "./helpers/session.js"

const hour = 3_600_000
const day = 24 * hour

describe("SessionMachine / transitions", () => {
  it.scoped("shows every state of a lazy lifecycle in changes: unauthorized → authorizing → authorized → expired → refreshing → authorized", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      const changes = yield* record(s)
      expect(yield* s.state).toBe("unauthorized")
      const request = yield* s.authorize()
      expect(yield* s.state).toBe("authorizing")
      yield* s.completeAuthorization(h.server.approve(request))
      yield* TestClock.adjust(hour - 1)
      expect(yield* s.state).toBe("authorized")
      yield* TestClock.adjust(1)
      expect(yield* s.state).toBe("expired")
      const token = yield* s.accessToken
      expect(Redacted.value(token)).toBe(yield* storedAccessToken(h.store))
      expect(yield* changes.states).toEqual(["authorizing", "authorized", "expired", "refreshing", "authorized"])
    }))

  it.scoped("lazy: makes no request while idle, even long past expiry", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h, { refresh: "lazy" })
      yield* authorize(h, s)
      yield* TestClock.adjust(30 * day)
      expect(yield* s.state).toBe("expired")
      expect(h.server.counts.refresh).toBe(0)
    }))

  it.scoped("eager: refreshes when the refresh window opens (TokenSet.refreshAt), with no caller", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h, { refresh: "eager" })
      const changes = yield* record(s)
      const first = yield* authorize(h, s)
      const refreshAt = TokenSet.refreshAt(first)!
      expect(refreshAt).toBe(hour - 60_000)
      yield* TestClock.adjust(refreshAt - 1)
      expect(h.server.counts.refresh).toBe(0)
      yield* TestClock.adjust(1)
      yield* until(s, (snapshot) => snapshot.value === "authorized" && snapshot.context.tokens !== first)
      expect(h.server.counts.refresh).toBe(1)
      expect(yield* changes.states).toEqual(["authorizing", "authorized", "refreshing", "authorized"])
      const { context } = yield* s.snapshot
      expect(context.tokens!.expiresAt).toBe(refreshAt + hour)
    }))

  it.scoped("eager: a custom refresh window as a duration", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h, { refresh: "eager", refreshWindow: "5 minutes" })
      yield* authorize(h, s)
      yield* TestClock.adjust(hour - 5 * 60_000 - 1)
      expect(h.server.counts.refresh).toBe(0)
      yield* TestClock.adjust(1)
      yield* until(s, (snapshot) => snapshot.value === "authorized" && h.server.counts.refresh === 1)
    }))

  it.scoped("makes expired observable before an eager refresh of a stored expired grant", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const seeded = yield* h.server.seed()
      yield* h.store.compareAndSet("alice", undefined, seeded)
      yield* TestClock.adjust(2 * hour)
      const inspected: Array<string> = []
      const s = yield* session(h, {
        refresh: "eager",
        inspect: (event) => {
          if (event.type === "@xstate.snapshot" && "value" in event.snapshot) inspected.push(JSON.stringify(event.snapshot.value))
        }
      })
      yield* until(s, (snapshot) => snapshot.value === "authorized")
      expect(inspected).toContain(`"expired"`)
      expect(inspected.indexOf(`"expired"`)).toBeLessThan(inspected.indexOf(`{"refreshing":"requesting"}`))
      expect(h.server.counts.refresh).toBe(1)
    }))

  it.scoped("arms the expiry of a 60-day token without overflowing the timer", () =>
    Effect.gen(function*() {
      const h = yield* harness({ accessTokenLifetime: 60 * day })
      const s = yield* session(h)
      yield* authorize(h, s)
      expect(60 * day).toBeGreaterThan(2 ** 31 - 1)
      yield* TestClock.adjust(25 * day)
      expect(yield* s.state).toBe("authorized")
      yield* TestClock.adjust(35 * day - 1)
      expect(yield* s.state).toBe("authorized")
      yield* TestClock.adjust(1)
      expect(yield* s.state).toBe("expired")
    }))

  it.scoped("goes expired → unauthorized with NoRefreshToken when the grant has no refresh token", () =>
    Effect.gen(function*() {
      const h = yield* harness({ refreshTokens: false })
      const s = yield* session(h)
      const changes = yield* record(s)
      yield* authorize(h, s)
      yield* TestClock.adjust(hour)
      yield* until(s, "unauthorized")
      expect(yield* changes.states).toEqual(["authorizing", "authorized", "expired", "unauthorized"])
      const error = yield* Effect.flip(s.accessToken)
      expect(error).toMatchObject({ _tag: "Unauthorized", reason: "NoRefreshToken" })
      expect(error.message).toContain("authorize again")
      expect(h.server.counts.refresh).toBe(0)
    }))
})

describe("SessionMachine / refresh failures", () => {
  it.scoped("retries transient failures with jittered exponential backoff in refreshing.backingOff, then goes expired keeping the error, never revoked", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      yield* authorize(h, s)
      const stored = yield* h.store.get("alice")
      yield* TestClock.adjust(hour)
      h.server.failNext("refresh", Fake.transportError(), Fake.unavailable(), Fake.transportError(), Fake.transportError())
      const caller = yield* Effect.fork(Effect.either(s.accessToken))
      for (const attempt of [1, 2, 3]) {
        const backingOff = yield* until(s, (snapshot) => snapshot.context.attempt === attempt)
        expect(backingOff.value).toEqual({ refreshing: "backingOff" })
        expect(h.server.counts.refresh).toBe(attempt)
        // Equal jitter: between half the exponential back-off and all of it.
        const backoff = 500 * 2 ** (attempt - 1)
        const delay = backingOff.context.retryDelay
        expect(delay).toBeGreaterThanOrEqual(backoff / 2)
        expect(delay).toBeLessThanOrEqual(backoff)
        yield* TestClock.adjust(delay - 1)
        expect(h.server.counts.refresh).toBe(attempt)
        yield* TestClock.adjust(1)
        yield* until(s, (snapshot) => h.server.counts.refresh === attempt + 1 || snapshot.context.attempt !== attempt)
        expect(h.server.counts.refresh).toBe(attempt + 1)
      }
      const result = yield* Fiber.join(caller)
      expect(h.server.counts.refresh).toBe(4)
      expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "RefreshFailed", attempts: 4 })
      const snapshot = yield* s.snapshot
      expect(snapshot.value).toBe("expired")
      expect(snapshot.context.error).toMatchObject({ _tag: "RefreshFailed", remedy: "retry" })
      expect(yield* h.store.get("alice")).toEqual(stored)
      // The next demand starts a new refresh, which now succeeds.
      const token = yield* s.accessToken
      expect(Redacted.value(token)).toBe(yield* storedAccessToken(h.store))
      expect(yield* s.state).toBe("authorized")
    }))

  it.scoped("waits the server's Retry-After (429) before the next attempt", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      yield* authorize(h, s)
      yield* TestClock.adjust(hour)
      h.server.failNext("refresh", Fake.tooManyRequests(7))
      const caller = yield* Effect.fork(s.accessToken)
      yield* until(s, (snapshot) => snapshot.context.attempt === 1)
      expect(s.actor.getSnapshot().context.retryDelay).toBe(7000)
      yield* TestClock.adjust(6999)
      expect(h.server.counts.refresh).toBe(1)
      yield* TestClock.adjust(1)
      yield* Fiber.join(caller)
      expect(h.server.counts.refresh).toBe(2)
    }))

  it.scoped("stops retrying when Retry-After exceeds the longest delay, keeping retryAfter in the error", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      yield* authorize(h, s)
      yield* TestClock.adjust(hour)
      h.server.failNext("refresh", Fake.unavailable(120))
      const error = yield* Effect.flip(s.accessToken)
      expect(error).toMatchObject({ _tag: "RefreshFailed", attempts: 1, retryAfter: 120 })
      expect(h.server.counts.refresh).toBe(1)
      expect(yield* s.state).toBe("expired")
    }))

  it.scoped("invalid_grant → revoked, store cleared, Revoked reported", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      const changes = yield* record(s)
      yield* authorize(h, s)
      h.server.revokeAll()
      yield* TestClock.adjust(hour)
      const error = yield* Effect.flip(s.accessToken)
      expect(error).toMatchObject({ _tag: "SessionRevoked", reason: "GrantRejected", cause: { error: "invalid_grant" } })
      expect(yield* s.state).toBe("revoked")
      expect(Option.isNone(yield* h.store.get("alice"))).toBe(true)
      const all = yield* changes.take
      expect(all.filter((change) => change._tag === "Revoked")).toEqual([
        expect.objectContaining({ reason: "GrantRejected" })
      ])
      expect(h.server.counts.refresh).toBe(1)
    }))

  it.scoped("a configuration error (invalid_client) stops at once, reports, and keeps the stored grant", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      yield* authorize(h, s)
      const stored = yield* h.store.get("alice")
      yield* TestClock.adjust(hour)
      h.server.failNext("refresh", Fake.invalidClient())
      const error = yield* Effect.flip(s.accessToken)
      expect(error).toMatchObject({ _tag: "RefreshFailed", attempts: 1, remedy: "fixConfiguration" })
      yield* TestClock.adjust(day)
      expect(h.server.counts.refresh).toBe(1)
      expect(yield* s.state).toBe("expired")
      expect(yield* h.store.get("alice")).toEqual(stored)
      // Once the configuration is fixed, the same grant works.
      yield* s.accessToken
      expect(yield* s.state).toBe("authorized")
    }))

  it.scoped("eager: a failed refresh ahead of expiry keeps the still-valid token and does not loop", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h, { refresh: "eager", retry: { maxAttempts: 1 } })
      const first = yield* authorize(h, s)
      h.server.failNext("refresh", Fake.transportError())
      yield* TestClock.adjust(hour - 60_000)
      yield* until(s, (snapshot) => snapshot.value === "authorized" && snapshot.context.error !== undefined)
      expect(yield* s.accessToken).toBe(first.accessToken)
      yield* TestClock.adjust(59_999)
      expect(h.server.counts.refresh).toBe(1)
      yield* TestClock.adjust(1)
      expect(yield* s.state).toBe("expired")
      expect(Redacted.value(yield* s.accessToken)).not.toBe(Redacted.value(first.accessToken))
    }))
})

describe("SessionMachine / other holders and bugs", () => {
  it.scoped("a grant another holder removed from the store ends in revoked (GrantRemoved), with no request", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const a = yield* session(h)
      yield* authorize(h, a)
      const b = yield* session(h)
      expect(yield* b.state).toBe("authorized")
      yield* a.revoke
      yield* TestClock.adjust(hour)
      const error = yield* Effect.flip(b.accessToken)
      expect(error).toMatchObject({ _tag: "SessionRevoked", reason: "GrantRemoved" })
      expect(yield* b.state).toBe("revoked")
      expect(h.server.counts.refresh).toBe(0)
    }))

  it.scoped("a defect in the client is reported as a failure to fix, not a hang", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const broken = { ...h.server.client, refresh: () => Effect.die(new TypeError("bug")) }
      const s = yield* OAuthSession.make({ key: "alice", refresh: "lazy", clock: "effect" }).pipe(
        Effect.provideService(OAuthClient.OAuthClient, broken),
        Effect.provideService(TokenStore.TokenStore, h.store),
        Logger.withMinimumLogLevel(LogLevel.None)
      )
      yield* authorize(h, s)
      yield* TestClock.adjust(hour)
      const error = yield* Effect.flip(s.accessToken)
      expect(error).toMatchObject({ _tag: "RefreshFailed", remedy: "fixConfiguration", cause: { reason: "Unsupported" } })
      expect(yield* s.state).toBe("expired")
    }))
})

describe("SessionMachine / rejected tokens", () => {
  it.scoped("TOKEN_REJECTED refreshes, and the rejected token is never handed out again", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "1 second" })
      const s = yield* session(h)
      const changes = yield* record(s)
      const first = yield* Effect.fork(authorize(h, s))
      yield* h.server.arrived("exchange", 1)
      yield* TestClock.adjust("1 second")
      const tokens = yield* Fiber.join(first)
      yield* s.tokenRejected(tokens.accessToken)
      expect(yield* s.state).toBe("refreshing")
      const caller = yield* Effect.fork(s.accessToken)
      yield* h.server.arrived("refresh", 1)
      yield* TestClock.adjust("1 second")
      const next = yield* Fiber.join(caller)
      expect(Redacted.value(next)).not.toBe(Redacted.value(tokens.accessToken))
      expect(yield* changes.states).toEqual(["authorizing", "authorized", "refreshing", "authorized"])
    }))

  it.scoped("ignores a late rejection of a token already replaced", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      const first = yield* authorize(h, s)
      yield* s.tokenRejected(first.accessToken)
      yield* until(s, (snapshot) => snapshot.value === "authorized" && snapshot.context.tokens !== first)
      yield* s.tokenRejected(first.accessToken)
      expect(yield* s.state).toBe("authorized")
      expect(h.server.counts.refresh).toBe(1)
    }))

  it.scoped("without a refresh token, a rejection ends in unauthorized", () =>
    Effect.gen(function*() {
      const h = yield* harness({ refreshTokens: false })
      const s = yield* session(h)
      const tokens = yield* authorize(h, s)
      yield* s.tokenRejected(tokens.accessToken)
      yield* until(s, "unauthorized")
      expect((yield* Effect.flip(s.accessToken))._tag).toBe("Unauthorized")
    }))
})

describe("SessionMachine / authorization", () => {
  it.scoped("a callback with another state fails with StateMismatch and returns to unauthorized", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      const request = yield* s.authorize()
      const url = h.server.approve(request).replace(/state=[^&]+/, "state=forged")
      const error = yield* Effect.flip(s.completeAuthorization(url))
      expect(error).toMatchObject({ _tag: "AuthorizationFailed", reason: "Callback", cause: { _tag: "StateMismatch" } })
      const snapshot = yield* s.snapshot
      expect(snapshot.value).toBe("unauthorized")
      expect(snapshot.context.error).toEqual(error)
      expect(snapshot.context.request).toBeUndefined()
      expect(h.server.counts.exchange).toBe(0)
    }))

  it.scoped("a denied authorization returns to unauthorized with AuthorizationDenied", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      const request = yield* s.authorize()
      const error = yield* Effect.flip(
        s.completeAuthorization(`https://app.example/callback?error=access_denied&state=${Redacted.value(request.state)}`)
      )
      expect(error).toMatchObject({ reason: "Callback", cause: { _tag: "AuthorizationDenied", error: "access_denied" } })
      expect(yield* s.state).toBe("unauthorized")
    }))

  it.scoped("times out an authorization nobody completes", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h, { authorizationTimeout: "5 minutes" })
      yield* s.authorize()
      yield* TestClock.adjust("5 minutes")
      const snapshot = yield* s.snapshot
      expect(snapshot.value).toBe("unauthorized")
      expect(snapshot.context.error).toMatchObject({ _tag: "AuthorizationFailed", reason: "Timeout" })
    }))

  it.scoped("keeps requested scopes the server did not grant as data", () =>
    Effect.gen(function*() {
      const h = yield* harness({ grant: (requested) => requested.filter((scope) => scope !== "write") })
      const s = yield* session(h)
      yield* authorize(h, s, { scopes: ["read", "write", "profile"] })
      const { context } = yield* s.snapshot
      expect(context.requestedScopes).toEqual(["read", "write", "profile"])
      expect(context.tokens!.scopes).toEqual(["read", "profile"])
      expect(context.missingScopes).toEqual(["write"])
    }))

  it.scoped("refuses authorize while authorized and a callback while not authorizing", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      expect(yield* Effect.flip(s.completeAuthorization("https://app.example/callback?code=x&state=y"))).toMatchObject({
        reason: "InvalidState",
        state: "unauthorized"
      })
      yield* authorize(h, s)
      const error = yield* Effect.flip(s.authorize())
      expect(error).toMatchObject({ _tag: "AuthorizationFailed", reason: "InvalidState", state: "authorized" })
      expect(error.message).toBe("the session cannot do this while authorized")
    }))
})

describe("SessionMachine / refresh token lifetime", () => {
  it.scoped("flags refreshTokenExpiring and reports RefreshTokenExpiring before the refresh token lapses", () =>
    Effect.gen(function*() {
      const h = yield* harness({ accessTokenLifetime: 30 * day, refreshTokenLifetime: 10 * day })
      const s = yield* session(h, { refreshTokenWarning: "2 days" })
      const changes = yield* record(s)
      const tokens = yield* authorize(h, s)
      expect(tokens.refreshTokenExpiresAt).toBe(10 * day)
      yield* TestClock.adjust(8 * day - 1)
      expect((yield* s.snapshot).context.refreshTokenExpiring).toBe(false)
      yield* TestClock.adjust(1)
      expect((yield* s.snapshot).context.refreshTokenExpiring).toBe(true)
      const reported = (yield* changes.take).filter((change) => change._tag === "RefreshTokenExpiring")
      expect(reported).toEqual([expect.objectContaining({ expiresAt: 10 * day })])
    }))

  it.scoped("after the refresh token lapsed, an expired session goes unauthorized without a request", () =>
    Effect.gen(function*() {
      const h = yield* harness({ accessTokenLifetime: 10 * day, refreshTokenLifetime: 5 * day })
      const s = yield* session(h)
      yield* authorize(h, s)
      yield* TestClock.adjust(10 * day)
      yield* until(s, "unauthorized")
      expect((yield* s.snapshot).context.error).toMatchObject({ _tag: "Unauthorized", reason: "RefreshTokenExpired" })
      expect(h.server.counts.refresh).toBe(0)
    }))
})

describe("SessionMachine / make", () => {
  it.scoped("lets a test replace an actor with .provide() through the machine option", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const replacement = TokenSet.make({ accessToken: "from-stub", issuedAt: 0, expiresAt: 10 * hour })
      const s = yield* session(h, {
        machine: (machine) =>
          machine.provide({
            actors: {
              refreshTokens: fromCallback(({ sendBack }) => {
                sendBack({ type: "STORED", tokens: replacement, version: 99, source: "refresh" })
              })
            }
          })
      })
      yield* authorize(h, s)
      yield* TestClock.adjust(hour)
      expect(Redacted.value(yield* s.accessToken)).toBe("from-stub")
      expect(h.server.counts.refresh).toBe(0)
    }))

  it("lists the states of DESIGN §4, and the machine declares exactly those", () => {
    const machine = SessionMachine.make(
      { key: "k", refresh: "lazy" },
      { now: () => 0, run: () => { throw new Error("not started") } }
    )
    expect(Object.keys(machine.root.states).sort()).toEqual([...SessionMachine.states].sort())
  })
})

describe("SessionMachine / invariants", () => {
  const declared = SessionMachine.transitions(
    SessionMachine.make({ key: "k", refresh: "eager" }, { now: () => 0, run: () => { throw new Error("not started") } })
  )
  const edges = new Set(declared.map(({ from, to }) => `${from} → ${to}`))

  it("declares the transitions of DESIGN §4", () => {
    for (const edge of [
      "unauthorized → authorizing",
      "unauthorized → authorized",
      "unauthorized → expired",
      "authorizing → authorized",
      "authorizing → unauthorized",
      "authorized → expired",
      "authorized → refreshing",
      "authorized → revoked",
      "expired → refreshing",
      "expired → unauthorized",
      "refreshing → authorized",
      "refreshing → expired",
      "refreshing → revoked",
      "revoked → authorizing"
    ]) expect(edges).toContain(edge)
    expect(edges).not.toContain("revoked → authorized")
    expect(edges).not.toContain("unauthorized → refreshing")
    expect(declared).toContainEqual({
      from: "authorized",
      to: "expired",
      event: "xstate.after.accessTokenExpiry.session.authorized"
    })
  })

  it.scoped("every observed transition is one the machine declares (invariant 8)", () =>
    Effect.gen(function*() {
      const h = yield* harness({ refreshTokenLifetime: 3 * hour })
      const s = yield* session(h, { refresh: "eager", retry: { maxAttempts: 2 } })
      const changes = yield* record(s)
      const observed: Array<string> = []
      const drain = Effect.map(changes.take, (all) => {
        for (const change of all) if (change._tag === "StateChanged") observed.push(`${change.from} → ${change.to}`)
      })
      const request = yield* s.authorize()
      yield* Effect.flip(s.completeAuthorization("https://app.example/callback?code=nope&state=nope"))
      yield* s.authorize()
      yield* authorize(h, s)
      // The eager refresh fails twice: the still-valid token is kept until it expires.
      h.server.failNext("refresh", Fake.transportError(), Fake.transportError())
      yield* TestClock.adjust(hour)
      yield* until(s, "expired")
      yield* s.accessToken
      const tokens = yield* s.tokens
      yield* s.tokenRejected(tokens.accessToken)
      yield* until(s, (snapshot) => snapshot.value === "authorized" && snapshot.context.tokens !== tokens)
      h.server.revokeAll()
      yield* Effect.flip(s.refresh)
      yield* authorize(h, s)
      yield* s.revoke
      yield* drain
      expect(request.url).toContain("state=")
      expect(new Set(observed)).toEqual(
        new Set([
          "unauthorized → authorizing",
          "authorizing → unauthorized",
          "authorizing → authorized",
          "authorized → refreshing",
          "refreshing → authorized",
          "authorized → expired",
          "expired → refreshing",
          "refreshing → revoked",
          "revoked → authorizing",
          "authorized → revoked"
        ])
      )
      for (const edge of observed) expect(edges).toContain(edge)
    }))

  it.scoped("a clock set back after issuance never stretches a token's life (invariant 9)", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      yield* TestClock.adjust(hour)
      // Issued at 1 h for 1 h; the clock is then set back to 0 before a restart.
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed())
      yield* TestClock.setTime(0)
      const s = yield* session(h)
      expect(yield* s.state).toBe("authorized")
      yield* TestClock.adjust(hour - 1)
      expect(yield* s.state).toBe("authorized")
      yield* TestClock.adjust(1)
      expect(yield* s.state).toBe("expired")
    }))

  it.scoped("a token whose lifetime ran out is not revived by a clock set back: neither while refreshing nor after a failed refresh (invariant 9)", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "1 second" })
      yield* TestClock.setTime(day)
      const old = yield* h.server.seed()
      yield* h.store.compareAndSet("alice", undefined, old)
      // Set back a day: by the clock the token lives a day more, by its lifetime an hour.
      yield* TestClock.setTime(0)
      const s = yield* session(h, { retry: { maxAttempts: 1 } })
      yield* TestClock.adjust(hour)
      expect(yield* s.state).toBe("expired")
      h.server.failNext("refresh", Fake.transportError())
      const failing = yield* Effect.fork(Effect.either(s.accessToken))
      yield* h.server.arrived("refresh", 1)
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(failing)).toMatchObject({ _tag: "Left", left: { _tag: "RefreshFailed" } })
      expect(yield* s.state).toBe("expired")
      const next = yield* Effect.fork(s.accessToken)
      yield* h.server.arrived("refresh", 2)
      yield* TestClock.adjust("1 second")
      expect(Redacted.value(yield* Fiber.join(next))).not.toBe(Redacted.value(old.accessToken))
    }))
})

describe("SessionMachine / clocks", () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it("systemClock chains a 60-day delay instead of overflowing setTimeout", () => {
    const fired = vi.fn()
    SessionMachine.systemClock.setTimeout(fired, 60 * day)
    vi.advanceTimersByTime(60 * day - 1)
    expect(fired).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(fired).toHaveBeenCalledTimes(1)
  })

  it("systemClock never fires an infinite delay and clears a chained timer", () => {
    const never = vi.fn()
    const cleared = vi.fn()
    SessionMachine.systemClock.setTimeout(never, Number.POSITIVE_INFINITY)
    const id = SessionMachine.systemClock.setTimeout(cleared, 30 * day)
    vi.advanceTimersByTime(25 * day)
    SessionMachine.systemClock.clearTimeout(id)
    vi.advanceTimersByTime(100 * day)
    expect(never).not.toHaveBeenCalled()
    expect(cleared).not.toHaveBeenCalled()
  })
})
