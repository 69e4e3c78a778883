/**
 * A worker process of the cluster tests and the bench: one `OAuthSession` on the
 * shared store, driven by the parent over IPC (see `protocol.ts`).
 *
 * Run by `cluster.ts` with `node --conditions=source --import tsx worker.ts`.
 * With `EFFECT_OAUTH_WORKER_PROFILE=<directory>`, a CPU profile of the storms
 * (from the first one to the process's end, start-up left out) is written there
 * as `worker-<pid>.cpuprofile` (open it in Chrome's DevTools).
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { Clock, Context, Deferred, Effect, Fiber, Layer, Queue, Redacted } from "effect"
import type { Command, Mark, Reply, StormResult } from "./protocol.js"
import { fingerprint, markTime } from "./protocol.js"
import { storeLayer } from "./stores.js"
import * as Fs from "node:fs"
import * as Inspector from "node:inspector"
import * as Path from "node:path"

const profileDirectory = process.env["EFFECT_OAUTH_WORKER_PROFILE"]
const profiler = profileDirectory === undefined || profileDirectory === "" ? undefined : new Inspector.Session()
let profiling = false
const startProfile = () => {
  if (profiler === undefined || profiling) return
  profiling = true
  profiler.connect()
  profiler.post("Profiler.enable")
  profiler.post("Profiler.setSamplingInterval", { interval: 100 })
  profiler.post("Profiler.start")
}
// The inspector answers a session of the same thread synchronously: written before `exit` returns.
const stopProfile = () => {
  if (profiler === undefined || !profiling) return
  profiling = false
  profiler.post("Profiler.stop", (error, result) => {
    if (error === null) {
      Fs.writeFileSync(Path.join(profileDirectory!, `worker-${process.pid}.cpuprofile`), JSON.stringify(result.profile))
    }
  })
}

// The parent ends its workers with SIGTERM: a profiling one writes its profile first.
if (profiler !== undefined) {
  process.on("SIGTERM", () => {
    stopProfile()
    process.exit(0)
  })
}

const send = (reply: Reply) => Effect.sync(() => process.send?.(reply))

// The process's clock, moved forward by `advance`: tokens expire by the client's
// clock while the authorization server keeps its own.
const offset = { millis: 0 }
const base = Clock.make()
const clock: Clock.Clock = {
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => base.unsafeCurrentTimeMillis() + offset.millis,
  currentTimeMillis: Effect.sync(() => base.unsafeCurrentTimeMillis() + offset.millis),
  unsafeCurrentTimeNanos: () => base.unsafeCurrentTimeNanos() + BigInt(offset.millis) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => base.unsafeCurrentTimeNanos() + BigInt(offset.millis) * 1_000_000n),
  sleep: (duration) => base.sleep(duration)
}

// The marks of the storm being traced (none while no storm asks for them).
let marks: Array<Mark> | undefined
const mark = (what: string) => void marks?.push({ at: markTime(), what })

/** `effect` with a mark when it starts (`name >`) and when it ends (`name <`, or `name ! Tag`). */
const timed = <A, E extends { readonly _tag: string }, R>(name: string, effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    mark(`${name} >`)
    return Effect.tapBoth(effect, {
      onSuccess: () => Effect.sync(() => mark(`${name} <`)),
      onFailure: (error) => Effect.sync(() => mark(`${name} ! ${error._tag}`))
    })
  })

/** The store with each call marked, and each wake-up of a watch. */
const tracedStore = (store: TokenStore.Service): TokenStore.Service => {
  const watch = store.watch
  return {
    ...store,
    get: (key) => timed("get", store.get(key)),
    compareAndSet: (key, expected, tokens) => timed("compareAndSet", store.compareAndSet(key, expected, tokens)),
    delete: (key, expected) => timed("delete", store.delete(key, expected)),
    acquireLease: (key, ttl) => timed("acquireLease", store.acquireLease(key, ttl)),
    releaseLease: (lease) => timed("releaseLease", store.releaseLease(lease)),
    watch: watch === undefined
      ? undefined
      : (key) => Effect.map(timed("watch", watch(key)), (next) => Effect.tap(next, () => Effect.sync(() => mark("woken"))))
  }
}

