import { OAuthClient, OAuthError } from "@effect-oauth/core"
import { Duration, Effect, FiberRef, Option, Scope } from "effect"
import type { Exit } from "effect"
import type * as OAuthSession from "../OAuthSession.js"
import type * as SessionMachine from "../SessionMachine.js"
import * as TokenStore from "../TokenStore.js"
import { resolve } from "./config.js"
import { Session } from "./oauthSession.js"
import { sharedMachine } from "./sharedMachines.js"

type Requirements = OAuthClient.OAuthClient | TokenStore.TokenStore

const closeOnExit = (session: Session) => (exit: Exit.Exit<unknown, unknown>) => session.close(exit)

/**
 * `shared`: a machine from `makeShared` for many sessions (the registry's),
 * instead of one built for this session.
 *
 * @internal
 */
export const make = (
  options: OAuthSession.Options,
  shared?: { readonly machine: SessionMachine.Machine } | undefined
): Effect.Effect<
  OAuthSession.OAuthSession,
  TokenStore.TokenStoreError | OAuthError.ConfigurationError,
  Requirements | Scope.Scope
> =>
  Effect.gen(function*() {
    const store = yield* TokenStore.TokenStore
    const client = yield* OAuthClient.OAuthClient
    const { leaseTtlMillis, margin } = resolve(options)
    // The lease must outlive a refresh request: one that lapses mid-request
    // lets another holder spend the same refresh token (reuse → revoked grant).
    if (client.timeout !== undefined && leaseTtlMillis <= Duration.toMillis(client.timeout)) {
      return yield* new OAuthError.ConfigurationError({
        reason: "Unsupported",
        detail: `the session's leaseTtl (${leaseTtlMillis} ms) must exceed the client's request timeout ` +
          `(${Duration.toMillis(client.timeout)} ms): a refresh lease that lapses while its request is in flight ` +
          "lets another holder spend the same refresh token"
      })
    }
    const effectClock = yield* Effect.clock
    const runtime = yield* Effect.runtime<Requirements>()
    const entry = yield* store.get(options.key)

    const built = shared?.machine ?? sharedMachine(options, effectClock)
    const logic = options.machine === undefined ? built : options.machine(built)

    // The session's own span, ended with its scope: each state transition is an
    // event on it (names only, no token). A session may live for months and a span
    // keeps its events in memory until it ends, so only the first ones are events;
    // the attribute counts them all. No stack trace is captured for it: the
    // session's span lives as long as the session, and so would the trace.
    const timingEnabled = yield* FiberRef.get(FiberRef.currentTracerTimingEnabled)
    const startedAt = timingEnabled ? effectClock.unsafeCurrentTimeNanos() : undefined
    const scope = yield* Effect.scope
    // One finalizer for the whole session, added to the scope as it is (through
    // `acquireRelease` it would keep the fiber's references of the acquisition).
    const session = yield* Effect.uninterruptible(Effect.suspend(() => {
      const session = new Session(options, logic, client, effectClock, margin, runtime, startedAt)
      return Effect.as(Scope.addFinalizerExit(scope, closeOnExit(session)), session)
    }))
    if (Option.isSome(entry)) {
      session.actor.send({ type: "LOADED", tokens: entry.value.tokens, version: entry.value.version })
    }
    return session
  })
