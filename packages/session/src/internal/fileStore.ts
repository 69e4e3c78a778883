import type { FileSystem } from "@effect/platform"
import { FileSystem as FileSystemTag } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { TokenSet } from "@effect-oauth/core"
import { Clock, Duration, Effect, Option, Queue, Schedule, Stream } from "effect"
// Used inside functions only: the public module imports this one.
import * as TokenStore from "../TokenStore.js"
import * as fileLock from "./fileLock.js"
import * as fileTemps from "./fileTemps.js"

const format = 1

/** A stored file: the tokens, or a tombstone (`tokens: null`) keeping the version. */
interface Slot {
  readonly tokens: TokenSet.TokenSet | undefined
  readonly version: number
}

interface Paths {
  readonly data: string
  readonly write: string
  readonly lease: string
}

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("")

const writeLockTtlMillis = 10_000

// A crashed writer's lock lapses after 10 s (at once when its process is
// known to be gone); waiting ~15 s outlasts it.
const writeLockSchedule = Schedule.exponential("2 millis", 1.5).pipe(
  Schedule.union(Schedule.spaced("100 millis")),
  Schedule.intersect(Schedule.recurs(160))
)

/** @internal */
export const make = (
  directory: string
): Effect.Effect<TokenStore.Service, TokenStore.TokenStoreError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystemTag.FileSystem
    const root = directory.replace(/[\\/]+$/, "")
    yield* fs.makeDirectory(root, { recursive: true, mode: 0o700 }).pipe(
      Effect.mapError((error) =>
        new TokenStore.TokenStoreError({
          reason: "Io",
          operation: "open",
          key: "",
          detail: `cannot create the store directory: ${error.message}`
        })
      )
    )

    // A directory others may write to lets them replace an entry, a temporary
    // file or a lock: refuse it (POSIX modes only; Windows has none).
    if (globalThis.process?.platform !== "win32") {
      const info = yield* fs.stat(root).pipe(
        Effect.mapError((error) =>
          new TokenStore.TokenStoreError({ reason: "Io", operation: "open", key: "", detail: error.message })
        )
      )
      if ((info.mode & 0o022) !== 0) {
        return yield* new TokenStore.TokenStoreError({
          reason: "Io",
          operation: "open",
          key: "",
          detail: `the store directory is writable by group or others (mode ${(info.mode & 0o777).toString(8)}): ` +
            "make it private (chmod 700) or choose another one"
        })
      }
    }
    const self = yield* fileLock.holder(fs)
    const names = new Map<string, Paths>()
    const pathsOf = (key: string): Effect.Effect<Paths> => {
      const known = names.get(key)
      if (known !== undefined) return Effect.succeed(known)
      return Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(key))).pipe(
        Effect.map((digest) => {
          const base = `${root}/${hex(digest)}`
          const paths = { data: `${base}.json`, write: `${base}.write.lock`, lease: `${base}.lease.lock` }
          names.set(key, paths)
          return paths
        })
      )
    }

    const unencodable = (operation: TokenStore.Operation, key: string) =>
      new TokenStore.TokenStoreError({
        reason: "Unencodable",
        operation,
        key,
        detail: "the tokens cannot be written as JSON (nested too deep, or not JSON)"
      })
    const io = (operation: TokenStore.Operation, key: string) => (error: PlatformError | fileLock.GuardTimeout) =>
      new TokenStore.TokenStoreError({
        reason: error._tag === "GuardTimeout" ? "Timeout" : "Io",
        operation,
        key,
        detail: error._tag === "GuardTimeout" ? "a lock guard stayed busy" : error.message
      })

    const corrupt = (operation: TokenStore.Operation, key: string, detail: string) =>
      new TokenStore.TokenStoreError({ reason: "Corrupt", operation, key, detail })

    const isNotFound = (error: PlatformError) => error._tag === "SystemError" && error.reason === "NotFound"

    /** The entry file's text (`None`: absent, `"link"`: a symbolic link, never followed). */
    type Found = "link" | { readonly text: string }
    const readText = (data: string): Effect.Effect<Option.Option<Found>, PlatformError> =>
      Effect.flatMap(fileLock.isSymlink(fs, data), (link): Effect.Effect<Option.Option<Found>, PlatformError> =>
        link
          ? Effect.succeed(Option.some<Found>("link"))
          : fs.readFileString(data).pipe(
            Effect.map((text) => Option.some<Found>({ text })),
            Effect.catchIf(isNotFound, () => Effect.succeedNone)
          ))

    /** The slot in `text`, or why it is not one (never quoting the content). */
    const parse = (text: string): Effect.Effect<Slot, { readonly detail: string; readonly version?: number }> =>
      Effect.gen(function*() {
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          // A truncated entry still shows its version (written before the tokens).
          const salvaged = /"version":(\d{1,15})[,}]/.exec(text)?.[1]
          return yield* Effect.fail({
            detail: "the entry file is not JSON (truncated?)",
            ...(salvaged === undefined ? {} : { version: Number(salvaged) })
          })
        }
        if (typeof json !== "object" || json === null) return yield* Effect.fail({ detail: "the entry is not an object" })
        const record = json as Record<string, unknown>
        const version = record["version"]
        if (record["format"] !== format || typeof version !== "number" || !Number.isSafeInteger(version)) {
          return yield* Effect.fail({ detail: `"format" or "version" is invalid` })
        }
        if (record["tokens"] === null) return { tokens: undefined, version } satisfies Slot
        const tokens = yield* TokenSet.fromJson(JSON.stringify(record["tokens"])).pipe(
          Effect.mapError((error) => ({ detail: error.message, version }))
        )
        return { tokens, version } satisfies Slot
      })

    // A damaged entry (or a symbolic link in its place) is renamed aside, kept
    // for a person to look at, and replaced by a tombstone whose version is
    // past any the entry may have had, so versions never repeat. Under the
    // write lock, and only when the entry is still the damaged one read.
    const moveAside = (
      operation: TokenStore.Operation,
      key: string,
      seen: string,
      problem: { readonly detail: string; readonly version?: number }
    ) =>
      Effect.gen(function*() {
        const { data } = yield* pathsOf(key)
        const again = yield* readText(data).pipe(Effect.mapError(io(operation, key)))
        const still = Option.isSome(again) && (again.value === "link" ? "link" : again.value.text) === seen
        if (!still) return yield* corrupt(operation, key, `${problem.detail}; it was replaced meanwhile, try again`)
        const aside = `${data}.corrupt-${fileLock.randomId()}`
        yield* fs.rename(data, aside).pipe(Effect.mapError(io(operation, key)))
        const now = yield* Clock.currentTimeMillis
        const version = problem.version === undefined ? now : Math.max(problem.version + 1, now)
        yield* writeSlot(operation, key, { tokens: undefined, version })
        return yield* corrupt(
          operation,
          key,
          `${problem.detail}; moved aside to ${aside.slice(root.length + 1)} (the entry now reads as absent)`
        )
      })

    const readSlot = (
      operation: TokenStore.Operation,
      key: string,
      locked: boolean
    ): Effect.Effect<Slot | undefined, TokenStore.TokenStoreError> =>
      Effect.gen(function*() {
        const { data } = yield* pathsOf(key)
        const found = yield* readText(data).pipe(Effect.mapError(io(operation, key)))
        if (Option.isNone(found)) return undefined
        const seen = found.value === "link" ? "link" : found.value.text
        const slot = yield* Effect.either(
          found.value === "link"
            ? Effect.fail({ detail: "the entry file is a symbolic link, never followed" })
            : parse(found.value.text)
        )
        if (slot._tag === "Right") return slot.right
        const aside = moveAside(operation, key, seen, slot.left)
        return yield* locked ? aside : withWriteLock(operation, key, aside)
      })

    // Temporary file (0600, exclusive) → write → fsync → rename over the entry;
    // then fsync the directory so the rename itself survives a crash.
    const writeSlot = (operation: TokenStore.Operation, key: string, slot: Slot) =>
      Effect.gen(function*() {
        const { data } = yield* pathsOf(key)
        const temp = `${data}.${fileLock.randomId()}.tmp`
        const content = yield* Effect.try({
          try: () =>
            JSON.stringify({
              format,
              key,
              version: slot.version,
              tokens: slot.tokens === undefined ? null : TokenSet.encode(slot.tokens)
            }),
          catch: () => unencodable(operation, key)
        })
        yield* Effect.scoped(
          Effect.gen(function*() {
            const file = yield* fs.open(temp, { flag: "wx", mode: 0o600 })
            yield* file.writeAll(new TextEncoder().encode(content))
            yield* file.sync
          })
        ).pipe(
          Effect.zipRight(fs.rename(temp, data)),
          Effect.tapError(() => Effect.ignore(fs.remove(temp))),
          Effect.mapError(io(operation, key))
        )
        yield* Effect.ignore(Effect.scoped(Effect.flatMap(fs.open(root, { flag: "r" }), (dir) => dir.sync)))
      })

    const withWriteLock = <A, E>(operation: TokenStore.Operation, key: string, body: Effect.Effect<A, E>) =>
      Effect.flatMap(pathsOf(key), ({ write }) => {
        const take = fileLock.tryAcquire(fs, write, writeLockTtlMillis, self).pipe(
          Effect.mapError(io(operation, key)),
          Effect.flatMap((attempt) =>
            attempt._tag === "Acquired" ? Effect.succeed(attempt.lock) : Effect.fail("busy" as const)
          ),
          Effect.retry({ while: (error) => error === "busy", schedule: writeLockSchedule }),
          Effect.catchIf(
            (error) => error === "busy",
            () => Effect.fail(new TokenStore.TokenStoreError({ reason: "Timeout", operation, key, detail: "the write lock stayed busy" }))
          )
        ) as Effect.Effect<fileLock.LockInfo, TokenStore.TokenStoreError>
        return Effect.acquireUseRelease(
          take,
          () => body,
          (lock) => Effect.ignore(fileLock.release(fs, write, lock.owner, self))
        )
      })

    // Temporary files left by a crashed writer may hold live tokens: removed
    // under the key's write lock (so never a live writer's), on open and on delete.
    const removeTemps = (key: string) =>
      Effect.flatMap(pathsOf(key), ({ data }) => fileTemps.removeEntryTemps(fs, root, data)).pipe(
        Effect.mapError(io("delete", key))
      )
    yield* fileTemps.sweep(fs, root, self, writeLockTtlMillis).pipe(Effect.mapError(io("open", "")))

    const currentVersion = (slot: Slot | undefined) => slot?.tokens === undefined ? undefined : slot.version

    return TokenStore.TokenStore.of({
      get: (key) =>
        Effect.map(
          readSlot("get", key, false),
          (slot) => slot?.tokens === undefined ? Option.none() : Option.some({ tokens: slot.tokens, version: slot.version })
        ),

      compareAndSet: (key, expectedVersion, tokens) =>
        withWriteLock(
          "compareAndSet",
          key,
          Effect.gen(function*() {
            const slot = yield* readSlot("compareAndSet", key, true)
            const actual = currentVersion(slot)
            if (actual !== expectedVersion) {
              return yield* new TokenStore.VersionConflict({
                key,
                ...(expectedVersion === undefined ? {} : { expected: expectedVersion }),
                ...(actual === undefined ? {} : { actual })
              })
            }
            const version = (slot?.version ?? 0) + 1
            yield* writeSlot("compareAndSet", key, { tokens, version })
            return version
          })
        ),

      delete: (key, expectedVersion) =>
        withWriteLock(
          "delete",
          key,
          Effect.gen(function*() {
            const slot = yield* readSlot("delete", key, true)
            const actual = currentVersion(slot)
            if (expectedVersion !== undefined && actual !== expectedVersion) {
              return yield* new TokenStore.VersionConflict({
                key,
                expected: expectedVersion,
                ...(actual === undefined ? {} : { actual })
              })
            }
            if (slot?.tokens !== undefined) yield* writeSlot("delete", key, { tokens: undefined, version: slot.version + 1 })
            yield* removeTemps(key)
          })
        ),

      acquireLease: (key, ttl) =>
        Effect.gen(function*() {
          const { lease } = yield* pathsOf(key)
          const attempt = yield* fileLock.tryAcquire(fs, lease, Duration.toMillis(ttl), self).pipe(
            Effect.mapError(io("acquireLease", key))
          )
          if (attempt._tag === "Held") return yield* new TokenStore.LeaseUnavailable({ key, expiresAt: attempt.expiresAt })
          return { key, owner: attempt.lock.owner, expiresAt: attempt.lock.expiresAt }
        }),

      watch: (key) =>
        Effect.gen(function*() {
          const paths = yield* pathsOf(key)
          const names = new Set([paths.data, paths.lease].map((path) => path.slice(root.length + 1)))
          const changes = yield* Queue.sliding<void>(1)
          // A watch on the directory (renames over the entry, lock files created
          // and removed) for the life of the scope; where watching fails, the
          // waiter is never woken by it and polls.
          yield* fs.watch(root).pipe(
            Stream.filter((event) => names.has(event.path.replace(/^.*[\\/]/, ""))),
            Stream.runForEach(() => Queue.offer(changes, undefined)),
            Effect.catchAll(() => Effect.void),
            Effect.forkScoped
          )
          return Queue.take(changes)
        }),

      releaseLease: (lease) =>
        Effect.flatMap(pathsOf(lease.key), (paths) =>
          fileLock.release(fs, paths.lease, lease.owner, self).pipe(Effect.mapError(io("releaseLease", lease.key))))
    })
  })
