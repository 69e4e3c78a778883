/**
 * The SDK's spans and metrics through `@effect/opentelemetry`, into exporters that
 * keep them in memory (swap in an OTLP exporter to send them to a collector).
 */
import { NodeSdk } from "@effect/opentelemetry"
import { type CollectionResult, MetricReader } from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { TokenSet } from "@effect-oauth/core"
import { TestServer } from "@effect-oauth/testing"
import { Effect } from "effect"

/** A metric reader that hands its collection to the caller (`collect()`). */
class CollectingReader extends MetricReader {
  protected override onForceFlush = () => Promise.resolve()
  protected override onShutdown = () => Promise.resolve()
}

/** What a traced run exported. */
export interface Exported<A> {
  readonly result: A
  readonly spans: ReadonlyArray<ReadableSpan>
  readonly metrics: CollectionResult["resourceMetrics"]
}

/**
 * Runs `self` under an OpenTelemetry SDK (`NodeSdk.layer`) and returns the spans
 * that finished and the metrics collected at its end.
 */
export const traced = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Exported<A>, E, R> =>
  Effect.gen(function*() {
    const exporter = new InMemorySpanExporter()
    const reader = new CollectingReader()
    return yield* Effect.gen(function*() {
      const result = yield* self
      const collected = yield* Effect.promise(() => reader.collect())
      return { result, spans: exporter.getFinishedSpans(), metrics: collected.resourceMetrics }
    }).pipe(
      Effect.provide(NodeSdk.layer(() => ({
        resource: { serviceName: "effect-oauth-example" },
        spanProcessor: new SimpleSpanProcessor(exporter),
        metricReader: reader
      })))
    )
  })

/**
 * One session at the embedded authorization server: sign-in, a token, a refresh,
 * revocation. Its span ends with its scope, here. Returns the tokens it held.
 */
export const sessionLifecycle = (server: TestServer.TestServer) =>
  Effect.gen(function*() {
    const { session } = yield* TestServer.session(server, { key: "alice", refresh: "lazy" })
    const request = yield* session.authorize()
    const first: TokenSet.TokenSet = yield* session.completeAuthorization(
      yield* server.approve(request.url, { accountId: "alice" })
    )
    yield* session.accessToken
    const second = yield* session.refresh
    yield* session.revoke
    return [first, second] as const
  }).pipe(Effect.scoped)
