import { TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricState } from "effect"

/** The value of a counter of the process-wide metric registry, summed over its tags. */
const counter = (name: string, tag?: readonly [string, string]) =>
  Effect.map(Metric.snapshot, (pairs) =>
    pairs
      .filter((pair) => pair.metricKey.name === name)
      .filter((pair) => tag === undefined || pair.metricKey.tags.some((t) => t.key === tag[0] && t.value === tag[1]))
      .reduce((sum, pair) => sum + (MetricState.isCounterState(pair.metricState) ? Number(pair.metricState.count) : 0), 0))

describe("session counters", () => {
  it.live("two sessions of one grant sharing a store: one refreshes, the other waits for the lease and adopts", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ rotateRefreshToken: true })
      const store = yield* TokenStore.makeMemory
      const first = yield* TestServer.session(server, { key: "shared", refresh: "lazy", store })
      const request = yield* first.session.authorize()
      yield* first.session.completeAuthorization(yield* server.approve(request.url))
      const second = yield* TestServer.session(server, { key: "shared", refresh: "lazy", store })

      const waits = yield* counter("effect_oauth.session.lease_waits")
      const refreshed = yield* counter("effect_oauth.session.refreshes", ["outcome", "refreshed"])
      const adopted = yield* counter("effect_oauth.session.refreshes", ["outcome", "adopted"])
      yield* Effect.all([first.session.refresh, second.session.refresh], { concurrency: 2 })

      expect((yield* server.tokenRequests).byGrantType["refresh_token"]).toBe(1)
      expect((yield* counter("effect_oauth.session.refreshes", ["outcome", "refreshed"])) - refreshed).toBe(1)
      expect((yield* counter("effect_oauth.session.refreshes", ["outcome", "adopted"])) - adopted).toBe(1)
      expect((yield* counter("effect_oauth.session.lease_waits")) - waits).toBeGreaterThanOrEqual(1)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
})
