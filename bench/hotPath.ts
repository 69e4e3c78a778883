/**
 * Hot path: `accessToken` on a valid token, against a bare `Ref.get` in the
 * same loop. The session is authorized at the embedded authorization server,
 * then read `iterations` times per round; the best of `rounds` rounds counts.
 * Beside them, the floor of any effect that hands out a held value or else
 * waits: `Effect.suspend` returning an `Effect.succeed` built once (two steps of
 * Effect's run loop, where `Ref.get` is one), and the same after one read of
 * the clock, without which an expired token could be handed out.
 */
import { FetchHttpClient } from "@effect/platform"
import { SessionRegistry, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { Effect, Redacted, Ref } from "effect"
import type { Row, Suite } from "./suite.js"

export interface HotPathOptions {
  readonly iterations?: number | undefined
  readonly rounds?: number | undefined
}

/** Runs `op` `iterations` times in one fiber; returns operations per second. */
const opsPerSecond = <A, E>(op: Effect.Effect<A, E>, iterations: number) =>
  Effect.gen(function*() {
    const start = performance.now()
    for (let i = 0; i < iterations; i++) yield* op
    return iterations / ((performance.now() - start) / 1000)
  })

const best = <E>(measure: Effect.Effect<number, E>, rounds: number) =>
  Effect.map(Effect.replicateEffect(measure, rounds), (all) => Math.max(...all))

const format = (value: number) => Math.round(value).toLocaleString("en-US")

export const hotPath = (options: HotPathOptions = {}): Suite => ({
  name: "hot-path",
  description: "accessToken on a valid token vs a bare Ref.get",
  run: () => {
    const iterations = options.iterations ?? 1_000_000
    const rounds = options.rounds ?? 5
    const program = Effect.gen(function*() {
      const server = yield* TestServer.make()
      const { client, session, store } = yield* TestServer.session(server, { key: "hot", refresh: "lazy" })
      const request = yield* session.authorize()
      yield* session.completeAuthorization(yield* server.approve(request.url, { accountId: "hot" }))
      const token = yield* session.accessToken
      const ref = yield* Ref.make(token)
      const registry = yield* SessionRegistry.make({ clients: { test: client } }).pipe(
        Effect.provideService(TokenStore.TokenStore, store)
      )
      const key: SessionRegistry.Key = { provider: "test", account: "hot" }
      // The registry's session reads the grant stored above under its own key.
      yield* store.compareAndSet(SessionRegistry.storeKey(key), undefined, yield* session.tokens)
      const viaRegistry = registry.accessToken(key)
      const same = Redacted.value(yield* viaRegistry) === Redacted.value(token)

      const held = Effect.succeed(token)
      const floor = Effect.suspend(() => held)
      const clock = yield* Effect.clock
      const fallback = Effect.die("unreachable")
      const timed = Effect.suspend(() => clock.unsafeCurrentTimeMillis() < Number.MAX_SAFE_INTEGER ? held : fallback)

      const before = (yield* server.tokenRequests).total
      // Warm up every path before measuring.
      yield* opsPerSecond(Ref.get(ref), iterations)
      yield* opsPerSecond(session.accessToken, iterations)
      yield* opsPerSecond(viaRegistry, iterations)
      yield* opsPerSecond(floor, iterations)
      yield* opsPerSecond(timed, iterations)
      const baseline = yield* best(opsPerSecond(Ref.get(ref), iterations), rounds)
      const direct = yield* best(opsPerSecond(session.accessToken, iterations), rounds)
      const registered = yield* best(opsPerSecond(viaRegistry, iterations), rounds)
      const suspended = yield* best(opsPerSecond(floor, iterations), rounds)
      const clockRead = yield* best(opsPerSecond(timed, iterations), rounds)
      const requests = (yield* server.tokenRequests).total - before

      const rows: Array<Row> = [
        { suite: "hot-path", case: "Ref.get (baseline)", metric: "ops/s", value: format(baseline) },
        { suite: "hot-path", case: "OAuthSession.accessToken", metric: "ops/s", value: format(direct) },
        {
          suite: "hot-path",
          case: "OAuthSession.accessToken",
          metric: "slowdown vs Ref.get",
          value: `${(baseline / direct).toFixed(2)}×`,
          note: `acceptance: within 10×; ${requests} token requests while measuring`
        },
        { suite: "hot-path", case: "SessionRegistry.accessToken", metric: "ops/s", value: format(registered) },
        {
          suite: "hot-path",
          case: "SessionRegistry.accessToken",
          metric: "slowdown vs Ref.get",
          value: `${(baseline / registered).toFixed(2)}×`,
          note: same ? "same token as the session" : "a different token (unexpected)"
        },
        {
          suite: "hot-path",
          case: "Effect.suspend(() => built Effect.succeed)",
          metric: "slowdown vs Ref.get",
          value: `${(baseline / suspended).toFixed(2)}×`,
          note: "the floor of an effect that may wait: two run-loop steps"
        },
        {
          suite: "hot-path",
          case: "the same, after one read of the Effect Clock",
          metric: "slowdown vs Ref.get",
          value: `${(baseline / clockRead).toFixed(2)}×`,
          note: "the floor of a path that never hands out an expired token"
        }
      ]
      return rows
    })
    return Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
  }
})
