import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient, Statement } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { TokenSet } from "@effect-oauth/core"
import { TokenStore } from "@effect-oauth/session"
import { SqlTokenStore } from "@effect-oauth/store-sql"
import { Spans } from "@effect-oauth/testing"
import * as TokenStoreContract from "@effect-oauth/testing/TokenStoreContract"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigError, ConfigProvider, Context, Effect, Layer, Option, Redacted, String as Str, TestClock } from "effect"
import type { Scope } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { dropTables, freshPrefix, pgClient, pgPair, pgSkipReason, pgUrl, sqlitePair, storeOf, tempDirectory } from "./helpers/databases.js"

const tokens = (n: number) =>
  TokenSet.make({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, issuedAt: 1_000, expiresAt: 3_601_000, scopes: ["read"] })

TokenStoreContract.suite("SqlTokenStore.layerSqlite", sqlitePair)

describe.skipIf(pgUrl === undefined)(`PostgreSQL (${pgUrl === undefined ? pgSkipReason : "EFFECT_OAUTH_PG_URL"})`, () => {
  TokenStoreContract.suite("SqlTokenStore.layerPg", pgPair(pgUrl ?? ""), { propertyRuns: 15 })
})

/** A SQLite file and a raw client on it, to look at what the store wrote. */
const withSqlite = <A, E>(
  f: (filename: string, raw: SqlClient.SqlClient) => Effect.Effect<A, E, Scope.Scope>
) =>
  Effect.gen(function*() {
    const filename = Path.join(yield* tempDirectory, "tokens.db")
    const store = yield* storeOf(SqlTokenStore.layerSqlite({ filename }))
    yield* store.get("warm-up")
    const raw = yield* Effect.map(Layer.build(SqliteClient.layer({ filename })), Context.get(SqlClient.SqlClient))
    return yield* f(filename, raw)
  }).pipe(Effect.scoped)

describe("SqlTokenStore / layerSqlite", () => {
  it.effect("issue 11: answers a typed Unencodable error, writing nothing, for tokens JSON cannot hold", () =>
    withSqlite((filename) =>
      Effect.gen(function*() {
        const store = yield* storeOf(SqlTokenStore.layerSqlite({ filename }))
        let deep: Record<string, unknown> = {}
        for (let i = 0; i < 100_000; i++) deep = { deep }
        const error = yield* Effect.flip(
          store.compareAndSet("alice", undefined, new TokenSet.TokenSet({ ...tokens(1), extra: Redacted.make({ deep }) }))
        )
        expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Unencodable", operation: "compareAndSet", key: "alice" })
        expect(Option.isNone(yield* store.get("alice"))).toBe(true)
      })
    ))

  it.effect("creates the database file with mode 0600", () =>
    withSqlite((filename) =>
      Effect.sync(() => {
        expect(Fs.statSync(filename).mode & 0o777).toBe(0o600)
      })
    ))

  it.effect("stores the TokenSet blob and keeps a tombstone with the version after a delete", () =>
    withSqlite((filename, sql) =>
      Effect.gen(function*() {
        const store = yield* storeOf(SqlTokenStore.layerSqlite({ filename }))
        const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
        const [row] = yield* sql<{ tokens: string; version: number }>`SELECT tokens, version FROM effect_oauth_tokens WHERE key = 'alice'`
        expect(row!.version).toBe(v1)
        expect(JSON.parse(row!.tokens)).toEqual(TokenSet.encode(tokens(1)))
        yield* store.delete("alice")
        const [gone] = yield* sql<{ tokens: string | null; version: number }>`SELECT tokens, version FROM effect_oauth_tokens WHERE key = 'alice'`
        expect(gone).toEqual({ tokens: null, version: v1 + 1 })
      })
    ))

  it.effect("migrates once: a second store on the same file finds schema version 1 applied", () =>
    withSqlite((filename, sql) =>
      Effect.gen(function*() {
        yield* Effect.all(
          Array.from({ length: 4 }, () => storeOf(SqlTokenStore.layerSqlite({ filename }))),
          { concurrency: "unbounded" }
        )
        const rows = yield* sql<{ version: number }>`SELECT version FROM effect_oauth_migrations ORDER BY version`
        expect(rows.map((row) => row.version)).toEqual([0, SqlTokenStore.schemaVersion])
        expect(SqlTokenStore.schemaVersion).toBe(1)
      })
    ))

  it.effect("fails with a Corrupt TokenStoreError naming the key, not the content, for a damaged row", () =>
    withSqlite((filename, sql) =>
      Effect.gen(function*() {
        const store = yield* storeOf(SqlTokenStore.layerSqlite({ filename }))
        yield* store.compareAndSet("alice", undefined, tokens(1))
        yield* sql`UPDATE effect_oauth_tokens SET tokens = ${JSON.stringify({ accessToken: "secret-value" })} WHERE key = 'alice'`
        const error = yield* Effect.flip(store.get("alice"))
        expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Corrupt", operation: "get", key: "alice" })
        expect(error.message).not.toContain("secret-value")
        expect(JSON.stringify(error)).not.toContain("secret-value")
        yield* sql`UPDATE effect_oauth_tokens SET tokens = 'not json' WHERE key = 'alice'`
        expect(yield* Effect.flip(store.get("alice"))).toMatchObject({ reason: "Corrupt" })
      })
    ))

  it.effect("keeps stores with different table prefixes apart in one database", () =>
    withSqlite((filename) =>
      Effect.gen(function*() {
        const a = yield* storeOf(SqlTokenStore.layerSqlite({ filename, tablePrefix: "app_a_" }))
        const b = yield* storeOf(SqlTokenStore.layerSqlite({ filename, tablePrefix: "app_b_" }))
        yield* a.compareAndSet("alice", undefined, tokens(1))
        expect(Option.isNone(yield* b.get("alice"))).toBe(true)
      })
    ))

  it.effect("works on an application's SqlClient that renames identifiers and result columns (camelCase)", () =>
    Effect.gen(function*() {
      const filename = Path.join(yield* tempDirectory, "tokens.db")
      const client = SqliteClient.layer({ filename, transformResultNames: Str.snakeToCamel, transformQueryNames: Str.snakeToCamel })
      const store = yield* storeOf(SqlTokenStore.layer().pipe(Layer.provide(client)))
      const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
      expect(Option.map(yield* store.get("alice"), (e) => e.version)).toEqual(Option.some(v1))
      const lease = yield* store.acquireLease("alice", "1 minute")
      expect((yield* Effect.flip(store.acquireLease("alice", "1 minute")))).toMatchObject({ expiresAt: lease.expiresAt })
    }).pipe(Effect.scoped))

  it.effect("fails with a TokenStoreError for an invalid table prefix", () =>
    Effect.gen(function*() {
      const filename = Path.join(yield* tempDirectory, "tokens.db")
      const error = yield* Effect.flip(storeOf(SqlTokenStore.layerSqlite({ filename, tablePrefix: "x; DROP TABLE y" })))
      expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Io", operation: "open" })
      expect(error.message).toContain("tablePrefix")
    }).pipe(Effect.scoped))

  it.effect("fails with a TokenStoreError, not a defect, when the file cannot be opened", () =>
    Effect.gen(function*() {
      const directory = yield* tempDirectory
      const error = yield* Effect.flip(storeOf(SqlTokenStore.layerSqlite({ filename: Path.join(directory, "missing", "tokens.db") })))
      expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Io", operation: "open" })
      expect(error.message).toBe("token store open failed (Io): cannot create the SQLite database file (ENOENT)")
    }).pipe(Effect.scoped))
})