const program = Effect.gen(function*() {
  const inbox = yield* Queue.unbounded<Command>()
  process.on("message", (message) => Queue.unsafeOffer(inbox, message as Command))
  process.on("disconnect", () => {
    stopProfile()
    process.exit(0)
  })

  const init = yield* Queue.take(inbox)
  if (init.type !== "init") return yield* Effect.dieMessage("the first message must be init")

  // Token requests pass, or are held while `stall` is on (a holder stuck mid-refresh).
  let stall: { readonly released: Deferred.Deferred<void> } | undefined
  const fetchClient = yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer)
  const provider = yield* Provider.discover(init.issuer).pipe(Effect.provideService(HttpClient.HttpClient, fetchClient))
  const httpClient = HttpClient.transform(fetchClient, (response, request) =>
    request.url !== provider.tokenEndpoint
      ? init.trace === true
        ? Effect.suspend(() => {
          const name = `request ${new URL(request.url).pathname}`
          mark(`${name} >`)
          return Effect.ensuring(response, Effect.sync(() => mark(`${name} <`)))
        })
        : response
      : stall !== undefined
      ? send({ type: "stalled" }).pipe(Effect.zipRight(Deferred.await(stall.released)), Effect.zipRight(response))
      : init.trace === true
      ? Effect.suspend(() => {
        mark("token request >")
        return Effect.ensuring(response, Effect.sync(() => mark("token request <")))
      })
      : response)
  const oauthClient = yield* OAuthClient.make({
    provider,
    client: { ...init.client, clientSecret: Redacted.make(init.client.clientSecret) }
  }).pipe(Effect.provideService(HttpClient.HttpClient, httpClient))

  const built = yield* Layer.build(storeLayer(init.store))
  // Traced, the store's calls are marked; untraced, it is the store itself.
  const store = init.trace === true
    ? Context.add(built, TokenStore.TokenStore, tracedStore(Context.get(built, TokenStore.TokenStore)))
    : built
  const session = yield* OAuthSession.make({ key: init.key, refresh: "lazy", leaseTtl: init.leaseTtlMillis }).pipe(
    // The suite stalls requests past a short lease on purpose (a lapsed lease must
    // still end in adoption, not revocation): the session is not told the
    // client's timeout, which it would refuse as longer than the lease.
    Effect.provideService(OAuthClient.OAuthClient, { ...oauthClient, timeout: undefined }),
    Effect.provide(store)
  )
  let lastState = ""
  if (init.trace === true) {
    session.actor.subscribe((snapshot) => {
      const state = JSON.stringify(snapshot.value)
      if (state !== lastState) mark(`state ${state}`)
      lastState = state
    })
  }
  yield* send({ type: "ready" })

  const storm = (callers: number) =>
    Effect.gen(function*() {
      startProfile()
      const cpuBefore = process.cpuUsage()
      marks = init.trace === true ? [] : undefined
      mark("storm")
      let served = 0
      const results = yield* Effect.all(
        Array.from({ length: callers }, () =>
          Effect.either(Effect.flatMap(session.tokens, (tokens) =>
            Effect.map(Clock.currentTimeMillis, (now) => {
              if (++served === 1) mark("first caller served")
              return { tokens, expired: TokenSet.isExpired(tokens, now) }
            })))),
        { concurrency: "unbounded" }
      )
      mark("all callers served")
      const cpu = process.cpuUsage(cpuBefore)
      const distinct = new Set<string>()
      let ok = 0
      let expired = 0
      const failures: Array<string> = []
      for (const result of results) {
        if (result._tag === "Left") {
          failures.push(result.left._tag)
          continue
        }
        ok++
        if (result.right.expired) expired++
        distinct.add(Redacted.value(result.right.tokens.accessToken))
      }
      const fingerprints = yield* Effect.promise(() => Promise.all(Array.from(distinct, fingerprint)))
      const recorded = marks
      marks = undefined
      const reply: StormResult = {
        type: "stormed",
        ok,
        failures,
        expired,
        fingerprints,
        state: yield* session.state,
        ...(recorded === undefined ? {} : { trace: recorded, cpuMillis: (cpu.user + cpu.system) / 1000 })
      }
      yield* send(reply)
    })

  let running: Fiber.RuntimeFiber<void> | undefined
  while (true) {
    const command = yield* Queue.take(inbox)
    switch (command.type) {
      case "advance":
        offset.millis += command.byMillis
        yield* send({ type: "advanced" })
        break
      case "storm":
        if (running !== undefined) yield* Fiber.join(running)
        stall = command.stall === true ? { released: yield* Deferred.make<void>() } : undefined
        // A storm that dies says so, rather than leaving the parent waiting.
        running = yield* Effect.fork(storm(command.callers).pipe(
          Effect.catchAllCause((cause) => Effect.asVoid(send({ type: "failed", message: String(cause) })))
        ))
        break
      case "release":
        if (stall !== undefined) yield* Deferred.succeed(stall.released, undefined)
        stall = undefined
        yield* send({ type: "released" })
        break
      case "exit":
        if (running !== undefined) yield* Fiber.join(running)
        stopProfile()
        return
      case "init":
        break
    }
  }
})

Effect.runPromiseExit(program.pipe(Effect.scoped, Effect.withClock(clock))).then((exit) => {
  if (exit._tag === "Failure") {
    process.send?.({ type: "failed", message: String(exit.cause) } satisfies Reply)
    process.exitCode = 1
  }
  process.disconnect?.()
})
