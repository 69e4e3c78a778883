import { OAuthClient, OAuthError, TokenSet } from "@effect-oauth/core"
import { Clock, Duration, Effect, FiberSet, Option, Queue, Redacted, Stream } from "effect"
import { createActor } from "xstate"
import type { Subscription } from "xstate"
import type * as OAuthSession from "../OAuthSession.js"
import { AuthorizationFailed } from "../SessionError.js"
import type { AccessTokenError, SessionRevoked } from "../SessionError.js"
import type * as SessionMachine from "../SessionMachine.js"
import * as TokenStore from "../TokenStore.js"
import * as clock from "./clock.js"
import { resolve } from "./config.js"
import * as machine from "./sessionMachine.js"
import { diff, SessionChange } from "./sessionChange.js"
import * as View from "./view.js"

type Snapshot = SessionMachine.Snapshot
type SessionChange = OAuthSession.SessionChange
export { diff, SessionChange } from "./sessionChange.js"

/**
 * A session's valid-token path: the pre-built effect of its held tokens when
 * they can be handed out now (the snapshot and the clock read on each call),
 * `undefined` when the caller must go through the wait.
 *
 * @internal
 */
export interface HeldNow {
  readonly tokens: () => Effect.Effect<TokenSet.TokenSet> | undefined
  readonly accessToken: () => Effect.Effect<Redacted.Redacted<string>> | undefined
  /** The clock's reading of the last call above (a caller needing the time reads it here, not twice). */
  readonly lastReading: () => number
}

const heldNows = new WeakMap<OAuthSession.OAuthSession, HeldNow>()

/** The valid-token path of a session made here (the registry reads it without a second `suspend`). @internal */
export const heldNowOf = (session: OAuthSession.OAuthSession): HeldNow | undefined => heldNows.get(session)

/** The transitions recorded as events of a session's span (OpenTelemetry's default event limit). */
const maxTransitionEvents = 128

// One machine definition per clock and machine options, shared by every session
// made with them (building one costs far more than starting an actor, and each
// definition held per session is most of its heap).
const machines = new WeakMap<Clock.Clock, Map<string, SessionMachine.Machine>>()

// The machine options as a cache key: everything but the session key and the
// options of the session itself (inspector, timers, machine hook).
const machineKey = (options: OAuthSession.Options): string => {
  const { clock: _clock, inspect: _inspect, key: _key, machine: _machine, ...rest } = options
  return JSON.stringify(rest, (_, value) => typeof value === "bigint" ? `${value}n` : value)
}

const sharedMachine = (options: OAuthSession.Options, clock: Clock.Clock): SessionMachine.Machine => {
  let byOptions = machines.get(clock)
  if (byOptions === undefined) {
    byOptions = new Map()
    machines.set(clock, byOptions)
  }
  const key = machineKey(options)
  let found = byOptions.get(key)
  if (found === undefined) {
    found = machine.makeShared({ ...options, key: "" }, () => clock.unsafeCurrentTimeMillis())
    byOptions.set(key, found)
  }
  return found
}

/**
 * `shared`: a machine from `makeShared` for many sessions (the registry's),
 * instead of one built for this session.
 *
 * @internal
 */
