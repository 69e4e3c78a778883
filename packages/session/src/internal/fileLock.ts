import type { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Clock, Effect, Schedule } from "effect"

/** What a lock file holds. @internal */
export interface LockInfo {
  readonly owner: string
  /** Epoch ms (Effect's `Clock`). */
  readonly expiresAt: number
  /** The holder's process id and host (boot) id, when the platform has them. */
  readonly pid?: number | undefined
  readonly host?: string | undefined
}

/**
 * Who takes locks in this process: its pid and the host's boot id. A lock
 * whose holder ran on this host (same boot) under a pid that no longer exists
 * is stale at once. Without a host id (not Linux), only the expiry counts.
 *
 * @internal
 */
export interface Holder {
  readonly pid: number | undefined
  readonly host: string | undefined
}

/** This process as a lock holder (reads the Linux boot id once). @internal */
export const holder = (fs: FileSystem.FileSystem): Effect.Effect<Holder> =>
  fs.readFileString("/proc/sys/kernel/random/boot_id").pipe(
    Effect.map((text) => text.trim()),
    Effect.map((host) => host === "" ? undefined : host),
    Effect.orElseSucceed(() => undefined),
    Effect.map((host) => ({ pid: globalThis.process?.pid, host }))
  )

const processExists = (pid: number): boolean => {
  const kill = globalThis.process?.kill
  if (typeof kill !== "function") return true
  try {
    kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as { code?: unknown }).code !== "ESRCH"
  }
}

/** The holder of `lock` ran on this host and its process is gone. @internal */
export const ownerIsDead = (lock: LockInfo, self: Holder): boolean =>
  self.host !== undefined && lock.host === self.host && typeof lock.pid === "number" && Number.isSafeInteger(lock.pid) &&
  lock.pid > 0 && lock.pid !== self.pid && !processExists(lock.pid)

const stamp = (lock: LockInfo, self: Holder): string =>
  JSON.stringify(
    self.host === undefined || self.pid === undefined ? lock : { ...lock, pid: self.pid, host: self.host }
  )

/**
 * `true` when `path` is a symbolic link (`readlink` succeeds only on one):
 * the store never reads through one.
 *
 * @internal
 */
export const isSymlink = (fs: FileSystem.FileSystem, path: string): Effect.Effect<boolean> =>
  fs.readLink(path).pipe(Effect.as(true), Effect.orElseSucceed(() => false))

/** @internal */
export type Attempt =
  | { readonly _tag: "Acquired"; readonly lock: LockInfo }
  | { readonly _tag: "Held"; readonly expiresAt: number }

/** @internal */
export class GuardTimeout {
  readonly _tag = "GuardTimeout"
}

const isAlreadyExists = (error: PlatformError) => error._tag === "SystemError" && error.reason === "AlreadyExists"
const isNotFound = (error: PlatformError) => error._tag === "SystemError" && error.reason === "NotFound"

/** A random name part. @internal */
export const randomId = (): string => globalThis.crypto.randomUUID()

/**
 * Creates `path` holding `content`, only if it does not exist. The content is
 * written to a private temporary file first and hard-linked into place, so the
 * lock file appears complete or not at all (`link` fails when `path` exists).
 *
 * @internal
 */
export const createExclusive = (
  fs: FileSystem.FileSystem,
  path: string,
  content: string
): Effect.Effect<boolean, PlatformError> => {
  const temp = `${path}.${randomId()}.tmp`
  return Effect.acquireUseRelease(
    fs.writeFileString(temp, content, { flag: "wx", mode: 0o600 }),
    () =>
      fs.link(temp, path).pipe(
        Effect.as(true),
        Effect.catchIf(isAlreadyExists, () => Effect.succeed(false))
      ),
    () => Effect.ignore(fs.remove(temp))
  )
}

/**
 * The lock at `path`: `undefined` when absent, `"unreadable"` when it is not a
 * lock (a symbolic link is not one, and is never followed).
 *
 * @internal
 */
export const read = (
  fs: FileSystem.FileSystem,
  path: string
): Effect.Effect<LockInfo | "unreadable" | undefined, PlatformError> =>
  Effect.flatMap(isSymlink(fs, path), (link) => link ? Effect.succeed("unreadable" as const) : readFile(fs, path))

const readFile = (
  fs: FileSystem.FileSystem,
  path: string
): Effect.Effect<LockInfo | "unreadable" | undefined, PlatformError> =>
  fs.readFileString(path).pipe(
    Effect.map((text): LockInfo | "unreadable" => {
      try {
        const json: unknown = JSON.parse(text)
        if (
          typeof json === "object" && json !== null && "owner" in json && typeof json.owner === "string" &&
          "expiresAt" in json && typeof json.expiresAt === "number"
        ) {
          const pid = "pid" in json && typeof json.pid === "number" ? json.pid : undefined
          const host = "host" in json && typeof json.host === "string" ? json.host : undefined
          return { owner: json.owner, expiresAt: json.expiresAt, pid, host }
        }
      } catch {
        // not JSON: fall through
      }
      return "unreadable"
    }),
    Effect.catchIf(isNotFound, () => Effect.succeed(undefined))
  )

