/**
 * `scheduler()` interleavings (DESIGN §7): many concurrent `accessToken`
 * callers on sessions sharing one `TokenStore`, every asynchronous step
 * released by fast-check's scheduler in a random order (`test/helpers/cluster.ts`).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck, TestContext } from "effect"
import { checkThenRefresh, report, scenario, sessions, singleRefresh, storm } from "../helpers/cluster.js"

describe("OAuthSession / interleavings", () => {
  it.scoped.prop(
    "invariant 2: concurrent callers on sessions sharing a store cause one token request at expiry, in any order of responses and store writes",
    { scheduler: FastCheck.scheduler(), input: scenario },
    ({ input, scheduler }) => singleRefresh(sessions)(scheduler, input),
    { fastCheck: { numRuns: 30 }, timeout: 60_000 }
  )

  it.scoped.prop(
    "invariant 6: with a lapsed lease, a holder refused after another stored its rotation adopts it instead of revoking",
    { scheduler: FastCheck.scheduler(), input: scenario.map((s) => ({ ...s, holders: 2 })) },
    ({ input, scheduler }) =>
      Effect.gen(function*() {
        const { cluster, outcomes } = yield* storm(scheduler, input, sessions(2), { lease: "lapsed", reuseDetection: false })
        const violations = [...cluster.violations]
        for (const [i, outcome] of outcomes.entries()) {
          if (outcome === undefined) violations.push(`caller ${i} never finished`)
          else if (Either.isLeft(outcome) && (outcome.left as { readonly _tag?: string })._tag === "SessionRevoked") {
            const holder = input.callers[i]! % 2
            if (cluster.mustAdopt[holder]) violations.push(`holder ${holder} revoked although the store held another's rotation`)
          }
        }
        expect(violations, report(scheduler, violations)).toEqual([])
      }),
    { fastCheck: { numRuns: 30 }, timeout: 60_000 }
  )

  it.effect("invariant 2 fails for a check-then-refresh client without single-flight", () =>
    Effect.gen(function*() {
      const details = yield* Effect.promise(() =>
        FastCheck.check(
          FastCheck.asyncProperty(FastCheck.scheduler(), scenario, (scheduler, input) =>
            Effect.runPromise(
              singleRefresh(() => checkThenRefresh)(scheduler, input).pipe(Effect.scoped, Effect.provide(TestContext.TestContext))
            )),
          { numRuns: 60, endOnFailure: true }
        )
      )
      expect(details.failed).toBe(true)
      const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)
      expect(message).toContain("token requests for one expiry")
    }), 60_000)
})
