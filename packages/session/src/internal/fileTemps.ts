import type { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Clock, Effect, Option } from "effect"
import * as fileLock from "./fileLock.js"

// An entry's temporary files: `<sha-256>.json.<random>.tmp`, written under the
// entry's write lock; a crash between creating and renaming one leaves it,
// holding the tokens it was writing.
const entryTemp = /^([0-9a-f]{64})\.json\.[^/]+\.tmp$/
// A lock's temporary files live for one `link` call: older than this, a crash left them.
const lockTemp = /^[0-9a-f]{64}\.(?:write|lease)\.lock(?:\.guard)?\.[^/]+\.tmp$/
const lockTempAgeMillis = 60_000

const isNotFound = (error: PlatformError) => error._tag === "SystemError" && error.reason === "NotFound"

const removeQuietly = (fs: FileSystem.FileSystem, root: string) => (name: string) =>
  fs.remove(`${root}/${name}`).pipe(Effect.catchIf(isNotFound, () => Effect.void))

/**
 * Removes the temporary files of the entry at `data`. The caller holds the
 * entry's write lock, so none of them is a live writer's.
 *
 * @internal
 */
export const removeEntryTemps = (
  fs: FileSystem.FileSystem,
  root: string,
  data: string
): Effect.Effect<void, PlatformError> =>
  Effect.gen(function*() {
    const prefix = `${data.slice(root.length + 1)}.`
    const names = yield* fs.readDirectory(root)
    yield* Effect.forEach(
      names.filter((name) => entryTemp.test(name) && name.startsWith(prefix)),
      removeQuietly(fs, root),
      { discard: true }
    )
  })

/**
 * Removes what crashed processes left in `root`: each entry's temporary files
 * under that entry's write lock (skipped while a live writer holds it), and
 * lock temporary files older than a minute.
 *
 * @internal
 */
export const sweep = (
  fs: FileSystem.FileSystem,
  root: string,
  self: fileLock.Holder,
  writeLockTtlMillis: number
): Effect.Effect<void, PlatformError | fileLock.GuardTimeout> =>
  Effect.gen(function*() {
    const names = yield* fs.readDirectory(root)
    const now = yield* Clock.currentTimeMillis
    const byEntry = new Map<string, Array<string>>()
    for (const name of names) {
      const entry = entryTemp.exec(name)?.[1]
      if (entry !== undefined) {
        byEntry.set(entry, [...(byEntry.get(entry) ?? []), name])
      } else if (lockTemp.test(name)) {
        const mtime = Option.flatMap(yield* Effect.option(fs.stat(`${root}/${name}`)), (info) => info.mtime)
        if (Option.isSome(mtime) && now - mtime.value.getTime() > lockTempAgeMillis) yield* removeQuietly(fs, root)(name)
      }
    }
    for (const [entry, temps] of byEntry) {
      const write = `${root}/${entry}.write.lock`
      const attempt = yield* fileLock.tryAcquire(fs, write, writeLockTtlMillis, self)
      if (attempt._tag === "Held") continue
      yield* Effect.ensuring(
        Effect.forEach(temps, removeQuietly(fs, root), { discard: true }),
        Effect.ignore(fileLock.release(fs, write, attempt.lock.owner, self))
      )
    }
  })