const sameLock = (a: LockInfo | "unreadable" | undefined, b: LockInfo | "unreadable" | undefined) =>
  a === b || (typeof a === "object" && typeof b === "object" && a.owner === b.owner && a.expiresAt === b.expiresAt)

const guardTtlMillis = 10_000

// Contention on a guard lasts a few milliseconds (a read and a rename); waiting
// up to ~10 s also outlasts a guard left behind by a crashed process.
const guardSchedule = Schedule.exponential("2 millis", 1.5).pipe(
  Schedule.union(Schedule.spaced("100 millis")),
  Schedule.intersect(Schedule.recurs(120))
)

/**
 * Runs `body` holding the guard `path`: the only place a lock file that is not
 * one's own is removed, so that two processes taking over the same stale lock
 * cannot remove each other's fresh one. A guard older than 10 s, or whose
 * holder's process is gone, belongs to a crashed process and is removed.
 *
 * @internal
 */
export const withGuard = <A, E>(
  fs: FileSystem.FileSystem,
  path: string,
  self: Holder,
  body: Effect.Effect<A, E>
): Effect.Effect<A, E | PlatformError | GuardTimeout> => {
  const owner = randomId()
  const take: Effect.Effect<void, PlatformError | "busy"> = Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    if (yield* createExclusive(fs, path, stamp({ owner, expiresAt: now + guardTtlMillis }, self))) return
    const existing = yield* read(fs, path)
    if (existing === undefined) return yield* Effect.fail("busy" as const)
    if (existing === "unreadable" || existing.expiresAt <= now || ownerIsDead(existing, self)) {
      yield* fs.remove(path).pipe(Effect.catchIf(isNotFound, () => Effect.void))
    }
    return yield* Effect.fail("busy" as const)
  })
  const acquire = take.pipe(
    Effect.retry({ while: (error) => error === "busy", schedule: guardSchedule }),
    Effect.catchIf((error) => error === "busy", () => Effect.fail(new GuardTimeout()))
  ) as Effect.Effect<void, PlatformError | GuardTimeout>
  return Effect.acquireUseRelease(
    acquire,
    () => body,
    () => Effect.ignore(fs.remove(path))
  )
}

/**
 * Tries once to take the lock at `path` for `ttlMillis`: creates it exclusively,
 * or takes over a lock past its expiry or whose holder's process is gone
 * (under the guard, after checking that it is still the same stale lock).
 * Returns the holder's expiry when it is live.
 *
 * @internal
 */
export const tryAcquire = (
  fs: FileSystem.FileSystem,
  path: string,
  ttlMillis: number,
  self: Holder
): Effect.Effect<Attempt, PlatformError | GuardTimeout> => {
  const owner = randomId()
  const attempt = (round: number): Effect.Effect<Attempt, PlatformError | GuardTimeout> =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const lock: LockInfo = { owner, expiresAt: now + ttlMillis }
      if (yield* createExclusive(fs, path, stamp(lock, self))) return { _tag: "Acquired", lock } as const
      const existing = yield* read(fs, path)
      if (typeof existing === "object" && existing.expiresAt > now && !ownerIsDead(existing, self)) {
        return { _tag: "Held", expiresAt: existing.expiresAt } as const
      }
      // Absent again (released meanwhile) or stale: try again, taking a stale one over.
      if (round >= 3) return { _tag: "Held", expiresAt: now } as const
      if (existing !== undefined) {
        yield* withGuard(
          fs,
          `${path}.guard`,
          self,
          Effect.flatMap(read(fs, path), (again) =>
            sameLock(again, existing)
              ? fs.remove(path).pipe(Effect.catchIf(isNotFound, () => Effect.void))
              : Effect.void)
        )
      }
      return yield* attempt(round + 1)
    })
  return attempt(0)
}

/**
 * Removes the lock at `path` when `owner` still holds it.
 *
 * @internal
 */
export const release = (
  fs: FileSystem.FileSystem,
  path: string,
  owner: string,
  self: Holder
): Effect.Effect<void, PlatformError | GuardTimeout> =>
  withGuard(
    fs,
    `${path}.guard`,
    self,
    Effect.flatMap(read(fs, path), (existing) =>
      typeof existing === "object" && existing.owner === owner
        ? fs.remove(path).pipe(Effect.catchIf(isNotFound, () => Effect.void))
        : Effect.void)
  )
