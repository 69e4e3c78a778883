/**
 * Refresh storm: `callers` concurrent `accessToken` calls the moment the access
 * token has expired, `rounds` times, against the embedded authorization server
 * with refresh-token rotation on. The token requests are counted by the server
 * itself (`TestServer.tokenRequests`), not by the client.
 *
 * Expiry comes from the session's clock, not from waiting: the session runs on
 * an Effect `Clock` that the suite moves to the token's `expiresAt`, so a storm
 * starts exactly at expiry and a slow machine cannot let the next token lapse
 * mid-storm (the server issues hour-long tokens).
 */
import { FetchHttpClient } from "@effect/platform"
import { OAuthClient, Provider } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { MovableClock, TestServer } from "@effect-oauth/testing"
import { Effect, Logger, LogLevel, Redacted } from "effect"
import type { Row, Suite } from "./suite.js"

export interface RefreshStormOptions {
  readonly callers?: number | undefined
  readonly rounds?: number | undefined
}


/** What one storm observed. */
export interface StormRound {
  readonly refreshRequests: number
  readonly invalidGrant: number
  readonly distinctTokens: number
  readonly renewed: boolean
  readonly millis: number
}

export const runStorm = (options: RefreshStormOptions = {}) =>
  Effect.gen(function*() {
    const callers = options.callers ?? 10_000
    const rounds = options.rounds ?? 3
    const server = yield* TestServer.make({ rotateRefreshToken: true })
    const provider = yield* Provider.discover(server.issuer)
    const client = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
    const time = MovableClock.make()
    const session = yield* OAuthSession.make({ key: "storm", refresh: "lazy" }).pipe(
      Effect.provideService(OAuthClient.OAuthClient, client),
      Effect.provideService(TokenStore.TokenStore, yield* TokenStore.makeMemory),
      Effect.withClock(time.clock),
      // The clock runs hours ahead of the server's: each refreshed ID token would
      // print its "exp is in the past" warning.
      Logger.withMinimumLogLevel(LogLevel.Error)
    )
    const request = yield* session.authorize()
    yield* session.completeAuthorization(yield* server.approve(request.url, { accountId: "storm" }))

    const results: Array<StormRound> = []
    for (let round = 0; round < rounds; round++) {
      const held = yield* session.tokens
      const previous = Redacted.value(held.accessToken)
      time.moveTo(held.expiresAt ?? time.now())
      const before = yield* server.tokenRequests
      const start = performance.now()
      const tokens = yield* Effect.all(Array.from({ length: callers }, () => session.accessToken), {
        concurrency: "unbounded"
      })
      const millis = performance.now() - start
      const after = yield* server.tokenRequests
      const values = new Set(tokens.map(Redacted.value))
      results.push({
        refreshRequests: (after.byGrantType["refresh_token"] ?? 0) - (before.byGrantType["refresh_token"] ?? 0),
        invalidGrant: after.invalidGrant - before.invalidGrant,
        distinctTokens: values.size,
        renewed: !values.has(previous),
        millis
      })
    }
    return { callers, rounds: results }
  }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))

export const refreshStorm = (options: RefreshStormOptions = {}): Suite => ({
  name: "refresh-storm",
  description: "concurrent accessToken calls at expiry, token requests counted at oidc-provider",
  run: () =>
    Effect.runPromise(
      Effect.map(runStorm(options), ({ callers, rounds }): ReadonlyArray<Row> => {
        const requests = rounds.map((round) => round.refreshRequests)
        const same = rounds.every((round) => round.distinctTokens === 1 && round.renewed)
        const invalid = rounds.reduce((sum, round) => sum + round.invalidGrant, 0)
        const slowest = Math.max(...rounds.map((round) => round.millis))
        const label = `${callers.toLocaleString("en-US")} callers × ${rounds.length} expiries`
        return [
          {
            suite: "refresh-storm",
            case: label,
            metric: "token requests per expiry",
            value: requests.join(", "),
            note: `${invalid} invalid_grant (rotation on)`
          },
          {
            suite: "refresh-storm",
            case: label,
            metric: "all callers got the same new token",
            value: same ? "yes" : "no"
          },
          {
            suite: "refresh-storm",
            case: label,
            metric: "slowest storm (ms)",
            value: slowest.toFixed(0),
            note: "every caller served, including the refresh round trip"
          }
        ]
      })
    )
})
