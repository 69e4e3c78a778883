import { Print } from "@effect-oauth/example-shared"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { SessionRegistry } from "@effect-oauth/session"
import { Effect, Either, Option, Redacted, TestClock } from "effect"
import * as App from "../src/app.js"
import * as Calendar from "../src/calendar.js"

const calendarRequests = (env: App.Environment) =>
  Effect.map(env.server.served, (served) => served.filter((r) => r.path.endsWith("/events")).map((r) => r.status))

describe("google-calendar-sync", () => {
  it.scoped("pushes events with the session's access token", () =>
    Effect.gen(function*() {
      const env = yield* App.environment
      yield* App.connect(env)
      const events = App.events(1, 3)
      const report = yield* Calendar.push(env.api, env.server.endpoints.calendar, "primary", events)
      expect(report).toEqual({ inserted: events.map((e) => e.id), existing: [] })
      expect(env.server.events("primary").map((e) => e.summary)).toEqual(events.map((e) => e.summary))
      expect(yield* calendarRequests(env)).toEqual([200, 200, 200])
      expect(env.server.tokenRequests()).toEqual({ authorization_code: 1 })
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("on a 401 with error=\"invalid_token\" refreshes once and retries the request with the new token", () =>
    Effect.gen(function*() {
      const env = yield* App.environment
      const before = yield* App.connect(env)
      env.server.invalidateAccessTokens()
      const report = yield* Calendar.push(env.api, env.server.endpoints.calendar, "primary", App.events(4, 1))
      expect(report.inserted).toEqual(["standup0004"])
      expect(yield* calendarRequests(env)).toEqual([401, 200])
      expect(env.server.tokenRequests()).toEqual({ authorization_code: 1, refresh_token: 1 })
      expect(env.server.events("primary")).toHaveLength(1)
      const after = yield* env.session.tokens
      expect(Redacted.value(after.accessToken)).not.toBe(Redacted.value(before.accessToken))
      // Google's refresh response has no refresh_token: the one from the consent is kept.
      expect(after.refreshToken).toEqual(before.refreshToken)
      const stored = yield* env.store.get(App.sessionKey)
      expect(Option.map(stored, (entry) => Redacted.value(entry.tokens.accessToken))).toEqual(
        Option.some(Redacted.value(after.accessToken))
      )
      expect(yield* env.session.state).toBe("authorized")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("retries only once: a second 401 is reported, not looped on, and the next push asks to reconnect", () =>
    Effect.gen(function*() {
      const env = yield* App.environment
      yield* App.connect(env)
      env.server.invalidateAccessTokens()
      env.server.revokeGrantAfterNextRefresh()
      const first = yield* Effect.flip(Calendar.push(env.api, env.server.endpoints.calendar, "primary", App.events(1, 1)))
      expect(first._tag).toBe("SyncFailed")
      expect(first._tag === "SyncFailed" ? [first.reason, first.detail] : []).toEqual([
        "Api",
        `HTTP 401 from ${env.server.endpoints.calendar}`
      ])
      expect(yield* calendarRequests(env)).toEqual([401, 401])
      expect(env.server.tokenRequests()).toEqual({ authorization_code: 1, refresh_token: 1 })

      const second = yield* Effect.flip(Calendar.push(env.api, env.server.endpoints.calendar, "primary", App.events(1, 1)))
      expect(second._tag).toBe("ReconnectRequired")
      expect(env.server.tokenRequests()).toEqual({ authorization_code: 1, refresh_token: 2 })
      expect(yield* env.session.state).toBe("revoked")
      expect(env.server.events("primary")).toEqual([])
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("when the refresh is refused with invalid_grant, drops the grant and asks the user to reconnect", () =>
    Effect.gen(function*() {
      const env = yield* App.environment
      yield* App.connect(env)
      yield* Calendar.push(env.api, env.server.endpoints.calendar, "primary", App.events(1, 2))
      env.server.revokeGrant()
      const outcome = yield* Effect.either(Calendar.push(env.api, env.server.endpoints.calendar, "primary", App.events(3, 2)))
      expect(Either.isLeft(outcome)).toBe(true)
      if (Either.isRight(outcome)) return
      const error = outcome.left
      expect(error._tag).toBe("ReconnectRequired")
      if (error._tag !== "ReconnectRequired") return
      expect(error.pushed).toBe(0)
      expect(error.cause._tag).toBe("SessionRevoked")
      const cause = error.cause._tag === "SessionRevoked" ? error.cause.cause : undefined
      expect(cause?.error).toBe("invalid_grant")
      expect(cause?.description).toBe("Token has been expired or revoked.")
      expect(error.message).toContain("reconnect")
      expect(yield* env.session.state).toBe("revoked")
      expect(Option.isNone(yield* env.store.get(App.sessionKey))).toBe(true)
      expect((yield* Effect.either(env.session.accessToken))._tag).toBe("Left")
      // One refresh attempt, no request retried without a token.
      expect(env.server.tokenRequests()).toEqual({ authorization_code: 1, refresh_token: 1 })
      expect(yield* calendarRequests(env)).toEqual([200, 200, 401])

      // Reconnecting restores the sync; events pushed before are recognised by their ids.
      yield* App.connect(env)
      const report = yield* Calendar.push(env.api, env.server.endpoints.calendar, "primary", App.events(1, 4))
      expect(report).toEqual({ inserted: ["standup0003", "standup0004"], existing: ["standup0001", "standup0002"] })
      expect(yield* env.session.state).toBe("authorized")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("disconnecting in the app revokes the grant at Google (RFC 7009) and clears the store", () =>
    Effect.gen(function*() {
      const env = yield* App.environment
      yield* App.connect(env)
      yield* env.session.revoke
      expect(env.server.revocations()).toBe(1)
      expect(yield* env.session.state).toBe("revoked")
      expect(Option.isNone(yield* env.store.get(App.sessionKey))).toBe(true)
      const outcome = yield* Effect.flip(Calendar.push(env.api, env.server.endpoints.calendar, "primary", App.events(1, 1)))
      expect(outcome._tag).toBe("ReconnectRequired")
      // Nothing reached the calendar or the token endpoint: the session had no token to send.
      expect(yield* calendarRequests(env)).toEqual([])
      expect(env.server.tokenRequests()).toEqual({ authorization_code: 1 })
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("the walk-through shows all three paths and prints no code, token or secret", () =>
    Effect.gen(function*() {
      const [env, output] = yield* Print.capture(App.program)
      expect(output).toContain("inserted 3, already there 0")
      expect(output).toContain(`{"authorization_code":1,"refresh_token":1}`)
      expect(output).toContain("ReconnectRequired")
      expect(output).toContain("session revoked; store is empty")
      const issued = env.server.issued()
      expect(issued.length).toBeGreaterThan(4)
      expect(Print.leaks(output, issued)).toEqual([])
      // Every answer of the local Google was a documented shape.
      expect((yield* env.server.served).filter((r) => !r.source.startsWith("https://developers.google.com/"))).toEqual([])
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("syncs many users through the registry, each with their own grant; idle sessions leave memory and come back from the store", () =>
    Effect.gen(function*() {
      const env = yield* App.environment
      yield* App.connect(env)
      for (const account of ["bob", "carol"]) yield* App.connectUser(env, account)
      const accounts = ["alice", "bob", "carol"]
      const stored = yield* Effect.forEach(accounts, (account) => env.store.get(SessionRegistry.storeKey(App.userKey(account))))
      const tokens = stored.map((entry) => Redacted.value(Option.getOrThrow(entry).tokens.accessToken))
      expect(new Set(tokens).size).toBe(3)

      const first = yield* App.syncAll(env, accounts, (account) => App.events(account.length, 2))
      expect(first.map(([account, outcome]) => [account, Either.map(outcome, (r) => r.inserted.length)])).toEqual(
        accounts.map((account) => [account, Either.right(2)])
      )
      for (const account of accounts) {
        expect(env.server.events(App.calendarOf(account)).map((e) => e.id)).toEqual(App.events(account.length, 2).map((e) => e.id))
      }
      expect(yield* env.registry.size).toBe(3)

      // Idle past the registry's timeout: bob's and carol's sessions leave memory (alice's is held by the environment).
      yield* TestClock.adjust("11 minutes")
      expect(yield* env.registry.size).toBe(1)
      const second = yield* App.syncAll(env, accounts, (account) => App.events(10, 1).map((e) => ({ ...e, id: `${e.id}${account}` })))
      expect(second.every(([, outcome]) => Either.isRight(outcome))).toBe(true)
      // Started again from the store: no new authorization, no refresh.
      expect(env.server.tokenRequests()).toEqual({ authorization_code: 3 })
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
