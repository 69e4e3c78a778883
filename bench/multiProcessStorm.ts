/**
 * Multi-process refresh storm: 4 worker processes share one grant in one store,
 * each with 250 concurrent `accessToken` calls at the same expiry, refresh-token
 * rotation on (the embedded oidc-provider). Per store: token requests per expiry
 * (the target is exactly 1), `invalid_grant` answers, sessions lost, and the
 * time from the expiry to the last of the 1000 callers served, beside the
 * physical reference measured the same way in the same cycles: the same
 * processes and callers on a lock file plus re-read of a shared JSON file
 * (`bench/peerWorker.ts`, its own grant on the same server). Goal: ≤ 2× it.
 *
 * Run alone: `npx tsx --conditions=source bench/multiProcessStorm.ts`
 * (PostgreSQL when `EFFECT_OAUTH_PG_URL` is set: `eval "$(scripts/postgres.sh start)"`).
 * `EFFECT_OAUTH_BENCH_CASES=file-2,file,sqlite,pg` runs only the cases named;
 * `EFFECT_OAUTH_BENCH_TRACE=<file>` also records every worker's phases of every
 * storm (store calls, token request, wake-ups, state changes, callers served) as
 * JSON lines in `<file>`, which `bench/multiProcessTrace.ts <file>` summarises.
 */
import { FetchHttpClient } from "@effect/platform"
import { Callback, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { Clock, Context, Effect, Layer, Option, Redacted } from "effect"
import type { Scope } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import * as Cluster from "../packages/store-sql/test/cluster/cluster.js"
import type { StoreSpec } from "../packages/store-sql/test/cluster/protocol.js"
import { storeLayer } from "../packages/store-sql/test/cluster/stores.js"
import { startWorker } from "./peers.js"
import type { Row, Suite } from "./suite.js"
import { formatTable } from "./suite.js"

const processes = 4
const callers = 250
const cycles = 20
const name = "multiProcessStorm"

const traceFile = process.env["EFFECT_OAUTH_BENCH_TRACE"]
const cases = process.env["EFFECT_OAUTH_BENCH_CASES"]?.split(",")
const runs = (id: string) => cases === undefined || cases.includes(id)

const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0
}

const sample = TokenSet.make({ accessToken: "bench-access", refreshToken: "bench-refresh", issuedAt: 0, expiresAt: 3_600_000, scopes: ["api:read"] })
const grantOf = (entry: Option.Option<TokenStore.Entry>) => Option.match(entry, { onNone: () => sample, onSome: (e) => e.tokens })

const tempDirectory: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-oauth-bench-"))),
  (directory) => Effect.sync(() => Fs.rmSync(directory, { recursive: true, force: true }))
)

/**
 * The lock file plus re-read on `processes` processes: a grant of its own in a
 * JSON file; `trial` expires every process's token and times the storm from
 * the parent, as the cluster's storms are timed.
 */
const lockFileReference = (server: TestServer.TestServer, directory: string, processes: number) =>
  Effect.gen(function*() {
    const registration = server.clients.web
    const client = { clientId: registration.clientId, clientSecret: Redacted.value(registration.clientSecret!), redirectUri: registration.redirectUri }
    const { provider, tokens } = yield* Effect.gen(function*() {
      const provider = yield* Provider.discover(server.issuer)
      const oauth = yield* OAuthClient.make({ provider, client: { ...client, clientSecret: registration.clientSecret!, scopes: ["openid", "offline_access", "api:read"] } })
      const request = yield* oauth.authorizationUrl()
      return { provider, tokens: yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request)) }
    }).pipe(Effect.provide(FetchHttpClient.layer), Effect.orDie)
    const file = Path.join(directory, `reference-${processes}.json`)
    Fs.writeFileSync(file, JSON.stringify({
      access_token: Redacted.value(tokens.accessToken),
      refresh_token: Redacted.value(tokens.refreshToken!),
      token_type: "Bearer",
      expires_in: 3600,
      expires_at: Date.now() + 3_600_000
    }))
    const workers = yield* Effect.acquireRelease(
      Effect.sync(() => Array.from({ length: processes }, () => startWorker())),
      (workers) => Effect.sync(() => workers.forEach((worker) => worker.stop()))
    )
    const endpoints = { authorization: provider.authorizationEndpoint ?? server.issuer, token: provider.tokenEndpoint }
    return {
      trial: Effect.promise(async () => {
        await Promise.all(workers.map((worker) => worker.ask({ op: "load", kind: "lock-file", file, issuer: server.issuer, endpoints, client })))
        const t0 = performance.now()
        const replies = await Promise.all(workers.map((worker) => worker.ask({ op: "storm", callers })))
        const millis = performance.now() - t0
        const failed = replies.reduce((sum, reply) => sum + ("failed" in reply ? reply.failed : callers), 0)
        return { millis, failed }
      })
    }
  })

