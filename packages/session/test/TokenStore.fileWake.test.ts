/**
 * A session waiting for another holder's refresh lease on the file store is
 * woken by that holder's write (a watch on the store directory), not by its
 * poll interval. The clock is Effect's TestClock and never moves: a waiter that
 * only polled would sleep for ever, so each step below is counted, not timed.
 */
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { TokenSet } from "@effect-oauth/core"
import { TokenStore } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Redacted, TestClock } from "effect"
import * as ChildProcess from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { harness, session } from "./helpers/session.js"
import { flush } from "./helpers/world.js"

const hour = 3_600_000

/** Real time, outside the TestClock: lets the other store's file events arrive. */
const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 25)))

/** Counts the `get` calls (each is one read of the entry) and lease attempts of `store`. */
const countingGets = (store: TokenStore.Service) => {
  const counts = { gets: 0, leaseAttempts: 0 }
  const counted: TokenStore.Service = {
    ...store,
    get: (key) => Effect.suspend(() => { counts.gets++; return store.get(key) }),
    acquireLease: (key, ttl) => Effect.suspend(() => { counts.leaseAttempts++; return store.acquireLease(key, ttl) })
  }
  return { counts, store: counted }
}

/**
 * Two file-store instances over one temporary directory, as two processes would
 * have: the holder's, and the waiter's (counted) that the harness uses.
 */
const twoInstances = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const directory = `${yield* fs.makeTempDirectoryScoped()}/store`
  const holder = yield* TokenStore.makeFileSystem(directory)
  const counting = countingGets(yield* TokenStore.makeFileSystem(directory))
  const h = yield* harness({}, counting.store)
  return { counting, h, holder }
})

