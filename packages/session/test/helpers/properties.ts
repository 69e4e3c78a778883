/**
 * What the property files share: the fast-check options, the command sequences
 * of `world.ts` as a sample, and `check`, which runs a property outside the
 * test runner so that a test can assert that it fails (a broken variant).
 */
import type { OAuthSession } from "@effect-oauth/session"
import { expect } from "@effect/vitest"
import { Effect, FastCheck, TestContext } from "effect"
import type { Scope } from "effect"
import * as World from "./world.js"

/** Bounded runs (each sample costs a few `TestClock.adjust`s) and a longer timeout. */
export const runs = (numRuns: number) => ({ fastCheck: { numRuns }, timeout: 60_000 })

export interface Sample {
  readonly setup: World.Setup
  readonly commands: ReadonlyArray<World.Command>
}

export const sequences = (
  setup: FastCheck.Arbitrary<World.Setup> = World.setup,
  weights: Partial<World.Weights> = {}
) => ({ setup, commands: World.commands(weights) })

/** Runs a sample in a fresh world; fails with the violations the checks found. */
export const sample = (
  checks: ReadonlyArray<World.Check>,
  machine?: (world: World.World, holder: World.Holder) => OAuthSession.Options["machine"]
) =>
({ commands, setup }: Sample) =>
  Effect.gen(function*() {
    const world = yield* World.makeWorld(setup, checks, machine)
    const violations = yield* World.run(world, commands)
    expect(violations, violations.join("; ")).toEqual([])
  })

/** Two holders on a store whose lease never excludes (it lapsed), so both reach the server; no reuse detection. */
export const racing: FastCheck.Arbitrary<World.Setup> = FastCheck.record({
  holders: FastCheck.constant(2),
  refresh: FastCheck.constantFrom("lazy" as const, "eager" as const),
  lifetime: FastCheck.constantFrom(60_000, 3_600_000),
  rotate: FastCheck.constant(true),
  lease: FastCheck.constant("lapsed" as const),
  reuseDetection: FastCheck.constant(false)
})

/** Runs `body` as a property, fresh test services per sample, stopping at the first failure (no shrinking). */
export const check = <A>(
  arbitrary: FastCheck.Arbitrary<A>,
  body: (a: A) => Effect.Effect<void, unknown, Scope.Scope>,
  numRuns: number
): Effect.Effect<FastCheck.RunDetails<[A]>> =>
  Effect.promise(() =>
    FastCheck.check(
      FastCheck.asyncProperty(arbitrary, (a) =>
        Effect.runPromise(body(a).pipe(Effect.scoped, Effect.provide(TestContext.TestContext)))),
      { numRuns, endOnFailure: true }
    )
  )

/** The message of a failed run. */
export const failure = <A>(details: FastCheck.RunDetails<A>): string =>
  details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)
