import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import { TokenStore } from "@effect-oauth/session"
import { Context, Duration, Effect, Layer, Redacted } from "effect"
import * as Fs from "node:fs"
import type * as SqlTokenStore from "../SqlTokenStore.js"
import { codeOf, fromSqlError } from "./sqlStore.js"

const openError = (detail: string) => new TokenStore.TokenStoreError({ reason: "Io", operation: "open", key: "", detail })

// The drivers are optional peers: the application installs the one it uses, so
// each is loaded only when its layer is built.
const driver = <A>(name: string, load: () => Promise<A>) =>
  Effect.tryPromise({
    try: load,
    catch: (cause) =>
      openError(
        codeOf(cause) === " (ERR_MODULE_NOT_FOUND)"
          ? `the driver ${name} is not installed: npm install ${name}@^0.53.0`
          : `cannot load the driver ${name}${codeOf(cause)}`
      )
  })

// better-sqlite3 creates a missing file with the process umask (often 0644):
// create it 0600 first, since it holds credentials.
const createPrivate = (filename: string) =>
  Effect.try({
    try: () => {
      if (filename === ":memory:" || filename.startsWith("file:")) return
      Fs.closeSync(Fs.openSync(filename, "a", 0o600))
    },
    catch: (cause) => openError(`cannot create the SQLite database file${codeOf(cause)}`)
  })

/** @internal */
export const sqlite = (filename: string): Layer.Layer<SqlClient.SqlClient, TokenStore.TokenStoreError> =>
  Layer.scopedContext(
    Effect.gen(function*() {
      const { SqliteClient } = yield* driver("@effect/sql-sqlite-node", () => import("@effect/sql-sqlite-node"))
      yield* createPrivate(filename)
      // The driver opens the file synchronously and throws (a defect) when it cannot.
      const client = yield* SqliteClient.make({ filename }).pipe(
        Effect.catchAllDefect((defect) => Effect.fail(openError(`cannot open the SQLite database${codeOf(defect)}`)))
      )
      return Context.make(SqlClient.SqlClient, client)
    })
  ).pipe(Layer.provide(Reactivity.layer))

/** @internal */
export const pg = (options: SqlTokenStore.PgOptions): Layer.Layer<SqlClient.SqlClient, TokenStore.TokenStoreError> =>
  Layer.scopedContext(
    Effect.gen(function*() {
      const { PgClient } = yield* driver("@effect/sql-pg", () => import("@effect/sql-pg"))
      const client = yield* PgClient.make({
        url: Redacted.isRedacted(options.url) ? options.url : Redacted.make(options.url),
        maxConnections: options.maxConnections ?? 10,
        connectTimeout: options.connectTimeout ?? Duration.seconds(10),
        applicationName: "effect-oauth"
      }).pipe(Effect.mapError(fromSqlError("open", "")))
      return Context.make(SqlClient.SqlClient, client)
    })
  ).pipe(Layer.provide(Reactivity.layer))