describe("TokenStore / layerFileSystem wakes waiters", () => {
  it.scoped("watch wakes when another store instance writes the entry", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = `${yield* fs.makeTempDirectoryScoped()}/store`
      const holder = yield* TokenStore.makeFileSystem(directory)
      const waiter = yield* TokenStore.makeFileSystem(directory)
      expect(waiter.watch).toBeDefined()
      const h = yield* harness({}, holder)
      let version = yield* holder.compareAndSet("alice", undefined, yield* h.server.seed(["read"]))
      const next = yield* waiter.watch!("alice")
      const waiting = yield* Effect.fork(next)
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
      const { counting, h, holder } = yield* twoInstances
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

describe("TokenStore / layerFileSystem: a woken waiter does the least", () => {
  it.scoped("a waiter woken by the holder's write re-reads once and makes no further lease attempt", () =>
    Effect.gen(function*() {
      const { counting, h, holder } = yield* twoInstances
      const v1 = yield* holder.compareAndSet("alice", undefined, yield* h.server.seed(["read"], 2 * hour))
      const lease = yield* holder.acquireLease("alice", "1 minute")
      const s = yield* session(h, { clock: "effect" })
      const caller = yield* Effect.fork(s.accessToken)
      // The waiter found the lease taken, opened its watch and looked once: it now waits.
      for (let i = 0; i < 40 && counting.counts.leaseAttempts === 0; i++) yield* realPause
      yield* realPause
      yield* realPause
      const before = { ...counting.counts }
      expect(before.leaseAttempts).toBe(1)
      expect(Option.isNone(yield* Fiber.poll(caller))).toBe(true)
      // The holder writes once; the clock never moves, so only the watch can wake the waiter.
      const fresh = yield* h.server.seed(["read"])
      yield* holder.compareAndSet("alice", v1, fresh)
      for (let i = 0; i < 40 && Option.isNone(yield* Fiber.poll(caller)); i++) yield* realPause
      expect(Redacted.value(yield* Fiber.join(caller))).toBe(Redacted.value(fresh.accessToken))
      expect(counting.counts.gets - before.gets).toBe(1)
      expect(counting.counts.leaseAttempts).toBe(1)
      expect(h.server.counts.refresh).toBe(0)
      yield* holder.releaseLease(lease)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("TokenStore / layerFileSystem wakes a waiter in another process", () => {
  it.scoped("a session waits while another process holds the lease, and adopts its write once it lands", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = `${yield* fs.makeTempDirectoryScoped()}/store`
      const counting = countingGets(yield* TokenStore.makeFileSystem(directory))
      const h = yield* harness({}, counting.store)
      yield* counting.store.compareAndSet("alice", undefined, yield* h.server.seed(["read"], 2 * hour))
      const child = yield* Effect.acquireRelease(
        Effect.sync(() =>
          ChildProcess.spawn(process.execPath, [
            "--conditions=source",
            "--import",
            "tsx",
            fileURLToPath(new URL("./helpers/fileHolder.ts", import.meta.url)),
            directory
          ], { stdio: ["pipe", "pipe", "inherit"] })
        ),
        (child) => Effect.sync(() => child.kill("SIGKILL"))
      )
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
      const nextLine = Effect.promise(() => lines.next()).pipe(Effect.map((line) => line.value as string | undefined))
      expect(yield* nextLine).toBe("held")
      const s = yield* session(h, { clock: "effect" })
      const caller = yield* Effect.fork(s.accessToken)
      const fresh = yield* h.server.seed(["read"])
      let writes = 0
      while (Option.isNone(yield* Fiber.poll(caller)) && writes < 40) {
        yield* realPause
        child.stdin!.write(`${TokenSet.toJson(fresh)}\n`)
        expect(yield* nextLine).toBe("written")
        writes++
      }
      yield* realPause
      expect(Option.isSome(yield* Fiber.poll(caller))).toBe(true)
      expect(Redacted.value(yield* Fiber.join(caller))).toBe(Redacted.value(fresh.accessToken))
      expect(h.server.counts.refresh).toBe(0)
      expect(writes).toBeLessThan(40)
      expect(counting.counts.gets).toBeLessThanOrEqual(writes + 2)
    }).pipe(Effect.provide(NodeFileSystem.layer)), 60_000)
})

describe("lease waiting / a release while the watch opens", () => {
  it.scoped("acquireLeaseWaiting looks at the lease again once its watch is open: a release meanwhile is not missed", () =>
    Effect.gen(function*() {
      const memory = yield* TokenStore.makeMemory
      const { counts, store: counting } = countingGets(memory)
      // A watch that takes real time to open (as PostgreSQL's LISTEN does) and reports nothing.
      const store: TokenStore.Service = { ...counting, watch: () => Effect.as(realPause, Effect.never) }
      const held = yield* memory.acquireLease("alice", "1 minute")
      const waiter = yield* Effect.fork(TokenStore.acquireLeaseWaiting(store, "alice", { ttl: "1 minute" }))
      yield* flush
      expect(counts.leaseAttempts).toBe(1)
      // Released while the watch opens; the clock never moves, so no poll comes.
      yield* memory.releaseLease(held)
      for (let i = 0; i < 40 && Option.isNone(yield* Fiber.poll(waiter)); i++) yield* realPause
      expect(Option.isSome(yield* Fiber.poll(waiter))).toBe(true)
      const lease = yield* Fiber.join(waiter)
      expect(lease.owner).not.toBe(held.owner)
      expect(counts.leaseAttempts).toBe(2)
    }))
})

describe("lease waiting / the back-off restarts when the lease changes hands", () => {
  it.scoped("after a new holder takes the lease, the waiter looks again within 50 ms, not the 1.6 s it had reached", () =>
    Effect.gen(function*() {
      const memory = yield* TokenStore.makeMemory
      const { counts, store } = countingGets(memory)
      const h = yield* harness({}, store)
      yield* memory.compareAndSet("alice", undefined, yield* h.server.seed(["read"], 2 * hour))
      const first = yield* memory.acquireLease("alice", "1 minute")
      const s = yield* session(h, { clock: "effect" })
      const caller = yield* Effect.fork(s.accessToken)
      yield* flush
      // Waits of 50, 100, 200, 400 and 800 ms: the next one is 1.6 s.
      for (const step of [50, 100, 200, 400, 800]) {
        yield* TestClock.adjust(step)
        yield* flush
      }
      expect(counts.leaseAttempts).toBe(6)
      // The lease changes hands during that 1.6 s wait.
      yield* memory.releaseLease(first)
      yield* TestClock.adjust(1)
      const second = yield* memory.acquireLease("alice", "1 minute")
      yield* TestClock.adjust(1599)
      yield* flush
      expect(counts.leaseAttempts).toBe(7)
      // The new holder writes and gives the lease back; 50 ms later the waiter has adopted its tokens.
      const fresh = yield* h.server.seed(["read"])
      const version = Option.getOrThrow(yield* memory.get("alice")).version
      yield* memory.compareAndSet("alice", version, fresh)
      yield* memory.releaseLease(second)
      yield* TestClock.adjust(50)
      yield* flush
      const done = yield* Fiber.poll(caller)
      expect(Option.isSome(done)).toBe(true)
      expect(Redacted.value(yield* Fiber.join(caller))).toBe(Redacted.value(fresh.accessToken))
      expect(h.server.counts.refresh).toBe(0)
    }))
})
