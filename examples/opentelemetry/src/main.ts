/**
 * `npm run opentelemetry`: one traced session at the embedded authorization
 * server; prints the SDK's spans (with the session's transition events) and
 * counters, as exported through `@effect/opentelemetry`.
 */
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { Effect } from "effect"
import { sessionLifecycle, traced } from "./telemetry.js"

const { metrics, spans } = await Effect.runPromise(
  Effect.flatMap(TestServer.make({ rotateRefreshToken: true }), (server) => traced(sessionLifecycle(server))).pipe(
    Effect.scoped,
    Effect.provide(FetchHttpClient.layer)
  )
)

console.log("spans (the SDK's; http.client spans left out)")
for (const span of spans) {
  if (span.name.startsWith("http.")) continue
  const attributes = Object.entries(span.attributes).map(([name, value]) => `${name}=${String(value)}`).join(" ")
  console.log(`  ${span.name}${attributes === "" ? "" : `  ${attributes}`}`)
  for (const event of span.events) {
    console.log(`    ${event.name}: ${event.attributes?.["oauth.session.from"]} → ${event.attributes?.["oauth.session.to"]}`)
  }
}
console.log("counters")
for (const metric of metrics.scopeMetrics.flatMap((scope) => scope.metrics)) {
  if (!metric.descriptor.name.startsWith("effect_oauth.")) continue
  for (const point of metric.dataPoints) {
    const tags = Object.entries(point.attributes).map(([name, value]) => `${name}=${String(value)}`).join(",")
    console.log(`  ${metric.descriptor.name}{${tags}} ${JSON.stringify(point.value)}`)
  }
}