const measure = (label: string, spec: StoreSpec, cleanup: Effect.Effect<void> = Effect.void, processes = 4) =>
  Effect.gen(function*() {
    yield* Effect.addFinalizer(() => cleanup)
    // One-minute access tokens, and clocks moved 70 s per expiry: over the 20
    // cycles the workers run 23 minutes ahead of the server, so the ID tokens of
    // refresh responses stay valid and the key set stays cached (10 minutes) as in
    // production. (Moving 2 hours per cycle made every refresh fetch the JWKS again
    // and drop an "expired" ID token: a second request on the winner's path that
    // neither production nor the reference makes.)
    const server = yield* TestServer.make({ rotateRefreshToken: true, accessTokenTtl: 60 })
    const store = yield* Effect.map(Layer.build(Layer.orDie(storeLayer(spec))), Context.get(TokenStore.TokenStore))
    const startedAt = yield* Clock.currentTimeMillis
    const cluster = yield* Cluster.start({
      server,
      store: spec,
      parentStore: store,
      processes,
      leaseTtlMillis: 10_000,
      trace: traceFile !== undefined
    })
    const startup = (yield* Clock.currentTimeMillis) - startedAt
    const reference = yield* lockFileReference(server, yield* tempDirectory, processes)
    const requests: Array<number> = []
    const latencies: Array<number> = []
    const referenceLatencies: Array<number> = []
    let referenceFailed = 0
    let invalidGrant = 0
    let lost = 0
    let failures = 0
    for (let cycle = 0; cycle < cycles; cycle++) {
      yield* cluster.advance(70_000)
      const before = yield* server.tokenRequests
      const t0 = performance.now()
      const results = yield* cluster.storm(callers)
      latencies.push(performance.now() - t0)
      if (traceFile !== undefined) {
        const start = performance.timeOrigin + t0
        const line = { case: label, cycle, start, millis: latencies.at(-1), workers: results.map((result) => result.trace ?? []), cpu: results.map((result) => result.cpuMillis ?? 0) }
        Fs.appendFileSync(traceFile, `${JSON.stringify(line)}\n`)
      }
      const after = yield* server.tokenRequests
      requests.push((after.byGrantType["refresh_token"] ?? 0) - (before.byGrantType["refresh_token"] ?? 0))
      invalidGrant += after.invalidGrant - before.invalidGrant
      lost += results.filter((result) => result.state !== "authorized").length
      failures += results.reduce((sum, result) => sum + result.failures.length + result.expired, 0)
      // The reference, in the same cycle.
      const trial = yield* reference.trial
      referenceLatencies.push(trial.millis)
      referenceFailed += trial.failed
    }
    if (Option.isNone(yield* store.get(cluster.key))) lost++
    // The store's own cost, from the parent, on the grant the cluster uses.
    const timeOf = (effect: Effect.Effect<unknown, unknown>) =>
      Effect.gen(function*() {
        const samples: Array<number> = []
        for (let i = 0; i < 200; i++) {
          const t = performance.now()
          yield* Effect.orDie(effect)
          samples.push(performance.now() - t)
        }
        return `${percentile(samples, 0.5).toFixed(2)} ms`
      })
    const getCost = yield* timeOf(store.get(cluster.key))
    const casCost = yield* timeOf(
      Effect.flatMap(store.get("bench-cas"), (entry) =>
        store.compareAndSet("bench-cas", Option.getOrUndefined(Option.map(entry, (e) => e.version)), grantOf(entry)))
    )
    const row = (metric: string, value: string, note?: string): Row => ({ suite: name, case: label, metric, value, note })
    return [
      row("token requests per expiry", `${requests.reduce((a, b) => a + b, 0) / cycles}`, `max ${Math.max(...requests)} in ${cycles} cycles of ${processes}×${callers} callers`),
      row("invalid_grant", `${invalidGrant}`),
      row("sessions lost", `${lost}`, `${failures} failed or expired tokens handed out`),
      row("expiry → all callers served", `${percentile(latencies, 0.5).toFixed(0)} ms`, `median; p95 ${percentile(latencies, 0.95).toFixed(0)} ms`),
      row(
        "lock file + re-read: all served (reference)",
        `${percentile(referenceLatencies, 0.5).toFixed(0)} ms`,
        `median; p95 ${percentile(referenceLatencies, 0.95).toFixed(0)} ms; same cycles, ${referenceFailed} failed callers`
      ),
      row(
        "all served ÷ reference",
        `${(percentile(latencies, 0.5) / Math.max(0.001, percentile(referenceLatencies, 0.5))).toFixed(2)}×`,
        "medians; goal ≤ 2×"
      ),
      row("store get", getCost, "median of 200, from the parent"),
      row("store get + compareAndSet", casCost, "median of 200, from the parent"),
      row("worker start", `${startup} ms`, `${processes} processes (tsx), discovery, session from the store`)
    ]
  }).pipe(Effect.scoped)

const program = Effect.gen(function*() {
  const rows: Array<Row> = []
  const directory = yield* tempDirectory
  if (runs("file-2")) {
    rows.push(...yield* measure("layerFileSystem, 2 processes", { kind: "file", directory: Path.join(directory, "files-2") }, Effect.void, 2))
  }
  if (runs("file")) rows.push(...yield* measure("layerFileSystem", { kind: "file", directory: Path.join(directory, "files") }))
  if (runs("sqlite")) rows.push(...yield* measure("layerSqlite", { kind: "sqlite", filename: Path.join(directory, "tokens.db") }))
  const url = process.env["EFFECT_OAUTH_PG_URL"]
  if (!runs("pg")) {
    // not asked for
  } else if (url === undefined || url === "") {
    rows.push({ suite: name, case: "layerPg", metric: "skipped", value: "-", note: "EFFECT_OAUTH_PG_URL is not set (scripts/postgres.sh start)" })
  } else {
    const tablePrefix = `bench_${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 12)}_`
    const { dropTables, pgClient } = yield* Effect.promise(() => import("../packages/store-sql/test/helpers/databases.js"))
    rows.push(
      ...yield* measure(
        "layerPg",
        { kind: "pg", url, tablePrefix },
        dropTables(tablePrefix).pipe(Effect.provide(pgClient(url)), Effect.ignore)
      )
    )
  }
  return rows
}).pipe(Effect.scoped)

/** The suite for `bench/main.ts`. */
export const suite: Suite = {
  name,
  description: `${processes} worker processes × ${callers} concurrent accessToken at the same expiry, rotation on, ${cycles} cycles, per store`,
  run: () => Effect.runPromise(program)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  suite.run().then((rows) => console.log(formatTable(rows)))
}
