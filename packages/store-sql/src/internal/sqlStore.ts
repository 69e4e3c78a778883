import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { TokenSet } from "@effect-oauth/core"
import { TokenStore } from "@effect-oauth/session"
import { Clock, Duration, Effect, Option } from "effect"
import type { Scope } from "effect"
import type * as SqlTokenStore from "../SqlTokenStore.js"
import * as watcher from "./watch.js"

/** @internal */
export const defaultTablePrefix = "effect_oauth_"

const validPrefix = /^[a-z_][a-z0-9_]{0,40}$/

/** @internal */
export interface Tables {
  readonly tokens: string
  readonly leases: string
  readonly migrations: string
}

/** @internal */
export const tablesOf = (prefix: string): Tables => ({
  tokens: `${prefix}tokens`,
  leases: `${prefix}leases`,
  migrations: `${prefix}migrations`
})

/**
 * A driver error's code (SQLITE_BUSY, a PostgreSQL SQLSTATE, ECONNREFUSED) as
 * ` (CODE)`, or nothing: it says what failed without quoting a statement's
 * values, which a driver's message may do.
 *
 * @internal
 */
export const codeOf = (cause: unknown): string => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined
  return typeof code === "string" && /^[A-Z0-9_]{1,40}$/.test(code) ? ` (${code})` : ""
}

/** @internal */
export const fromSqlError = (operation: TokenStore.Operation, key: string) => (error: SqlError) =>
  new TokenStore.TokenStoreError({ reason: "Io", operation, key, detail: `the database failed${codeOf(error.cause)}` })

/**
 * The versioned schema. Each migration runs once per database, in order, under
 * the lock of {@link migrate}; the applied versions are rows of the migrations
 * table. Tokens are kept as `TokenSet.toJson` text (the lossless blob); `NULL`
 * tokens are a tombstone that keeps the version of a deleted entry.
 *
 * @internal
 */
export const migrations: ReadonlyArray<{
  readonly version: number
  readonly statements: (tables: Tables) => ReadonlyArray<string>
}> = [
  {
    version: 1,
    statements: (t) => [
      `CREATE TABLE IF NOT EXISTS ${t.tokens} (
        key TEXT PRIMARY KEY,
        version BIGINT NOT NULL,
        tokens TEXT,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS ${t.leases} (
        key TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      )`
    ]
  }
]

/** @internal */
export const schemaVersion = migrations[migrations.length - 1]!.version

// A 31-bit FNV-1a hash: the PostgreSQL advisory lock id of a prefix's migrations.
const lockIdOf = (text: string): number => {
  let hash = 0x811c9dc5
  for (const char of text) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193)
  return (hash >>> 1) & 0x7fffffff
}

/**
 * Brings the schema up to date; safe to run from many processes at once. One
 * transaction first takes a lock — in PostgreSQL a transaction-scoped advisory
 * lock (taken before any `CREATE`, as two sessions creating one table at once
 * collide on the catalog); in SQLite the database write lock, by a first write
 * to the sentinel row (version 0) of the migrations table — so concurrent
 * migrators run one after the other and each applies only what is missing.
 *
 * @internal
 */
export const migrate = (prefix: string): Effect.Effect<void, TokenStore.TokenStoreError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const t = tablesOf(prefix)
    const now = yield* Clock.currentTimeMillis
    const createTable = sql.unsafe(
      `CREATE TABLE IF NOT EXISTS ${t.migrations} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`
    )
    const insertSentinel = sql.unsafe(
      `INSERT INTO ${t.migrations} (version, applied_at) VALUES (0, 0) ON CONFLICT (version) DO NOTHING`
    )
    const lock = sql.onDialectOrElse({
      pg: () =>
        sql`SELECT pg_advisory_xact_lock(${lockIdOf(t.migrations)})`.pipe(
          Effect.zipRight(createTable),
          Effect.zipRight(insertSentinel)
        ),
      // Outside the transaction first (autocommit, the driver's busy wait applies),
      // then a write as the transaction's first statement takes the write lock.
      orElse: () => Effect.void
    })
    const prepare = sql.onDialectOrElse({
      pg: () => Effect.void,
      orElse: () => Effect.zipRight(createTable, insertSentinel)
    })
    const apply = sql.withTransaction(
      Effect.gen(function*() {
        yield* lock
        yield* sql.unsafe(`UPDATE ${t.migrations} SET applied_at = applied_at WHERE version = 0`)
        const rows = yield* sql.unsafe<{ readonly version: unknown }>(`SELECT version FROM ${t.migrations}`)
        const applied = new Set(rows.map((row) => Number(row.version)))
        for (const migration of migrations) {
          if (applied.has(migration.version)) continue
          for (const statement of migration.statements(t)) yield* sql.unsafe(statement)
          yield* sql`INSERT INTO ${sql.literal(t.migrations)} (version, applied_at) VALUES (${migration.version}, ${now})`
        }
      })
    )
    yield* Effect.zipRight(prepare, apply).pipe(
      // SQLite may still answer SQLITE_BUSY after its busy wait; the work is idempotent.
      Effect.retry({ times: 3 }),
      Effect.mapError(fromSqlError("open", ""))
    )
  })

