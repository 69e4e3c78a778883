/**
 * A worker process of the cluster tests and the bench: one `OAuthSession` on the
 * shared store, driven by the parent over IPC (see `protocol.ts`).
 *
 * Run by `cluster.ts` with `node --conditions=source --import tsx worker.ts`.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { OAuthSession } from "@effect-oauth/session"
import { Clock, Deferred, Effect, Fiber, Layer, Queue, Redacted } from "effect"
import type { Command, Reply, StormResult } from "./protocol.js"
import { fingerprint } from "./protocol.js"
import { storeLayer } from "./stores.js"

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

const program = Effect.gen(function*() {
  const inbox = yield* Queue.unbounded<Command>()
  process.on("message", (message) => Queue.unsafeOffer(inbox, message as Command))
  process.on("disconnect", () => process.exit(0))

  const init = yield* Queue.take(inbox)
  if (init.type !== "init") return yield* Effect.dieMessage("the first message must be init")

  // Token requests pass, or are held while `stall` is on (a holder stuck mid-refresh).
  let stall: { readonly released: Deferred.Deferred<void> } | undefined
  const fetchClient = yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer)
  const provider = yield* Provider.discover(init.issuer).pipe(Effect.provideService(HttpClient.HttpClient, fetchClient))
  const httpClient = HttpClient.transform(fetchClient, (response, request) =>
    stall !== undefined && request.url === provider.tokenEndpoint
      ? send({ type: "stalled" }).pipe(Effect.zipRight(Deferred.await(stall.released)), Effect.zipRight(response))
      : response)
  const oauthClient = yield* OAuthClient.make({
    provider,
    client: { ...init.client, clientSecret: Redacted.make(init.client.clientSecret) }
  }).pipe(Effect.provideService(HttpClient.HttpClient, httpClient))

  const store = yield* Layer.build(storeLayer(init.store))
  const session = yield* OAuthSession.make({ key: init.key, refresh: "lazy", leaseTtl: init.leaseTtlMillis }).pipe(
    // The suite stalls requests past a short lease on purpose (a lapsed lease must
    // still end in adoption, not revocation): the session is not told the
    // client's timeout, which it would refuse as longer than the lease.
    Effect.provideService(OAuthClient.OAuthClient, { ...oauthClient, timeout: undefined }),
    Effect.provide(store)
  )
  yield* send({ type: "ready" })

  const storm = (callers: number) =>
    Effect.gen(function*() {
      const results = yield* Effect.all(
        Array.from({ length: callers }, () =>
          Effect.either(Effect.flatMap(session.tokens, (tokens) =>
            Effect.map(Clock.currentTimeMillis, (now) => ({ tokens, expired: TokenSet.isExpired(tokens, now) }))))),
        { concurrency: "unbounded" }
      )
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
      const reply: StormResult = { type: "stormed", ok, failures, expired, fingerprints, state: yield* session.state }
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
        running = yield* Effect.fork(storm(command.callers))
        break
      case "release":
        if (stall !== undefined) yield* Deferred.succeed(stall.released, undefined)
        stall = undefined
        yield* send({ type: "released" })
        break
      case "exit":
        if (running !== undefined) yield* Fiber.join(running)
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
