/**
 * The file store against what a crash or a hostile entry leaves behind: temporary
 * files holding tokens, locks of dead processes, damaged entries, symbolic links.
 */
import { FileSystem } from "@effect/platform"
import { TokenSet } from "@effect-oauth/core"
import { TokenStore } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { spawn } from "node:child_process"
import { once } from "node:events"
import { readFileSync } from "node:fs"
import { accessOf, tokens, withDirectory } from "./helpers/entries.js"

/** The entry file name of `key`, written once so that its name is known. */
const entryName = (fs: FileSystem.FileSystem, directory: string) =>
  Effect.map(fs.readDirectory(directory), (names) => names.filter((name) => /^[0-9a-f]{64}\.json$/.test(name)))

const bootId = (() => {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()
  } catch {
    return undefined
  }
})()

/**
 * A real process that plays a writer killed in the middle of a write: it takes
 * the entry's write lock (the store's lock format, with its own pid) and writes
 * a temporary file holding tokens, then is killed with SIGKILL.
 */
const killedWriter = (directory: string, base: string, content: string) =>
  Effect.promise(async () => {
    const script = `
      const fs = require("node:fs")
      const [directory, base, content, host] = process.argv.slice(1)
      fs.writeFileSync(directory + "/" + base + ".write.lock",
        JSON.stringify({ owner: "crashed", expiresAt: Date.now() + 3600000, pid: process.pid, host }), { mode: 0o600 })
      fs.writeFileSync(directory + "/" + base + ".json.crashed.tmp", content, { mode: 0o600 })
      process.stdout.write("ready")
      setInterval(() => {}, 1000)
    `
    const child = spawn(process.execPath, ["-e", script, directory, base, content, bootId ?? ""], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    await once(child.stdout, "data")
    child.kill("SIGKILL")
    await once(child, "exit")
  })

/** A FileSystem that counts the `link` calls (each is one attempt to create a lock). */
const countingLinks = (fs: FileSystem.FileSystem) => {
  const counts = { links: 0 }
  const counted: FileSystem.FileSystem = {
    ...fs,
    link: (from, to) => {
      counts.links++
      return fs.link(from, to)
    }
  }
  return { counts, fs: counted }
}

describe("TokenStore / layerFileSystem after a crash", () => {
  it.effect.skipIf(bootId === undefined)(
    "(Linux only: needs a boot id) removes on open the temporary file of a writer killed mid-write, breaking its lock at once",
    () =>
      withDirectory((directory, fs) =>
        Effect.gen(function*() {
          const first = yield* TokenStore.makeFileSystem(directory)
          yield* first.compareAndSet("alice", undefined, tokens(1))
          const [name] = yield* entryName(fs, directory)
          const base = name!.slice(0, -".json".length)
          yield* killedWriter(directory, base, JSON.stringify({ format: 1, key: "alice", version: 2, tokens: "refresh-2" }))
          expect((yield* fs.readDirectory(directory)).filter((n) => n.endsWith(".tmp"))).toHaveLength(1)

          const counting = countingLinks(fs)
          const reopened = yield* TokenStore.makeFileSystem(directory).pipe(
            Effect.provideService(FileSystem.FileSystem, counting.fs)
          )
          // Nothing left holding tokens, and the dead writer's lock did not stand in the way.
          const left = yield* fs.readDirectory(directory)
          expect(left.filter((n) => n.endsWith(".tmp") || n.endsWith(".lock"))).toEqual([])
          expect(accessOf(yield* reopened.get("alice"))).toEqual(Option.some("access-1"))
          // One round: refused (the dead writer's lock), the takeover's guard, taken, the release's guard.
          // Waiting for the lock's expiry instead would have tried about 160 times.
          expect(counting.counts.links).toBeLessThanOrEqual(4)
        })
      )
  )

  it.effect.skipIf(bootId === undefined)(
    "(Linux only: needs a boot id) takes a write lock whose holder's process is gone without waiting for its expiry",
    () =>
      withDirectory((directory, fs) =>
        Effect.gen(function*() {
          const store = yield* TokenStore.makeFileSystem(directory)
          const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
          const [name] = yield* entryName(fs, directory)
          const base = name!.slice(0, -".json".length)
          yield* killedWriter(directory, base, "{\"format\":1,\"tok")
          const counting = countingLinks(fs)
          const sameStore = yield* TokenStore.makeFileSystem(`${directory}/`).pipe(
            Effect.provideService(FileSystem.FileSystem, counting.fs)
          )
          const before = counting.counts.links
          // The opening sweep broke the lock already; plant it again for the write itself.
          yield* killedWriter(directory, base, "{\"format\":1,\"tok")
          yield* sameStore.compareAndSet("alice", v1, tokens(2))
          // Refused, the takeover's guard, taken, the release's guard: no waiting round.
          expect(counting.counts.links - before).toBeLessThanOrEqual(4)
          expect(accessOf(yield* store.get("alice"))).toEqual(Option.some("access-2"))
        })
      )
  )

  it.effect.skipIf(bootId === undefined)(
    "(Linux only: needs a boot id) takes a lease whose holder's process is gone, but not a live process's",
    () =>
      withDirectory((directory, fs) =>
        Effect.gen(function*() {
          const store = yield* TokenStore.makeFileSystem(directory)
          yield* store.compareAndSet("alice", undefined, tokens(1))
          const lease = yield* store.acquireLease("alice", "1 hour")
          const [lock] = (yield* fs.readDirectory(directory)).filter((n) => n.endsWith(".lease.lock"))
          // This process is alive: its lease stands.
          expect(yield* Effect.flip(store.acquireLease("alice", "1 hour"))).toMatchObject({ _tag: "LeaseUnavailable" })
          const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" })
          yield* Effect.promise(() => once(child, "exit"))
          const content = JSON.parse(yield* fs.readFileString(`${directory}/${lock}`))
          yield* fs.writeFileString(`${directory}/${lock}`, JSON.stringify({ ...content, pid: child.pid }))
          const taken = yield* store.acquireLease("alice", "1 hour")
          expect(taken.owner).not.toBe(lease.owner)
        })
      )
  )

  it.effect("removes the temporary files of an entry on delete", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        yield* store.compareAndSet("alice", undefined, tokens(1))
        const [name] = yield* entryName(fs, directory)
        yield* fs.writeFileString(`${directory}/${name}.crashed.tmp`, "{\"format\":1,\"tokens\":{\"refreshToken\":\"refresh-0\"")
        yield* store.delete("alice")
        expect((yield* fs.readDirectory(directory)).filter((n) => n.endsWith(".tmp"))).toEqual([])
      })
    ))
})

