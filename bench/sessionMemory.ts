/**
 * Memory per session in a `SessionRegistry`: `stored` grants in a memory
 * `TokenStore`, every one used once through the registry (at most `maxLive` in
 * memory at a time), then left idle until the registry released them. Heap
 * figures are `process.memoryUsage().heapUsed` after a full garbage collection,
 * as differences between the stages.
 */
import { OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { SessionRegistry, TokenStore } from "@effect-oauth/session"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Clock, Effect, Layer } from "effect"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import type { Row, Suite } from "./suite.js"

export interface SessionMemoryOptions {
  readonly stored?: number | undefined
  readonly maxLive?: number | undefined
}

/** A full collection: `global.gc` when Node runs with `--expose-gc`, else enabled on the fly. */
const collect: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed !== undefined) return exposed
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
})()

const heapUsed = () => {
  collect()
  collect()
  return process.memoryUsage().heapUsed
}

/** What the memory run observed. */
export interface MemoryFigures {
  readonly stored: number
  readonly maxLive: number
  readonly peakLive: number
  readonly liveAfterIdle: number
  readonly bytesPerStoredGrant: number
  readonly bytesPerLiveSession: number
  readonly bytesPerIdleSession: number
  /** Wall time per `accessToken` of a session not in memory: start from the store, read, and release another. */
  readonly microsPerStart: number
}

// Never called: every grant is valid while measured. A request would fail the run.
const noNetwork = HttpClient.make((request) =>
  Effect.succeed(HttpClientResponse.fromWeb(request, new Response("unexpected request", { status: 599 })))
)

export const measureMemory = (options: SessionMemoryOptions = {}) =>
  Effect.gen(function*() {
    const stored = options.stored ?? 100_000
    const maxLive = options.maxLive ?? 1_000
    const provider = Provider.make({
      name: "bench",
      authorizationEndpoint: "https://as.example/authorize",
      tokenEndpoint: "https://as.example/token"
    })
    const client = yield* OAuthClient.make({
      provider,
      client: { clientId: "bench", redirectUri: "https://app.example/callback", authMethod: "none" }
    }).pipe(Effect.provide(Layer.succeed(HttpClient.HttpClient, noNetwork)))
    const key = (i: number): SessionRegistry.Key => ({ provider: "bench", account: `user-${i}@example.com` })
    const now = yield* Clock.currentTimeMillis

    const h0 = heapUsed()
    const store = yield* TokenStore.makeMemory
    for (let i = 0; i < stored; i++) {
      const tokens = TokenSet.make({
        accessToken: `access-${i}-${"x".repeat(32)}`,
        refreshToken: `refresh-${i}-${"y".repeat(32)}`,
        issuedAt: now,
        expiresAt: now + 3_600_000,
        scopes: ["openid", "calendar.read"]
      })
      yield* store.compareAndSet(SessionRegistry.storeKey(key(i)), undefined, tokens)
    }
    const h1 = heapUsed()

    const registry = yield* SessionRegistry.make({ clients: { bench: client }, maxLive, idleTimeout: "1 second", sweepInterval: "100 millis" }).pipe(
      Effect.provideService(TokenStore.TokenStore, store)
    )
    let peakLive = 0
    const start = performance.now()
    for (let i = 0; i < stored; i++) {
      yield* registry.accessToken(key(i))
      if (i % 1000 === 999) peakLive = Math.max(peakLive, yield* registry.size)
    }
    peakLive = Math.max(peakLive, yield* registry.size)
    const microsPerUse = ((performance.now() - start) * 1000) / stored
    const h2 = heapUsed()
    const live = yield* registry.size

    // Every session idle: the registry's sweep releases them.
    yield* Effect.sleep("1500 millis")
    const liveAfterIdle = yield* registry.size
    const h3 = heapUsed()

    return {
      stored,
      maxLive,
      peakLive,
      liveAfterIdle,
      bytesPerStoredGrant: (h1 - h0) / stored,
      bytesPerLiveSession: live === 0 ? 0 : (h2 - h3) / live,
      bytesPerIdleSession: (h3 - h1) / stored,
      microsPerStart: microsPerUse
    } satisfies MemoryFigures
  }).pipe(Effect.scoped)

// Two heap readings can differ by a few bytes of noise either way: show that as 0.
const kb = (bytes: number) => (Math.abs(bytes) < 5 ? 0 : bytes / 1024).toFixed(2)

export const sessionMemory = (options: SessionMemoryOptions = {}): Suite => ({
  name: "session-memory",
  description: "heap per stored grant, per live session and per stored-but-idle session in a SessionRegistry",
  run: () =>
    Effect.runPromise(
      Effect.map(measureMemory(options), (m): ReadonlyArray<Row> => {
        const label = `${m.stored.toLocaleString("en-US")} stored, maxLive ${m.maxLive.toLocaleString("en-US")}`
        return [
          { suite: "session-memory", case: label, metric: "KB per stored grant (memory store)", value: kb(m.bytesPerStoredGrant) },
          {
            suite: "session-memory",
            case: label,
            metric: "KB per live session",
            value: kb(m.bytesPerLiveSession),
            note: `peak ${m.peakLive.toLocaleString("en-US")} in memory`
          },
          {
            suite: "session-memory",
            case: label,
            metric: "KB per stored-but-idle session",
            value: kb(m.bytesPerIdleSession),
            note: `${m.liveAfterIdle} in memory after the idle timeout`
          },
          {
            suite: "session-memory",
            case: label,
            metric: "µs per first use (start from the store)",
            value: m.microsPerStart.toFixed(0),
            note: "includes releasing the least recently used session"
          }
        ]
      })
    )
})
