import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Encoding, Redacted } from "effect"
import { sessionLifecycle, traced } from "../src/telemetry.js"

/** The SDK's counters as `name{tag=value}` → value. */
const counters = (metrics: { readonly scopeMetrics: ReadonlyArray<{ readonly metrics: ReadonlyArray<any> }> }) =>
  Object.fromEntries(
    metrics.scopeMetrics.flatMap((scope) => scope.metrics).filter((metric) => metric.descriptor.name.startsWith("effect_oauth."))
      .flatMap((metric) =>
        metric.dataPoints.map((point: { attributes: Record<string, unknown>; value: unknown }) => [
          `${metric.descriptor.name}{${Object.entries(point.attributes).map(([k, v]) => `${k}=${v}`).join(",")}}`,
          point.value
        ])
      )
  )

/** A value as it could appear in an exported span: as is, base64, base64url, percent-encoded. */
const encodings = (value: string) => [
  value,
  Encoding.encodeBase64(value),
  Encoding.encodeBase64Url(value),
  encodeURIComponent(value)
]

describe("OpenTelemetry example", () => {
  it.live("exports the SDK's spans, the session's transitions as events, and the refresh counter, with no secret", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ rotateRefreshToken: true })
      const { metrics, result: tokens, spans } = yield* traced(sessionLifecycle(server))

      const names = spans.map((span) => span.name)
      for (
        const name of [
          "Provider.discover",
          "OAuthClient.authorizationUrl",
          "OAuthClient.exchangeCode",
          "OAuthClient.refresh",
          "OAuthClient.revoke",
          "OAuthSession.completeAuthorization",
          "OAuthSession.refreshTokens",
          "OAuthSession.revokeGrant",
          "OAuthSession"
        ]
      ) expect(names).toContain(name)
      const session = spans.find((span) => span.name === "OAuthSession")!
      expect(session.events.map((event) => `${event.attributes?.["oauth.session.from"]} → ${event.attributes?.["oauth.session.to"]}`))
        .toEqual([
          "unauthorized → authorizing",
          "authorizing → authorized",
          "authorized → refreshing",
          "refreshing → authorized",
          "authorized → revoked"
        ])
      expect(session.events[2]?.attributes?.["oauth.session.substate"]).toMatch(/^refreshing\.\w+$/)
      expect(session.events.every((event) => event.name === "OAuthSession.transition")).toBe(true)
      expect(session.attributes["oauth.session.transitions"]).toBe(5)
      expect(spans.find((span) => span.name === "OAuthClient.refresh")?.attributes["oauth.grant_type"]).toBe("refresh_token")
      expect(counters(metrics)).toMatchObject({ "effect_oauth.session.refreshes{outcome=refreshed}": 1 })

      const secrets = [
        ...tokens.flatMap((set) => [set.accessToken, set.refreshToken, set.idToken]),
        server.clients.web.clientSecret
      ].flatMap((secret) => (secret === undefined ? [] : [Redacted.value(secret)]))
      expect(secrets.length).toBeGreaterThanOrEqual(6)
      const exported = JSON.stringify(
        spans.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status }))
      ) + JSON.stringify(metrics)
      for (const secret of secrets) {
        for (const encoded of encodings(secret)) expect(exported.includes(encoded)).toBe(false)
      }
      expect(exported).toContain("<redacted>") // the Authorization header of the token requests
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("records the first 128 transitions of a session as events and counts them all", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      const { spans } = yield* traced(
        Effect.gen(function*() {
          const { session } = yield* TestServer.session(server, { key: "carol", refresh: "lazy" })
          const request = yield* session.authorize()
          yield* session.completeAuthorization(yield* server.approve(request.url, { accountId: "carol" }))
          yield* Effect.repeatN(session.refresh, 64) // 65 refreshes, 2 transitions each
        }).pipe(Effect.scoped)
      )
      const session = spans.find((span) => span.name === "OAuthSession")!
      expect(session.attributes["oauth.session.transitions"]).toBe(2 + 65 * 2)
      expect(session.events).toHaveLength(128)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)), 60_000)

  it.live("counts a failed refresh under its remedy", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      const { metrics } = yield* traced(
        Effect.gen(function*() {
          const { session } = yield* TestServer.session(server, { key: "bob", refresh: "lazy" })
          const request = yield* session.authorize()
          yield* session.completeAuthorization(yield* server.approve(request.url, { accountId: "bob" }))
          yield* server.revokeAllGrants
          return yield* Effect.flip(session.refresh)
        }).pipe(Effect.scoped)
      )
      expect(counters(metrics)).toMatchObject({
        "effect_oauth.session.refreshes{outcome=failed}": 1,
        "effect_oauth.session.failures{remedy=reauthorize}": 1
      })
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
})
