/**
 * What a session's callers wait on: the one wait of every demand and the
 * starts of an authorization, written once for every session and given the
 * session they work on.
 *
 * @internal
 */
import type { OAuthClient, TokenSet } from "@effect-oauth/core"
import { Effect, Redacted } from "effect"
import type { Subscription } from "xstate"
import { AuthorizationFailed } from "../SessionError.js"
import type { SessionRevoked } from "../SessionError.js"
import type * as SessionMachine from "../SessionMachine.js"
import * as View from "./view.js"

type Snapshot = SessionMachine.Snapshot

/** What the waits read of a session: its actor. @internal */
export interface Holder {
  readonly actor: SessionMachine.Actor
}

/**
 * The one wait of every demand: `decide` (a reading of `view.ts`) sees the
 * current snapshot, then each new one (XState notifies observers after every
 * event, handled or not), and says whether to wait, to send `event`, or what
 * the demand ended with. A stopped actor (the session's scope closed)
 * interrupts the caller.
 *
 * @internal
 */
export const wait = <A, E>(
  session: Holder,
  event: SessionMachine.Event | undefined,
  decide: (snapshot: Snapshot, demand: View.Demand) => View.Verdict<A, E>
): Effect.Effect<A, E> =>
  Effect.async<A, E>((resume) => {
    const actor = session.actor
    const demand = View.demand()
    let settled = false
    let subscription: Subscription | undefined
    const settle = (result: Effect.Effect<A, E>) => {
      if (settled) return
      settled = true
      subscription?.unsubscribe()
      resume(result)
    }
    const step = (snapshot: Snapshot): void => {
      if (settled) return
      View.observe(demand, snapshot)
      const verdict = decide(snapshot, demand)
      if (verdict._tag === "Wait") return
      if (verdict._tag === "Done") return settle(verdict.result)
      demand.sent++
      if (event !== undefined) actor.send(event)
    }
    if (actor.getSnapshot().status !== "active") {
      settle(Effect.interrupt)
      return
    }
    subscription = actor.subscribe({ next: step, complete: () => settle(Effect.interrupt) })
    step(actor.getSnapshot())
    if (settled) subscription.unsubscribe()
    return Effect.sync(() => subscription?.unsubscribe())
  })

/**
 * The caller resumes after the snapshot that settled it: a revocation in
 * between (another holder removed the grant while this one refreshed ahead of
 * expiry) wins, so nothing is handed out once the session is revoked.
 *
 * @internal
 */
export const handOut = (session: Holder, tokens: TokenSet.TokenSet): Effect.Effect<TokenSet.TokenSet, SessionRevoked> =>
  Effect.suspend(() => {
    const snapshot = session.actor.getSnapshot()
    return View.stateOf(snapshot) === "revoked"
      ? Effect.fail(View.revokedError(snapshot.context))
      : Effect.succeed(tokens)
  })

/**
 * Starts an authorization where one may start: builds it (a failure that is
 * not configuration is `otherwise`), hands it to the machine, and checks the
 * machine took it (a state change in between refuses it).
 */
const startAuthorization = <A, E extends AuthorizationFailed["cause"]>(
  session: Holder,
  build: Effect.Effect<A, E>,
  otherwise: "Request" | "Exchange",
  send: (value: Redacted.Redacted<A>) => void,
  taken: (context: SessionMachine.Snapshot["context"], value: Redacted.Redacted<A>) => boolean
) =>
  Effect.gen(function*() {
    const state = View.stateOf(session.actor.getSnapshot())
    const invalid = (state: string) => new AuthorizationFailed({ reason: "InvalidState", state })
    if (state !== "unauthorized" && state !== "authorizing" && state !== "revoked") return yield* invalid(state)
    const value = yield* build.pipe(
      Effect.mapError((cause) =>
        new AuthorizationFailed({ reason: cause?._tag === "ConfigurationError" ? "Configuration" : otherwise, cause })
      )
    )
    const redacted = Redacted.make(value)
    send(redacted)
    const after = session.actor.getSnapshot()
    if (!taken(after.context, redacted)) return yield* invalid(View.stateOf(after))
    return value
  })

/** @internal */
export const authorize = (
  session: Holder,
  client: OAuthClient.Service,
  authorizeOptions?: OAuthClient.AuthorizationUrlOptions | undefined
) =>
  startAuthorization(
    session,
    client.authorizationUrl(authorizeOptions),
    "Request",
    (request) => session.actor.send({ type: "AUTHORIZE", request }),
    (context, request) => context.request === request
  )

/** @internal */
export const completeAuthorization = (session: Holder, callbackUrl: string | URL) =>
  Effect.suspend(() => {
    const current = session.actor.getSnapshot()
    if (View.stateOf(current) !== "authorizing" || current.context.request === undefined) {
      return Effect.fail(new AuthorizationFailed({ reason: "InvalidState", state: View.stateOf(current) }))
    }
    const url = Redacted.make(String(callbackUrl))
    return wait(session, { type: "CALLBACK", url }, (snapshot, demand) =>
      demand.sent === 0
        ? { _tag: "Send" }
        : View.authorization(snapshot, snapshot.context.callback === url))
  })

/** @internal */
export const authorizeDevice = (
  session: Holder,
  client: OAuthClient.Service,
  grantOptions?: OAuthClient.GrantOptions | undefined
) =>
  startAuthorization(
    session,
    client.deviceAuthorization(grantOptions),
    "Exchange",
    (authorization) => session.actor.send({ type: "AUTHORIZE_DEVICE", authorization }),
    (context, authorization) => context.device === authorization
  )

/**
 * Settles when the authorization pending at the start ends: the tokens once
 * stored, its failure, or `Superseded` when another one replaced it.
 *
 * @internal
 */
export const awaitAuthorization = (session: Holder): Effect.Effect<TokenSet.TokenSet, AuthorizationFailed> => {
  const current = session.actor.getSnapshot()
  const { device, request } = current.context
  if (View.stateOf(current) !== "authorizing" || (device === undefined && request === undefined)) {
    return Effect.fail(new AuthorizationFailed({ reason: "InvalidState", state: View.stateOf(current) }))
  }
  return wait(session, undefined, (snapshot) =>
    View.authorization(snapshot, snapshot.context.device === device && snapshot.context.request === request))
}
