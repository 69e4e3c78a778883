/**
 * Issue 11, item 1: the work that takes time is a substate, and each actor is
 * invoked only in the substate where its work happens (no actor idles on
 * `Effect.never`); the public state names stay the six of DESIGN §4.
 */
import { SessionMachine } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import * as Fake from "@effect-oauth/testing/FakeTokenServer"
import { harness, record, session, until } from "../helpers/session.js"

const hour = 3_600_000

/** The sources of the actors the snapshot's state invoked (running now). */
const invoked = (snapshot: SessionMachine.Snapshot) =>
  Object.values(snapshot.children).map((child) => String((child as { readonly src?: unknown } | undefined)?.src))

describe("issue 11 / authorizing.{awaitingCallback, exchangingCode, pollingDevice}", () => {
  it.scoped("waiting for the callback runs nothing; the code exchange runs only once the callback came", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "100 millis" })
      const s = yield* session(h)
      const changes = yield* record(s)
      const request = yield* s.authorize()
      const waiting = yield* s.snapshot
      expect(waiting.value).toEqual({ authorizing: "awaitingCallback" })
      expect(invoked(waiting)).toEqual([])
      expect(yield* s.state).toBe("authorizing")

      const done = yield* Effect.fork(s.completeAuthorization(h.server.approve(request)))
      const exchanging = yield* until(s, (snapshot) => snapshot.matches({ authorizing: "exchangingCode" }))
      expect(invoked(exchanging)).toEqual(["completeAuthorization"])
      expect(SessionMachine.stateOf(exchanging)).toBe("authorizing")
      // The exchange sleeps its latency on the test clock: move it once the call arrived.
      yield* h.server.arrived("exchange", 1)
      yield* TestClock.adjust("100 millis")
      yield* Fiber.join(done)
      expect(yield* s.state).toBe("authorized")
      // `changes` speaks of the six public states only: the substates are not changes.
      expect(yield* changes.states).toEqual(["authorizing", "authorized"])
    }))

  it.scoped("a device authorization polls in pollingDevice, and only its poller runs", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      yield* s.authorizeDevice()
      const polling = yield* s.snapshot
      expect(polling.value).toEqual({ authorizing: "pollingDevice" })
      expect(invoked(polling)).toEqual(["pollDeviceToken"])
      // A code-flow callback during a device authorization is refused, and the poller keeps running.
      expect((yield* Effect.flip(s.completeAuthorization("https://app.example/callback?code=x&state=y")))._tag)
        .toBe("AuthorizationFailed")
      expect((yield* s.snapshot).value).toEqual({ authorizing: "pollingDevice" })
      // A new code-flow authorization replaces it: the poller stops.
      yield* s.authorize()
      const replaced = yield* s.snapshot
      expect(replaced.value).toEqual({ authorizing: "awaitingCallback" })
      expect(invoked(replaced)).toEqual([])
    }))
})

describe("issue 11 / revoked.{revoking, done}", () => {
  it.scoped("revoke runs its revocation in revoked.revoking (tag busy), then rests in revoked.done", () =>
    Effect.gen(function*() {
      const h = yield* harness({ latency: "100 millis" })
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"]))
      const s = yield* session(h)
      const revoking = yield* Effect.fork(s.revoke)
      const during = yield* until(s, (snapshot) => snapshot.matches({ revoked: "revoking" }))
      expect(during.hasTag("busy")).toBe(true)
      expect(invoked(during)).toEqual(["revokeGrant"])
      expect(yield* s.state).toBe("revoked")
      yield* h.server.arrived("revoke", 1)
      yield* TestClock.adjust("100 millis")
      yield* Fiber.join(revoking)
      const after = yield* s.snapshot
      expect(after.value).toEqual({ revoked: "done" })
      expect(after.hasTag("busy")).toBe(false)
      expect(invoked(after)).toEqual([])
      expect(h.server.counts.revoke).toBe(1)
    }))

  it.scoped("a grant the server refused lands in revoked.done: nothing to revoke, no actor", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      yield* h.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], hour))
      const s = yield* session(h)
      h.server.failNext("refresh", Fake.invalidGrant())
      expect((yield* Effect.flip(s.accessToken))._tag).toBe("SessionRevoked")
      const snapshot = yield* s.snapshot
      expect(snapshot.value).toEqual({ revoked: "done" })
      expect(invoked(snapshot)).toEqual([])
      expect(h.server.counts.revoke).toBe(0)
    }))
})