describe("SqlTokenStore / layerSqlite wake-up", () => {
  /** Real time: the watch paces its reads on the process's timers, not the test's clock. */
  const realPause = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

  it.effect("reads PRAGMA data_version only while a watch is open, not once every waiter is gone", () =>
    withSqlite((filename) =>
      Effect.gen(function*() {
        const store = yield* storeOf(SqlTokenStore.layerSqlite({ filename }))
        const counts = { reads: 0 }
        const counting = Statement.withTransformer((statement) =>
          Effect.sync(() => {
            if (statement.compile()[0].includes("data_version")) counts.reads++
            return statement
          })
        )
        yield* Effect.scoped(Effect.flatMap(store.watch!("alice"), () => realPause(40))).pipe(counting)
        const whileOpen = counts.reads
        expect(whileOpen).toBeGreaterThan(1)
        yield* realPause(60)
        // At most the read that was under way when the watch closed.
        expect(counts.reads - whileOpen).toBeLessThanOrEqual(1)
      })
    ))
})

describe("SqlTokenStore / layerSqliteConfig, layerPgConfig", () => {
  it.effect("opens the SQLite file named by the configuration", () =>
    Effect.gen(function*() {
      const filename = Path.join(yield* tempDirectory, "configured.db")
      const layer = SqlTokenStore.layerSqliteConfig({ filename: Config.string("TOKENS_DB") })
      const store = yield* storeOf(layer).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["TOKENS_DB", filename]]))))
      yield* store.compareAndSet("alice", undefined, tokens(1))
      expect(Fs.existsSync(filename)).toBe(true)
    }).pipe(Effect.scoped))

  it.effect("fails with a ConfigError naming the missing variable", () =>
    Effect.gen(function*() {
      const layer = SqlTokenStore.layerPgConfig({ url: Config.redacted("DATABASE_URL") })
      const error = yield* Effect.flip(storeOf(layer)).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))
      expect(ConfigError.isConfigError(error)).toBe(true)
      expect(String(error)).toContain("DATABASE_URL")
    }).pipe(Effect.scoped))
})