const num = (value: unknown): number => typeof value === "number" ? value : Number(value)

/** @internal */
export const make = (
  options: SqlTokenStore.Options = {}
): Effect.Effect<TokenStore.Service, TokenStore.TokenStoreError, SqlClient.SqlClient | Scope.Scope> =>
  Effect.gen(function*() {
    const prefix = options.tablePrefix ?? defaultTablePrefix
    if (!validPrefix.test(prefix)) {
      return yield* new TokenStore.TokenStoreError({
        reason: "Io",
        operation: "open",
        key: "",
        detail: `"tablePrefix" must match ${validPrefix.source}`
      })
    }
    const sql = yield* SqlClient.SqlClient
    // The statements use `ON CONFLICT … DO UPDATE … WHERE` and `RETURNING`.
    if (!sql.onDialectOrElse({ sqlite: () => true, pg: () => true, orElse: () => false })) {
      return yield* new TokenStore.TokenStoreError({
        reason: "Io",
        operation: "open",
        key: "",
        detail: "the SqlClient's dialect is not supported (SQLite and PostgreSQL are)"
      })
    }
    yield* migrate(prefix)
    // Table names as written (the prefix is validated above), untouched by a
    // client's name transforms, as in the migrations.
    const tokensTable = sql.literal(tablesOf(prefix).tokens)
    const leasesTable = sql.literal(tablesOf(prefix).leases)
    const changes = yield* watcher.make(sql, prefix)
    const notify = (key: string) => watcher.notifying(sql, prefix, key, ",")

    const corrupt = (operation: TokenStore.Operation, key: string, detail: string) =>
      new TokenStore.TokenStoreError({ reason: "Corrupt", operation, key, detail })

    // Column names are single lowercase words: a client's name transforms
    // (snake_case ↔ camelCase) leave them as they are.
    type Row = { readonly version: unknown; readonly tokens: unknown }

    const readRow = (operation: TokenStore.Operation, key: string) =>
      sql<Row>`SELECT version, tokens FROM ${tokensTable} WHERE key = ${key}`.pipe(
        Effect.mapError(fromSqlError(operation, key)),
        Effect.map((rows) => rows[0])
      )

    /** The version of the live entry (`undefined`: none or a tombstone). */
    const currentVersion = (operation: TokenStore.Operation, key: string) =>
      Effect.map(readRow(operation, key), (row) =>
        row === undefined || row.tokens === null ? undefined : num(row.version))

    const conflict = (operation: TokenStore.Operation, key: string, expected: number | undefined) =>
      Effect.flatMap(currentVersion(operation, key), (actual) =>
        Effect.fail(
          new TokenStore.VersionConflict({
            key,
            ...(expected === undefined ? {} : { expected }),
            ...(actual === undefined ? {} : { actual })
          })
        ))

    return TokenStore.TokenStore.of({
      get: (key) =>
        Effect.flatMap(readRow("get", key), (row) => {
          if (row === undefined || row.tokens === null) return Effect.succeedNone
          if (typeof row.tokens !== "string") return Effect.fail(corrupt("get", key, `"tokens" is not text`))
          return TokenSet.fromJson(row.tokens).pipe(
            Effect.mapError((error) => corrupt("get", key, error.message)),
            Effect.map((tokens) => Option.some({ tokens, version: num(row.version) }))
          )
        }),

      // One conditional statement each: the database decides, so two writers of
      // one version can never both win (no read-then-write).
      compareAndSet: (key, expectedVersion, tokens) =>
        Effect.gen(function*() {
          const blob = yield* TokenStore.toBlob(key, tokens)
          const now = yield* Clock.currentTimeMillis
          const rows = yield* (expectedVersion === undefined
            ? sql<{ readonly version: unknown }>`
                INSERT INTO ${tokensTable} (key, version, tokens, updated_at) VALUES (${key}, 1, ${blob}, ${now})
                ON CONFLICT (key) DO UPDATE
                  SET version = ${tokensTable}.version + 1, tokens = excluded.tokens, updated_at = excluded.updated_at
                  WHERE ${tokensTable}.tokens IS NULL
                RETURNING version ${notify(key)}`
            : sql<{ readonly version: unknown }>`
                UPDATE ${tokensTable} SET version = version + 1, tokens = ${blob}, updated_at = ${now}
                WHERE key = ${key} AND version = ${expectedVersion} AND tokens IS NOT NULL
                RETURNING version ${notify(key)}`).pipe(Effect.mapError(fromSqlError("compareAndSet", key)))
          const row = rows[0]
          if (row === undefined) return yield* conflict("compareAndSet", key, expectedVersion)
          yield* changes.publish(key)
          return num(row.version)
        }),

      delete: (key, expectedVersion) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const rows = yield* (expectedVersion === undefined
            ? sql<{ readonly version: unknown }>`
                UPDATE ${tokensTable} SET version = version + 1, tokens = NULL, updated_at = ${now}
                WHERE key = ${key} AND tokens IS NOT NULL
                RETURNING version ${notify(key)}`
            : sql<{ readonly version: unknown }>`
                UPDATE ${tokensTable} SET version = version + 1, tokens = NULL, updated_at = ${now}
                WHERE key = ${key} AND version = ${expectedVersion} AND tokens IS NOT NULL
                RETURNING version ${notify(key)}`).pipe(Effect.mapError(fromSqlError("delete", key)))
          if (expectedVersion !== undefined && rows.length === 0) return yield* conflict("delete", key, expectedVersion)
          if (rows.length > 0) yield* changes.publish(key)
        }),

      // Insert the lease, or take over the existing row only when it has lapsed by
      // the caller's clock: one statement, so of many takers exactly one wins.
      acquireLease: (key, ttl) =>
        Effect.gen(function*() {
          const owner = globalThis.crypto.randomUUID()
          for (let round = 0;; round++) {
            const now = yield* Clock.currentTimeMillis
            const expiresAt = now + Duration.toMillis(ttl)
            const taken = yield* sql<{ readonly owner: unknown }>`
              INSERT INTO ${leasesTable} (key, owner, expires_at) VALUES (${key}, ${owner}, ${expiresAt})
              ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                WHERE ${leasesTable}.expires_at <= ${now}
              RETURNING owner`.pipe(Effect.mapError(fromSqlError("acquireLease", key)))
            if (taken[0]?.owner === owner) return { key, owner, expiresAt } satisfies TokenStore.Lease
            const held = yield* sql<{ readonly expiry: unknown }>`
              SELECT expires_at AS expiry FROM ${leasesTable} WHERE key = ${key}`.pipe(
              Effect.mapError(fromSqlError("acquireLease", key))
            )
            // Released between the two statements: try again, a few times.
            if (held[0] !== undefined) return yield* new TokenStore.LeaseUnavailable({ key, expiresAt: num(held[0].expiry) })
            if (round >= 3) return yield* new TokenStore.LeaseUnavailable({ key, expiresAt: now })
          }
        }),

      releaseLease: (lease) =>
        sql`DELETE FROM ${leasesTable} WHERE key = ${lease.key} AND owner = ${lease.owner}
          ${watcher.notifying(sql, prefix, lease.key, "RETURNING")}`.pipe(
          Effect.mapError(fromSqlError("releaseLease", lease.key)),
          Effect.zipRight(changes.publish(lease.key))
        ),

      // Woken by this process's writes, PostgreSQL notifications or SQLite's data_version.
      watch: changes.watch
    })
  })
