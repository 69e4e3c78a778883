/**
 * A session waiting for another holder's refresh lease on the file store is
 * woken by that holder's write (a watch on the store directory), not by its
 * poll interval. The clock is Effect's TestClock and never moves: a waiter that
 * only polled would sleep for ever, so each step below is counted, not timed.
 */
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { TokenStore } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Redacted } from "effect"
import { harness, session } from "./helpers/session.js"

const hour = 3_600_000

/** Real time, outside the TestClock: lets the other store's file events arrive. */
const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 25)))

/** Counts the `get` calls of `store` (each is one read of the entry). */
const countingGets = (store: TokenStore.Service) => {
  const counts = { gets: 0 }
  const counted: TokenStore.Service = {
    ...store,
    get: (key) => Effect.suspend(() => { counts.gets++; return store.get(key) })
  }
  return { counts, store: counted }
}

describe("TokenStore / layerFileSystem wakes waiters", () => {
  it.scoped("awaitChange returns when another store instance writes the entry", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = `${yield* fs.makeTempDirectoryScoped()}/store`
      const holder = yield* TokenStore.makeFileSystem(directory)
      const waiter = yield* TokenStore.makeFileSystem(directory)
      expect(waiter.awaitChange).toBeDefined()
      const h = yield* harness({}, holder)
      let version = yield* holder.compareAndSet("alice", undefined, yield* h.server.seed(["read"]))
      const waiting = yield* Effect.fork(waiter.awaitChange!("alice", "1 hour"))
      // Writes until the waiter has returned (its watch may start after the first one).
      let writes = 0
      while (Option.isNone(yield* Fiber.poll(waiting)) && writes < 40) {
        yield* realPause
        version = yield* holder.compareAndSet("alice", version, yield* h.server.seed(["read"]))
        writes++
      }
      yield* realPause
      expect(Option.isSome(yield* Fiber.poll(waiting))).toBe(true)
      expect(writes).toBeLessThan(40)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("a session waiting for the lease adopts the holder's write once it lands, without polling", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = `${yield* fs.makeTempDirectoryScoped()}/store`
      // Two instances over one directory, as two processes would have.
      const holder = yield* TokenStore.makeFileSystem(directory)
      const counting = countingGets(yield* TokenStore.makeFileSystem(directory))
      const h = yield* harness({}, counting.store)
      const expired = yield* h.server.seed(["read"], 2 * hour)
      const v1 = yield* holder.compareAndSet("alice", undefined, expired)
      const lease = yield* holder.acquireLease("alice", "1 minute")
      const s = yield* session(h, { clock: "effect" })
      const caller = yield* Effect.fork(s.accessToken)
      // The caller finds the lease taken and waits; the holder refreshes and writes.
      const fresh = yield* h.server.seed(["read"])
      let version = v1
      let writes = 0
      while (Option.isNone(yield* Fiber.poll(caller)) && writes < 40) {
        yield* realPause
        // The same fresh tokens each time, under a new version: what the holder stored.
        version = yield* holder.compareAndSet("alice", version, fresh)
        writes++
      }
      yield* realPause
      // Woken: without a wake-up the caller would still sleep on the unmoving clock.
      expect(Option.isSome(yield* Fiber.poll(caller))).toBe(true)
      const access = yield* Fiber.join(caller)
      expect(Redacted.value(access)).toBe(Redacted.value(fresh.accessToken))
      // No token request from the waiter, and one read per wake-up, not one per poll interval.
      expect(h.server.counts.refresh).toBe(0)
      expect(writes).toBeLessThan(40)
      expect(counting.counts.gets).toBeLessThanOrEqual(writes + 2)
      yield* holder.releaseLease(lease)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