export const make = (
  options: OAuthSession.Options,
  shared?: { readonly machine: SessionMachine.Machine } | undefined
) =>
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
    const run = yield* FiberSet.makeRuntime<OAuthClient.OAuthClient | TokenStore.TokenStore>()
    const entry = yield* store.get(options.key)

    const now = () => effectClock.unsafeCurrentTimeMillis()
    const built = shared?.machine ?? sharedMachine(options, effectClock)
    const logic = options.machine === undefined ? built : options.machine(built)
    const timers = options.clock === undefined || options.clock === "system"
      ? clock.system
      : options.clock === "effect"
      ? clock.fromRun(run)
      : options.clock

    const subscribers = new Set<Queue.Queue<SessionChange>>()
    // The session's own span, ended with its scope: each state transition is an
    // event on it (names only, no token). A session may live for months and a span
    // keeps its events in memory until it ends, so only the first ones are events;
    // the attribute counts them all. No stack trace is captured for it: the
    // session's span lives as long as the session, and so would the trace.
    const span = yield* Effect.makeSpanScoped("OAuthSession", { kind: "internal", captureStackTrace: false })
    let transitions = 0
    const actor = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const actor = createActor(logic, {
          clock: timers,
          input: { key: options.key },
          ...(options.inspect === undefined ? {} : { inspect: options.inspect })
        })
        machine.bindRun(actor, run)
        let previous = actor.getSnapshot()
        actor.subscribe((snapshot) => {
          const changes = diff(previous, snapshot)
          // The span records moves between the six public states; the substate
          // entered (refreshing.backingOff) rides along as an attribute.
          const from = View.stateOf(previous)
          const to = View.stateOf(snapshot)
          if (from !== to) {
            transitions++
            span.attribute("oauth.session.transitions", transitions)
            if (transitions <= maxTransitionEvents) {
              span.event("OAuthSession.transition", effectClock.unsafeCurrentTimeNanos(), {
                "oauth.session.from": from,
                "oauth.session.to": to,
                "oauth.session.substate": View.pathOf(snapshot),
                ...(snapshot.context.error === undefined ? {} : { "oauth.session.error": snapshot.context.error._tag })
              })
            }
          }
          previous = snapshot
          for (const queue of subscribers) for (const change of changes) queue.unsafeOffer(change)
        })
        return actor.start()
      }),
      (actor) => Effect.sync(() => actor.stop())
    )
    if (Option.isSome(entry)) actor.send({ type: "LOADED", tokens: entry.value.tokens, version: entry.value.version })

    /**
     * The one wait of every demand: `decide` (a reading of `view.ts`) sees the
     * current snapshot, then each new one (XState notifies observers after every
     * event, handled or not), and says whether to wait, to send `event`, or
     * what the demand ended with. A stopped actor (the session's scope closed)
     * interrupts the caller.
     */
    const wait = <A, E>(
      event: SessionMachine.Event | undefined,
      decide: (snapshot: Snapshot, demand: View.Demand) => View.Verdict<A, E>
    ): Effect.Effect<A, E> =>
      Effect.async<A, E>((resume) => {
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

    // The caller resumes after the snapshot that settled it: a revocation in
    // between (another holder removed the grant while this one refreshed ahead
    // of expiry) wins, so nothing is handed out once the session is revoked.
    const handOut = (tokens: TokenSet.TokenSet): Effect.Effect<TokenSet.TokenSet, SessionRevoked> =>
      Effect.suspend(() => {
        const snapshot = actor.getSnapshot()
        return View.stateOf(snapshot) === "revoked" ? Effect.fail(View.revokedError(snapshot.context)) : Effect.succeed(tokens)
      })

    const refreshEvent: SessionMachine.Event = { type: "REFRESH" }
    const awaitTokens = Effect.flatMap(
      wait(refreshEvent, (snapshot, demand) => View.tokens(snapshot, now(), margin, demand)),
      handOut
    )

    // The valid-token path allocates nothing: it reads the snapshot and the
    // clock, and hands out an effect built once per token set. `held` depends on
    // the time only through expiry and the refresh window, so while the snapshot
    // is the same and the clock is before both, the last reading stands; past
    // either, `View.held` decides again. The clock is read on every call: no
    // token is handed out once expired.
    let seen: Snapshot | undefined
    let until = Number.NEGATIVE_INFINITY
    let held: TokenSet.TokenSet | undefined
    let heldTokens: Effect.Effect<TokenSet.TokenSet> | undefined
    let heldAccessToken: Effect.Effect<Redacted.Redacted<string>> | undefined
    let lastReading = 0
    const holds = (): boolean => {
      const snapshot = actor.getSnapshot()
      const at = lastReading = now()
      if (snapshot === seen && at < until) return true
      const current = View.held(snapshot, at, margin)
      if (current !== held) {
        held = current
        heldTokens = undefined
        heldAccessToken = undefined
      }
      seen = snapshot
      until = current === undefined
        ? Number.NEGATIVE_INFINITY
        : Math.min(current.expiresAt ?? Infinity, TokenSet.refreshAt(current, margin) ?? Infinity)
      return current !== undefined
    }

    const heldNow: HeldNow = {
      tokens: () => holds() ? (heldTokens ??= Effect.succeed(held!)) : undefined,
      accessToken: () => holds() ? (heldAccessToken ??= Effect.succeed(held!.accessToken)) : undefined,
      lastReading: () => lastReading
    }

    const tokens: Effect.Effect<TokenSet.TokenSet, AccessTokenError> = Effect.suspend(() =>
      heldNow.tokens() ?? awaitTokens
    )

    const awaitAccessToken = Effect.map(awaitTokens, (tokens) => tokens.accessToken)
    const accessToken: Effect.Effect<Redacted.Redacted<string>, AccessTokenError> = Effect.suspend(() =>
      heldNow.accessToken() ?? awaitAccessToken
    )

    const refresh = wait(refreshEvent, (snapshot, demand) => View.refresh(snapshot, now(), demand))

    /**
     * Starts an authorization where one may start: builds it (a failure that is
     * not configuration is `otherwise`), hands it to the machine, and checks the
     * machine took it (a state change in between refuses it).
     */
    const startAuthorization = <A, E extends AuthorizationFailed["cause"]>(
      build: Effect.Effect<A, E>,
      otherwise: "Request" | "Exchange",
      send: (value: Redacted.Redacted<A>) => void,
      taken: (context: SessionMachine.Snapshot["context"], value: Redacted.Redacted<A>) => boolean
    ) =>
      Effect.gen(function*() {
        const state = View.stateOf(actor.getSnapshot())
        const invalid = (state: string) => new AuthorizationFailed({ reason: "InvalidState", state })
        if (state !== "unauthorized" && state !== "authorizing" && state !== "revoked") return yield* invalid(state)
        const value = yield* build.pipe(
          Effect.mapError((cause) =>
            new AuthorizationFailed({ reason: cause?._tag === "ConfigurationError" ? "Configuration" : otherwise, cause })
          )
        )
        const redacted = Redacted.make(value)
        send(redacted)
        const after = actor.getSnapshot()
        if (!taken(after.context, redacted)) return yield* invalid(View.stateOf(after))
        return value
      })

    const authorize = (authorizeOptions?: OAuthClient.AuthorizationUrlOptions | undefined) =>
      startAuthorization(
        client.authorizationUrl(authorizeOptions),
        "Request",
        (request) => actor.send({ type: "AUTHORIZE", request }),
        (context, request) => context.request === request
      )

    const completeAuthorization = (callbackUrl: string | URL) =>
      Effect.suspend(() => {
        const current = actor.getSnapshot()
        if (View.stateOf(current) !== "authorizing" || current.context.request === undefined) {
          return Effect.fail(new AuthorizationFailed({ reason: "InvalidState", state: View.stateOf(current) }))
        }
        const url = Redacted.make(String(callbackUrl))
        return wait({ type: "CALLBACK", url }, (snapshot, demand) =>
          demand.sent === 0
            ? { _tag: "Send" }
            : View.authorization(snapshot, snapshot.context.callback === url))
      })

    const authorizeDevice = (grantOptions?: OAuthClient.GrantOptions | undefined) =>
      startAuthorization(
        client.deviceAuthorization(grantOptions),
        "Exchange",
        (authorization) => actor.send({ type: "AUTHORIZE_DEVICE", authorization }),
        (context, authorization) => context.device === authorization
      )

    // Settles when the authorization pending at the start ends: the tokens once
    // stored, its failure, or `Superseded` when another one replaced it.
    const awaitAuthorization: Effect.Effect<TokenSet.TokenSet, AuthorizationFailed> = Effect.suspend(() => {
      const current = actor.getSnapshot()
      const { device, request } = current.context
      if (View.stateOf(current) !== "authorizing" || (device === undefined && request === undefined)) {
        return Effect.fail(new AuthorizationFailed({ reason: "InvalidState", state: View.stateOf(current) }))
      }
      return wait(undefined, (snapshot) =>
        View.authorization(snapshot, snapshot.context.device === device && snapshot.context.request === request))
    })

    const revoke = wait({ type: "REVOKE" }, View.revocation)

    const subscribe = Effect.acquireRelease(
      Effect.tap(Queue.unbounded<SessionChange>(), (queue) => Effect.sync(() => subscribers.add(queue))),
      (queue) => Effect.zipRight(Effect.sync(() => subscribers.delete(queue)), Queue.shutdown(queue))
    )

    const session = {
      key: options.key,
      accessToken,
      tokens,
      authorize,
      completeAuthorization,
      authorizeDevice,
      awaitAuthorization,
      refresh,
      revoke,
      tokenRejected: (token) =>
        Effect.sync(() => actor.send({ type: "TOKEN_REJECTED", ...(token === undefined ? {} : { accessToken: token }) })),
      state: Effect.sync(() => View.stateOf(actor.getSnapshot())),
      snapshot: Effect.sync(() => actor.getSnapshot()),
      changes: Stream.unwrapScoped(Effect.map(subscribe, (queue) => Stream.fromQueue(queue))),
      subscribe,
      actor,
      dpop: client.dpop
    } satisfies OAuthSession.OAuthSession
    heldNows.set(session, heldNow)
    return session
  })
