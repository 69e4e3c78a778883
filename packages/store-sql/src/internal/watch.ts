import type { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { TokenStore } from "@effect-oauth/session"
import { Deferred, Effect, PubSub, Queue, RcRef, Stream } from "effect"
import type { Scope } from "effect"
import * as Crypto from "node:crypto"
import { fromSqlError } from "./sqlStore.js"

/**
 * How waiters learn that a key changed, for the store's optional `watch`.
 *
 * - Every write of this process (compare-and-set, delete, lease release) is
 *   published in the process at once.
 * - PostgreSQL: each of those statements also calls `pg_notify` on the
 *   prefix's channel with the key's digest (delivered when it commits); the
 *   first watch starts one `LISTEN` (a connection of its own, kept while
 *   watches come and go within a minute) and waits until it hears its own probe.
 * - SQLite (one host): while a watch is open (and only then), `PRAGMA
 *   data_version` is read every 2 ms on the store's connection; it changes when
 *   another connection (another process) commits, and every watch of the store
 *   is woken.
 *
 * A watch that cannot start fails; the waiter then polls.
 *
 * @internal
 */
export interface Watcher {
  /** Wakes this process's watches of `key` (after a write that succeeded). */
  readonly publish: (key: string) => Effect.Effect<void>
  readonly watch: (key: string) => Effect.Effect<Effect.Effect<void>, TokenStore.TokenStoreError, Scope.Scope>
}

/** The payload of a change of `key`: a digest, so that any key fits a notification. @internal */
export const digestOf = (key: string): string => Crypto.createHash("sha256").update(key).digest("hex").slice(0, 32)

/** The notification channel of a table prefix. @internal */
export const channelOf = (prefix: string): string => `${prefix}changes`

const everyKey = "*"

/** A pause on the process's timers, whatever the caller's `Clock`: pacing I/O, not session time. */
const pause = (millis: number): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const handle = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(handle))
  })

/** The part of `@effect/sql-pg`'s `PgClient` a watch uses. */
interface Listening {
  readonly listen: (channel: string) => Stream.Stream<string, SqlError>
}

const isListening = (sql: SqlClient.SqlClient): sql is SqlClient.SqlClient & Listening =>
  "listen" in sql && typeof sql.listen === "function"

const watchError = (key: string, detail: string) =>
  new TokenStore.TokenStoreError({ reason: "Io", operation: "get", key, detail })

/** @internal */
export const make = (
  sql: SqlClient.SqlClient,
  prefix: string
): Effect.Effect<Watcher, never, Scope.Scope> =>
  Effect.gen(function*() {
    const hub = yield* PubSub.unbounded<string>()
    const channel = channelOf(prefix)

    // What keeps changes coming while watches are open.
    const source: Effect.Effect<void, TokenStore.TokenStoreError, Scope.Scope> = sql.onDialectOrElse({
      pg: () =>
        Effect.gen(function*() {
          if (!isListening(sql)) return yield* watchError("", "the PostgreSQL client cannot LISTEN")
          const probe = `probe:${globalThis.crypto.randomUUID()}`
          const heard = yield* Deferred.make<void>()
          yield* sql.listen(channel).pipe(
            Stream.runForEach((payload) =>
              payload === probe ? Deferred.succeed(heard, undefined) : PubSub.publish(hub, payload)
            ),
            Effect.ignore,
            Effect.forkScoped
          )
          // LISTEN takes effect some time after the stream starts: notify until the probe comes back.
          for (let round = 0; round < 100 && !(yield* Deferred.isDone(heard)); round++) {
            // (`PgClient.notify` sends `NOTIFY channel, $1`, which PostgreSQL refuses: no parameters there.)
            yield* sql`SELECT pg_notify(${channel}, ${probe})`.pipe(Effect.mapError(fromSqlError("get", "")))
            yield* Effect.raceFirst(Deferred.await(heard), pause(20))
          }
          if (!(yield* Deferred.isDone(heard))) return yield* watchError("", "LISTEN did not start")
        }),
      orElse: () =>
        Effect.gen(function*() {
          const version = sql.unsafe<{ readonly data_version: unknown }>("PRAGMA data_version").pipe(
            Effect.map((rows) => String(rows[0]?.data_version)),
            Effect.mapError(fromSqlError("get", ""))
          )
          let last = yield* version
          yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
            yield* pause(2)
            const now = yield* Effect.orElseSucceed(version, () => last)
            if (now !== last) {
              last = now
              yield* PubSub.publish(hub, everyKey)
            }
          })))
        })
    })
    // PostgreSQL's listening connection outlives its last watch for a minute, so
    // that the next expiry's waiters do not open it again; SQLite's reads stop with
    // the last watch (a new one reads the current version once to start).
    const running = yield* RcRef.make({
      acquire: source,
      idleTimeToLive: sql.onDialectOrElse({ pg: () => "1 minute", orElse: () => undefined })
    })

    return {
      publish: (key) => Effect.asVoid(PubSub.publish(hub, digestOf(key))),
      watch: (key) =>
        Effect.gen(function*() {
          const digest = digestOf(key)
          const changes = yield* PubSub.subscribe(hub)
          yield* RcRef.get(running)
          const next: Effect.Effect<void> = Effect.flatMap(
            Queue.take(changes),
            (payload) => payload === digest || payload === everyKey ? Effect.void : next
          )
          return next
        })
    } satisfies Watcher
  })

/**
 * `pg_notify(channel, digest of key)` for a `RETURNING` list on PostgreSQL
 * (after `lead`, evaluated once per changed row, sent when the statement
 * commits); nothing on SQLite.
 *
 * @internal
 */
export const notifying = (sql: SqlClient.SqlClient, prefix: string, key: string, lead: string) =>
  sql.onDialectOrElse({
    pg: () => sql`${sql.literal(lead)} pg_notify(${channelOf(prefix)}, ${digestOf(key)})`,
    orElse: () => sql.literal("")
  })

