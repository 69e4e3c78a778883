/**
 * Starts worker processes sharing one grant in one store, against a running
 * `TestServer`, and drives them: move their clocks, storm `accessToken`, stall
 * or kill one. Used by the cross-process tests and by `bench/multiProcessStorm.ts`.
 */
import { FetchHttpClient } from "@effect/platform"
import { Callback, OAuthClient, Provider } from "@effect-oauth/core"
import type { TokenStore } from "@effect-oauth/session"
import type { TestServer } from "@effect-oauth/testing"
import { Effect, Redacted } from "effect"
import type { Scope } from "effect"
import * as ChildProcess from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Command, Reply, StoreSpec, StormResult } from "./protocol.js"

const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url))

export interface Worker {
  readonly index: number
  readonly pid: number
  /** Sends a command and waits for the reply of `type` (a `failed` reply or an exit rejects). */
  readonly call: <T extends Reply["type"]>(command: Command, type: T) => Promise<Extract<Reply, { type: T }>>
  /** Waits for the next reply of `type` without sending anything. */
  readonly next: <T extends Reply["type"]>(type: T) => Promise<Extract<Reply, { type: T }>>
  readonly kill: (signal: NodeJS.Signals) => Promise<void>
}

const spawnWorker = (index: number): Worker => {
  const child = ChildProcess.fork(workerPath, [], {
    execArgv: ["--conditions=source", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const waiting: Array<{ type: string; resolve: (reply: Reply) => void; reject: (error: Error) => void }> = []
  const early: Array<Reply> = []
  let exited: Error | undefined
  child.on("message", (message) => {
    const reply = message as Reply
    if (reply.type === "failed") {
      for (const waiter of waiting.splice(0)) waiter.reject(new Error(`worker ${index} failed: ${reply.message}`))
      return
    }
    const at = waiting.findIndex((waiter) => waiter.type === reply.type)
    if (at === -1) early.push(reply)
    else waiting.splice(at, 1)[0]!.resolve(reply)
  })
  const closed = new Promise<void>((resolve) =>
    child.on("exit", (code, signal) => {
      exited = new Error(`worker ${index} exited (${signal ?? code})`)
      for (const waiter of waiting.splice(0)) waiter.reject(exited)
      resolve()
    })
  )
  const next = <T extends Reply["type"]>(type: T) =>
    new Promise<Extract<Reply, { type: T }>>((resolve, reject) => {
      const at = early.findIndex((reply) => reply.type === type)
      if (at !== -1) return resolve(early.splice(at, 1)[0] as Extract<Reply, { type: T }>)
      if (exited !== undefined) return reject(exited)
      waiting.push({ type, resolve: resolve as (reply: Reply) => void, reject })
    })
  return {
    index,
    pid: child.pid!,
    next,
    call: (command, type) => {
      const reply = next(type)
      child.send(command)
      return reply
    },
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return closed
    }
  }
}

export interface Options {
  readonly server: TestServer.TestServer
  readonly store: StoreSpec
  /** The same store opened in the parent (the first grant is written there). */
  readonly parentStore: TokenStore.Service
  readonly processes: number
  readonly leaseTtlMillis: number
  readonly key?: string | undefined
  /** Trace every storm: its results carry the workers' marks (store calls, token request, wake-ups). */
  readonly trace?: boolean | undefined
}

export interface Cluster {
  readonly workers: ReadonlyArray<Worker>
  readonly key: string
  /** Moves the clocks of `workers` (default all) forward and waits until all have. */
  readonly advance: (byMillis: number, workers?: ReadonlyArray<Worker> | undefined) => Effect.Effect<void>
  /**
   * `callers` concurrent `accessToken` calls in each of `workers` (default all);
   * with the cluster's `trace`, each result carries the worker's marks of the storm.
   */
  readonly storm: (callers: number, workers?: ReadonlyArray<Worker> | undefined) => Effect.Effect<ReadonlyArray<StormResult>>
}

/**
 * Authorizes once against `server` (the `web` client), writes the grant to the
 * store, and starts `processes` workers on it; they stop with the scope.
 */
export const start = (options: Options): Effect.Effect<Cluster, never, Scope.Scope> =>
  Effect.gen(function*() {
    const key = options.key ?? "cluster-user"
    const { server } = options
    const registration = server.clients.web
    const client = {
      clientId: registration.clientId,
      clientSecret: Redacted.value(registration.clientSecret!),
      authMethod: "client_secret_basic" as const, // the `web` client's
      redirectUri: registration.redirectUri,
      scopes: ["openid", "offline_access", "api:read"]
    }
    const grant = yield* Effect.gen(function*() {
      const provider = yield* Provider.discover(server.issuer)
      const oauth = yield* OAuthClient.make({ provider, client: { ...client, clientSecret: registration.clientSecret! } })
      const request = yield* oauth.authorizationUrl()
      return yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
    }).pipe(Effect.provide(FetchHttpClient.layer), Effect.orDie)
    yield* Effect.orDie(options.parentStore.compareAndSet(key, undefined, grant))

    const workers = yield* Effect.acquireRelease(
      Effect.sync(() => Array.from({ length: options.processes }, (_, index) => spawnWorker(index))),
      (workers) => Effect.promise(() => Promise.all(workers.map((worker) => worker.kill("SIGTERM"))))
    )
    const init: Command = {
      type: "init",
      store: options.store,
      key,
      issuer: server.issuer,
      client,
      leaseTtlMillis: options.leaseTtlMillis,
      trace: options.trace
    }
    yield* Effect.promise(() => Promise.all(workers.map((worker) => worker.call(init, "ready"))))
    return {
      workers,
      key,
      advance: (byMillis, only = workers) =>
        Effect.asVoid(
          Effect.promise(() => Promise.all(only.map((worker) => worker.call({ type: "advance", byMillis }, "advanced"))))
        ),
      storm: (callers, only = workers) =>
        Effect.promise(() => Promise.all(only.map((worker) => worker.call({ type: "storm", callers }, "stormed"))))
    } satisfies Cluster
  })
