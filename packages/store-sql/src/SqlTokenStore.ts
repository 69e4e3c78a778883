/**
 * A `TokenStore` on SQL, one implementation for SQLite (embedded: one host, many
 * processes) and PostgreSQL (many hosts), with the refresh lease that lets
 * exactly one holder in a cluster refresh a grant while the others wait and
 * re-read (DESIGN §5).
 *
 * - **Schema:** two tables, `<prefix>tokens (key, version, tokens, updated_at)`
 *   and `<prefix>leases (key, owner, expires_at)`, plus `<prefix>migrations`
 *   with the applied schema versions. {@link make} migrates on start: versioned,
 *   idempotent, and safe when many processes start at once.
 * - **Tokens** are stored as `TokenSet.toJson` text (the lossless blob). Wrap the
 *   store with `TokenStore.encrypted` to keep them encrypted at rest.
 * - **Compare-and-set** is one conditional `UPDATE` (or `INSERT … ON CONFLICT …
 *   WHERE`) on the version column, so the database decides: two writers of one
 *   version never both win. A delete leaves a tombstone row (`tokens` `NULL`)
 *   that keeps the version, so versions never repeat.
 * - **The lease** is a row: holder id and expiry. Taking it is one upsert that
 *   replaces the row only when it has lapsed, so of many takers exactly one
 *   wins; a holder that dies holding it blocks the others no longer than its time
 *   to live. Expiry is compared with the **caller's** Effect `Clock` (keep hosts
 *   on NTP; a TTL of seconds dwarfs their skew). See `docs/token-stores.md` for
 *   why a row and not an advisory lock.
 * - **Waiters are woken** (the store's `watch`): on PostgreSQL every write and
 *   lease release also sends a `NOTIFY` on the prefix's channel
 *   (`<prefix>changes`, the payload a digest of the key), and a process waiting
 *   for a lease `LISTEN`s on one connection of its own; on SQLite a waiting
 *   process reads `PRAGMA data_version` every 2 ms, which changes when another
 *   process commits. Either way the waiter re-reads at once instead of at its
 *   next poll, and still polls when a notification is lost.
 *
 * Errors: every failure is a `TokenStoreError` naming the operation and the key
 * and, for a database failure, the driver's error code — never a statement's
 * values.
 *
 * @since 0.1.0
 */
import type { SqlClient } from "@effect/sql"
import { TokenStore } from "@effect-oauth/session"
import { Config, Effect, Layer } from "effect"
import type { ConfigError, Duration, Redacted, Scope } from "effect"
import * as internal from "./internal/sqlStore.js"
import * as clients from "./internal/clients.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Prefix of the three table names (`[a-z_][a-z0-9_]*`, at most 41
   * characters). Default `effect_oauth_`. Several stores can share a database
   * under different prefixes.
   */
  readonly tablePrefix?: string | undefined
}

/**
 * The schema version {@link make} migrates to.
 *
 * @since 0.1.0
 * @category models
 */
export const schemaVersion: number = internal.schemaVersion

/**
 * Brings the store's tables up to date (what {@link make} does first). Each
 * migration is applied once, in order, under a write lock on the migrations
 * table, so processes starting together apply it once.
 *
 * Fails with `TokenStoreError` (`operation: "open"`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const migrate = (
  options?: Options | undefined
): Effect.Effect<void, TokenStore.TokenStoreError, SqlClient.SqlClient> =>
  internal.migrate(options?.tablePrefix ?? internal.defaultTablePrefix)

/**
 * A store on the `SqlClient` in context (SQLite or PostgreSQL), after
 * migrating its tables. What wakes waiting processes (a PostgreSQL `LISTEN`
 * connection, the SQLite change check) runs in the scope.
 *
 * Fails with `TokenStoreError` (`operation: "open"`) when the prefix is invalid,
 * the client is neither SQLite nor PostgreSQL, or the migration fails.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options?: Options | undefined
) => Effect.Effect<TokenStore.Service, TokenStore.TokenStoreError, SqlClient.SqlClient | Scope.Scope> = internal.make

/**
 * A layer of the `TokenStore` on the `SqlClient` the application already has
 * (its own pool, its own configuration).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: Options | undefined
): Layer.Layer<TokenStore.TokenStore, TokenStore.TokenStoreError, SqlClient.SqlClient> =>
  Layer.scoped(TokenStore.TokenStore, internal.make(options))

/**
 * @since 0.1.0
 * @category models
 */
export interface SqliteOptions extends Options {
  /**
   * The database file. Created with mode `0600` when absent (SQLite gives its
   * `-wal` and `-shm` files the same mode). Opened in WAL mode; every process of
   * the host may open the same file.
   */
  readonly filename: string
}

/**
 * A store in a SQLite database file (`@effect/sql-sqlite-node`): the embedded
 * choice for one host and many processes.
 *
 * Fails with `TokenStoreError` (`operation: "open"`) when the file cannot be
 * created or opened, or the migration fails.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (options: SqliteOptions): Layer.Layer<TokenStore.TokenStore, TokenStore.TokenStoreError> =>
  layer(options).pipe(Layer.provide(clients.sqlite(options.filename)))

/**
 * @since 0.1.0
 * @category models
 */
export interface PgOptions extends Options {
  /** A `postgres://user:password@host:port/database` URL; keep it `Redacted` when it holds a password. */
  readonly url: string | Redacted.Redacted<string>
  /** Connections of the pool. Default 10. */
  readonly maxConnections?: number | undefined
  /** Time to wait for a connection. Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * A store in PostgreSQL (`@effect/sql-pg`): the choice for many hosts sharing
 * grants. Opens its own pool; use {@link layer} to share the application's.
 *
 * Fails with `TokenStoreError` (`operation: "open"`, the driver's code in
 * `detail`, never the URL) when it cannot connect, or the migration fails.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPg = (options: PgOptions): Layer.Layer<TokenStore.TokenStore, TokenStore.TokenStoreError> =>
  layer(options).pipe(Layer.provide(clients.pg(options)))

/**
 * {@link layerSqlite} from configuration:
 * `SqlTokenStore.layerSqliteConfig({ filename: Config.string("TOKENS_DB") })`.
 *
 * Fails with `ConfigError` when the configuration is missing or invalid, then as
 * {@link layerSqlite}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqliteConfig = (
  config: Config.Config.Wrap<SqliteOptions>
): Layer.Layer<TokenStore.TokenStore, TokenStore.TokenStoreError | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layerSqlite))

/**
 * {@link layerPg} from configuration:
 * `SqlTokenStore.layerPgConfig({ url: Config.redacted("DATABASE_URL") })`.
 *
 * Fails with `ConfigError` when the configuration is missing or invalid, then as
 * {@link layerPg}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPgConfig = (
  config: Config.Config.Wrap<PgOptions>
): Layer.Layer<TokenStore.TokenStore, TokenStore.TokenStoreError | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(config), layerPg))