describe("SqlTokenStore / layer", () => {
  it.effect("refuses a SqlClient of another dialect with a TokenStoreError, before any statement", () =>
    Effect.gen(function*() {
      const compiler = Statement.makeCompiler({
        dialect: "mysql",
        placeholder: () => "?",
        onIdentifier: (value) => value,
        onRecordUpdate: () => ["", []],
        onCustom: () => ["", []]
      })
      const mysql = Layer.effect(
        SqlClient.SqlClient,
        SqlClient.make({ acquirer: Effect.dieMessage("no statement may run"), compiler, spanAttributes: [] })
      ).pipe(Layer.provide(Reactivity.layer))
      const error = yield* Effect.flip(storeOf(SqlTokenStore.layer().pipe(Layer.provide(mysql))))
      expect(error.message).toBe("token store open failed (Io): the SqlClient's dialect is not supported (SQLite and PostgreSQL are)")
    }).pipe(Effect.scoped))
})

describe("SqlTokenStore / spans", () => {
  it.effect("traces SQL statements without the tokens or the session key (bound parameters stay out of spans)", () =>
    Effect.gen(function*() {
      const [store] = yield* sqlitePair
      const secret = TokenSet.make({ accessToken: "SECRET-at", refreshToken: "SECRET-rt", issuedAt: 0, scopes: [] })
      const { spans } = yield* Spans.record(Effect.gen(function*() {
        const v1 = yield* store.compareAndSet("alice", undefined, secret)
        yield* store.get("alice")
        yield* store.compareAndSet("alice", v1, secret)
        yield* store.acquireLease("alice", "1 minute")
      }))
      const traced = JSON.stringify(spans.map((span) => [span.name, Object.fromEntries(span.attributes)]))
      expect(traced).toContain("UPDATE")
      expect(traced).not.toContain("SECRET")
      expect(traced).not.toContain("alice")
    }).pipe(Effect.scoped))
})

describe("SqlTokenStore / layerPg", () => {
  it.effect("fails to connect with a TokenStoreError that names no password", () =>
    Effect.gen(function*() {
      const url = Redacted.make("postgres://app:hunter2-secret@127.0.0.1:1/tokens")
      const error = yield* Effect.flip(storeOf(SqlTokenStore.layerPg({ url, connectTimeout: "2 seconds" })))
      expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Io", operation: "open" })
      expect(error.message).toBe("token store open failed (Io): the database failed (ECONNREFUSED)")
      expect(JSON.stringify(error)).not.toContain("hunter2")
    }).pipe(Effect.scoped))

  describe.skipIf(pgUrl === undefined)(`on a running server (${pgUrl === undefined ? pgSkipReason : "EFFECT_OAUTH_PG_URL"})`, () => {
    it.effect("migrates once when many processes' pools start together", () =>
      Effect.gen(function*() {
        const tablePrefix = freshPrefix()
        const url = Redacted.make(pgUrl!)
        yield* Effect.addFinalizer(() => dropTables(tablePrefix).pipe(Effect.provide(pgClient(pgUrl!)), Effect.ignore))
        const stores = yield* Effect.all(
          Array.from({ length: 4 }, () => storeOf(SqlTokenStore.layerPg({ url, tablePrefix, maxConnections: 2 }))),
          { concurrency: "unbounded" }
        )
        const v1 = yield* stores[0]!.compareAndSet("alice", undefined, tokens(1))
        expect(Option.map(yield* stores[3]!.get("alice"), (e) => e.version)).toEqual(Option.some(v1))
        const rows = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
          sql.unsafe<{ version: number }>(`SELECT version FROM ${tablePrefix}migrations ORDER BY version`)).pipe(
          Effect.provide(pgClient(pgUrl!))
        )
        expect(rows.map((row) => row.version)).toEqual([0, 1])
      }).pipe(Effect.scoped))

    it.effect("reads BIGINT columns back as numbers: lease times past 2^31 and versions", () =>
      Effect.gen(function*() {
        const now = 1_764_547_200_000 // 2025-12-01, well past 2^31
        yield* TestClock.setTime(now)
        const [store, sibling] = yield* pgPair(pgUrl!)
        const lease = yield* store.acquireLease("alice", "1 minute")
        expect(lease.expiresAt).toBe(now + 60_000)
        const busy = yield* Effect.flip(sibling.acquireLease("alice", "1 minute"))
        expect(busy).toMatchObject({ _tag: "LeaseUnavailable", expiresAt: now + 60_000 })
        expect(TokenStore.isError(busy)).toBe(true)
        yield* TestClock.adjust("1 minute")
        const taken = yield* sibling.acquireLease("alice", "1 minute")
        expect(taken.expiresAt).toBe(now + 120_000)
        const version = yield* store.compareAndSet("alice", undefined, tokens(1))
        expect(typeof version).toBe("number")
        expect(Option.map(yield* sibling.get("alice"), (e) => e.version)).toEqual(Option.some(version))
      }).pipe(Effect.scoped))
  })
})
