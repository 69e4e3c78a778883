/**
 * Model-based properties of what a session hands out and keeps (DESIGN §4,
 * invariants 1, 3, 4): random command sequences (ask for a token, time passes,
 * the server rotates or revokes, transient failures and 429s, store outages,
 * a resource rejects the token, the app revokes, re-authorizes, a process
 * restarts from the store) over real `OAuthSession`s sharing one `TokenStore`,
 * against the fake authorization server, with time from `TestClock`, checked
 * after every command (`test/helpers/world.ts`).
 */
import { TokenSet } from "@effect-oauth/core"
import { SessionError } from "@effect-oauth/session"
import type { SessionMachine, TokenStore } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck, FiberId, Runtime } from "effect"
import { fromCallback } from "xstate"
import type { EventObject } from "xstate"
import { check, failure, racing, runs, sample, sequences } from "../helpers/properties.js"
import * as World from "../helpers/world.js"

describe("OAuthSession / properties / tokens", () => {
  it.effect.prop(
    "the sessions agree with a simple model of the grant after every command",
    sequences(),
    sample([World.model]),
    runs(20)
  )

  it.effect.prop(
    "invariant 1: accessToken never returns a token that is expired at the moment it returns",
    sequences(),
    sample([World.notExpired]),
    runs(15)
  )

  it.effect.prop(
    "invariant 3: the newest refresh token the server issued is never lost; a response without one keeps the previous one",
    sequences(World.setup, { StoreOutage: 3, ServerRotation: 2, Restart: 2 }),
    sample([World.newestRefreshTokenKept]),
    runs(15)
  )

  it.effect.prop(
    "invariant 4: a token is handed out only after it has been written to the TokenStore",
    sequences(World.setup, { StoreOutage: 4 }),
    sample([World.storedFirst]),
    runs(15)
  )
})

/** What the machine gives its `refreshTokens` actor. */
interface RefreshInput {
  readonly key: string
  readonly tokens: TokenSet.TokenSet
  readonly version: number | undefined
  readonly unsaved: TokenSet.TokenSet | undefined
  readonly attempt: number
  readonly responseLost: boolean
  readonly lease: TokenStore.Lease | undefined
}

/**
 * A naive refresh actor, for broken variants: refresh, write by
 * compare-and-set, hand over. With `dropRefreshToken` it loses the refresh
 * token on the way (a merge that forgot it); with `revokeOnInvalidGrant` it
 * clears the store and reports the grant dead on any invalid_grant, without
 * looking for another holder's rotation.
 */
const naiveRefresh = (
  runtime: Runtime.Runtime<never>,
  bugs: { readonly dropRefreshToken?: boolean; readonly revokeOnInvalidGrant?: boolean }
) =>
(world: World.World, holder: World.Holder) =>
(machine: SessionMachine.Machine) =>
  machine.provide({
    actors: {
      refreshTokens: fromCallback<EventObject, RefreshInput>(({ input, sendBack }) => {
        const program = Effect.gen(function*() {
          const refreshed = yield* holder.client.refresh(input.tokens)
          const { refreshToken: _, refreshTokenExpiresAt: __, ...rest } = refreshed
          const tokens = bugs.dropRefreshToken === true ? new TokenSet.TokenSet(rest) : refreshed
          const version = yield* world.store.compareAndSet(World.key, input.version, tokens)
          sendBack({ type: "STORED", tokens, version, source: "refresh" })
        }).pipe(
          Effect.catchAll((cause) =>
            Effect.gen(function*() {
              if (bugs.revokeOnInvalidGrant === true && cause._tag === "OAuthError" && cause.error === "invalid_grant") {
                yield* Effect.ignore(world.store.delete(World.key))
                return sendBack({ type: "FAILED", error: new SessionError.SessionRevoked({ reason: "GrantRejected", cause }) })
              }
              sendBack({ type: "FAILED", error: new SessionError.RefreshFailed({ cause, attempts: 1 }) })
            })
          )
        )
        const fiber = Runtime.runFork(runtime)(program)
        return () => fiber.unsafeInterruptAsFork(FiberId.none)
      })
    }
  })

describe("OAuthSession / properties / broken variants", () => {
  it.effect("invariant 3 fails for a refresh actor that drops the refresh token", () =>
    Effect.gen(function*() {
      const details = yield* check(
        FastCheck.record(sequences()),
        (input) =>
          Effect.flatMap(Effect.runtime<never>(), (runtime) =>
            sample([World.newestRefreshTokenKept], naiveRefresh(runtime, { dropRefreshToken: true }))(input)),
        100
      )
      expect(details.failed).toBe(true)
      expect(failure(details)).toContain("is held by no store entry or holder")
    }), 60_000)

  it.effect("invariant 6 fails for a refresh actor that revokes on invalid_grant without the rotation-race check", () =>
    Effect.gen(function*() {
      const details = yield* check(
        FastCheck.record(sequences(racing)),
        (input) =>
          Effect.flatMap(Effect.runtime<never>(), (runtime) =>
            sample([World.rotationRaceAdopts], naiveRefresh(runtime, { revokeOnInvalidGrant: true }))(input)),
        100
      )
      expect(details.failed).toBe(true)
      expect(failure(details)).toContain("although another holder had already stored a rotation")
    }), 60_000)
})
