import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { SqlTokenStore } from "@effect-oauth/store-sql"
import { TokenStore } from "@effect-oauth/session"
import { Context, Effect, Layer, Redacted } from "effect"
import type { Scope } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

/** The PostgreSQL the tests use (`scripts/postgres.sh start` prints it). */
export const pgUrl: string | undefined = process.env["EFFECT_OAUTH_PG_URL"] || undefined

/** Why the PostgreSQL tests do not run, in their title. */
export const pgSkipReason = "skipped: EFFECT_OAUTH_PG_URL is not set (eval \"$(scripts/postgres.sh start)\" sets it)"

// CI must not pass by skipping: .ci/run starts PostgreSQL and sets the URL.
if (process.env["CI"] === "true" && pgUrl === undefined) {
  throw new Error("CI=true but EFFECT_OAUTH_PG_URL is not set: the PostgreSQL tests would be skipped")
}

/** A fresh directory, removed when the scope closes. */
export const tempDirectory: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-oauth-sql-"))),
  (directory) => Effect.sync(() => Fs.rmSync(directory, { recursive: true, force: true }))
)

/** A table prefix no other test uses. */
export const freshPrefix = (): string => `t${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 16)}_`

/** Builds a layer in the current scope and returns its store. */
export const storeOf = <E>(layer: Layer.Layer<TokenStore.TokenStore, E>): Effect.Effect<TokenStore.Service, E, Scope.Scope> =>
  Effect.map(Layer.build(layer), Context.get(TokenStore.TokenStore))

/** Two SQLite connections on one new database file. */
export const sqlitePair = Effect.gen(function*() {
  const filename = Path.join(yield* tempDirectory, "tokens.db")
  const store = yield* storeOf(SqlTokenStore.layerSqlite({ filename }))
  const sibling = yield* storeOf(SqlTokenStore.layerSqlite({ filename }))
  return [store, sibling] as const
})

/** Drops the three tables of `prefix` (test clean-up). */
export const dropTables = (prefix: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(["tokens", "leases", "migrations"], (table) => sql.unsafe(`DROP TABLE IF EXISTS ${prefix}${table}`)))

/** Two PostgreSQL pools on fresh tables, dropped when the scope closes. */
export const pgPair = (url: string) =>
  Effect.gen(function*() {
    const tablePrefix = freshPrefix()
    const options = { url: Redacted.make(url), tablePrefix, maxConnections: 4 }
    const store = yield* storeOf(SqlTokenStore.layerPg(options))
    const sibling = yield* storeOf(SqlTokenStore.layerPg(options))
    yield* Effect.addFinalizer(() =>
      Effect.orDie(dropTables(tablePrefix)).pipe(Effect.provide(pgClient(url)), Effect.ignore)
    )
    return [store, sibling] as const
  })

/** A plain PostgreSQL client (for inspecting and cleaning tables in tests). */
export const pgClient = (url: string) => PgClient.layer({ url: Redacted.make(url), maxConnections: 2 }).pipe(Layer.orDie)