describe("TokenStore / layerFileSystem damaged entries and links", () => {
  it.effect("moves a truncated entry aside with a Corrupt error, then reads it as absent with a later version", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
        const [name] = yield* entryName(fs, directory)
        const full = yield* fs.readFileString(`${directory}/${name}`)
        const truncated = full.slice(0, full.length - 12)
        yield* fs.writeFileString(`${directory}/${name}`, truncated)
        const error = yield* Effect.flip(store.get("alice"))
        expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Corrupt", operation: "get", key: "alice" })
        expect(error.detail).toContain("moved aside")
        expect(error.message).not.toContain("refresh-1")
        // Kept for a person, byte for byte.
        const aside = (yield* fs.readDirectory(directory)).filter((n) => n.startsWith(`${name}.corrupt-`))
        expect(aside).toHaveLength(1)
        expect(yield* fs.readFileString(`${directory}/${aside[0]}`)).toBe(truncated)
        // No longer blocking: absent, and written again with a version never used before.
        expect(yield* store.get("alice")).toEqual(Option.none())
        const v2 = yield* store.compareAndSet("alice", undefined, tokens(2))
        expect(v2).toBeGreaterThan(v1)
        expect(accessOf(yield* store.get("alice"))).toEqual(Option.some("access-2"))
      })
    ))

  it.effect("moves aside an undecodable entry met by a compare-and-set too", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
        const [name] = yield* entryName(fs, directory)
        yield* fs.writeFileString(`${directory}/${name}`, JSON.stringify({ format: 1, key: "alice", version: v1, tokens: { accessToken: "x" } }))
        expect(yield* Effect.flip(store.compareAndSet("alice", v1, tokens(2)))).toMatchObject({ reason: "Corrupt" })
        expect(yield* store.compareAndSet("alice", undefined, tokens(3))).toBeGreaterThan(v1)
      })
    ))

  it.effect("never reads an entry through a symbolic link, and leaves its target alone", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
        const [name] = yield* entryName(fs, directory)
        const planted = `${directory}/../planted.json`
        const plantedText = JSON.stringify({ format: 1, key: "alice", version: v1 + 5, tokens: TokenSet.encode(tokens(9)) })
        yield* fs.writeFileString(planted, plantedText)
        yield* fs.remove(`${directory}/${name}`)
        yield* fs.symlink(planted, `${directory}/${name}`)
        expect(yield* Effect.flip(store.get("alice"))).toMatchObject({ reason: "Corrupt", operation: "get" })
        expect(yield* store.get("alice")).toEqual(Option.none())
        yield* store.compareAndSet("alice", undefined, tokens(2))
        expect(yield* fs.readFileString(planted)).toBe(plantedText)
        expect(yield* Effect.either(fs.readLink(`${directory}/${name}`))).toMatchObject({ _tag: "Left" })
      })
    ))

  it.effect("treats a lock that is a symbolic link as no lock, and never writes through it", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        yield* store.compareAndSet("alice", undefined, tokens(1))
        const [name] = yield* entryName(fs, directory)
        const base = name!.slice(0, -".json".length)
        const planted = `${directory}/../planted.lock`
        const plantedText = JSON.stringify({ owner: "someone", expiresAt: Number.MAX_SAFE_INTEGER })
        yield* fs.writeFileString(planted, plantedText)
        yield* fs.symlink(planted, `${directory}/${base}.lease.lock`)
        yield* fs.symlink(planted, `${directory}/${base}.write.lock`)
        const lease = yield* store.acquireLease("alice", "1 minute")
        yield* store.compareAndSet("alice", 1, tokens(2))
        yield* store.releaseLease(lease)
        expect(yield* fs.readFileString(planted)).toBe(plantedText)
        expect(accessOf(yield* store.get("alice"))).toEqual(Option.some("access-2"))
      })
    ))
})
