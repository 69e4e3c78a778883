import { OAuthClient, TokenSet } from "@effect-oauth/core"
import type { Dpop } from "@effect-oauth/core"
import { Clock, Effect, Fiber, FiberId, Queue, Redacted, Runtime, Scope, Stream } from "effect"
import type { Exit } from "effect"
import { createActor } from "xstate"
import type * as OAuthSession from "../OAuthSession.js"
import type {
  AccessTokenError,
  AuthorizationFailed,
  RefreshFailed,
  RevocationFailed,
  SessionRevoked,
  Unauthorized
} from "../SessionError.js"
import type * as SessionMachine from "../SessionMachine.js"
import * as TokenStore from "../TokenStore.js"
import * as clock from "./clock.js"
import * as machine from "./sessionMachine.js"
import { diff, SessionChange } from "./sessionChange.js"
import * as SessionSpan from "./sessionSpan.js"
import * as View from "./view.js"
import * as Demand from "./sessionDemand.js"

type Snapshot = SessionMachine.Snapshot
type SessionChange = OAuthSession.SessionChange
type Requirements = OAuthClient.OAuthClient | TokenStore.TokenStore
export { diff, SessionChange } from "./sessionChange.js"

/**
 * A session's valid-token path: the pre-built effect of its held tokens when
 * they can be handed out now (the snapshot and the clock read on each call),
 * `undefined` when the caller must go through the wait.
 *
 * @internal
 */
export interface HeldNow {
  readonly heldTokens: () => Effect.Effect<TokenSet.TokenSet> | undefined
  readonly heldAccessToken: () => Effect.Effect<Redacted.Redacted<string>> | undefined
  /** The clock's reading of the last call above (a caller needing the time reads it here, not twice). */
  readonly lastReading: () => number
}

/** The valid-token path of a session made here (the registry reads it without a second `suspend`). @internal */
export const heldNowOf = (session: OAuthSession.OAuthSession): HeldNow | undefined =>
  session instanceof Session ? session : undefined

/**
 * Calls `listener` after each snapshot of a session made here, with the one
 * before it and the session's key (the registry's change feed, one listener
 * for all its sessions, without a second actor subscription);
 * `undefined` removes it. `false` for a session made elsewhere.
 *
 * @internal
 */
export const watch = (
  session: OAuthSession.OAuthSession,
  listener: ((previous: Snapshot, next: Snapshot, key: string) => void) | undefined
): boolean => {
  if (!(session instanceof Session)) return false
  session.listen(listener)
  return true
}

const refreshEvent: SessionMachine.Event = { type: "REFRESH" }
const revokeEvent: SessionMachine.Event = { type: "REVOKE" }

/**
 * One session: its actor and the state of its Effect face. A live session may
 * idle for hours, and a process may hold a hundred thousand: what every session
 * does alike lives once, on the prototype and in the functions below, and each
 * effect of the face is built on its first use. Getters hand out the same value
 * each time, so `const { accessToken, authorize } = session` works as on a
 * plain object. Its state is private: no inspection or serialization of a
 * session shows its client, its runtime or the tokens it last handed out.
 */
export class Session implements OAuthSession.OAuthSession, HeldNow {
  readonly key: string
  readonly actor: SessionMachine.Actor
  readonly dpop: Dpop.Prover | undefined
  readonly #client: OAuthClient.Service
  readonly #clock: Clock.Clock
  readonly #margin: TokenSet.RefreshMargin
  readonly #runtime: Runtime.Runtime<Requirements>
  /** When the session started, for its span (`undefined` when the tracer keeps no time). */
  readonly #startedAt: bigint | undefined
  /** The span's events so far: time, then attributes, for each of the first transitions. */
  #events: Array<bigint | Record<string, string>> | undefined = undefined
  /** The registry's listener (see {@link watch}). */
  #listener: ((previous: Snapshot, next: Snapshot, key: string) => void) | undefined = undefined
  /** The snapshot the span and the subscribers saw last. */
  #previous: Snapshot
  #transitions = 0
  #subscribers: Set<Queue.Queue<SessionChange>> | undefined = undefined
  /** The programs running for the actor, interrupted when the session's scope closes. */
  #fibers: Set<Fiber.RuntimeFiber<unknown, unknown>> | undefined = undefined
  #closed = false

  // The valid-token path's last reading (see `holds`).
  #seen: Snapshot | undefined = undefined
  #until = Number.NEGATIVE_INFINITY
  #lastReading = 0
  #held: TokenSet.TokenSet | undefined = undefined
  #heldTokensEffect: Effect.Effect<TokenSet.TokenSet> | undefined = undefined
  #heldAccessTokenEffect: Effect.Effect<Redacted.Redacted<string>> | undefined = undefined

  // The face, built on first use.
  #accessTokenEffect: Effect.Effect<Redacted.Redacted<string>, AccessTokenError> | undefined = undefined
  #tokensEffect: Effect.Effect<TokenSet.TokenSet, AccessTokenError> | undefined = undefined
  #awaitTokensEffect: Effect.Effect<TokenSet.TokenSet, AccessTokenError> | undefined = undefined
  #awaitAccessTokenEffect: Effect.Effect<Redacted.Redacted<string>, AccessTokenError> | undefined = undefined
  #refreshEffect: Effect.Effect<TokenSet.TokenSet, RefreshFailed | Unauthorized | SessionRevoked> | undefined = undefined
  #revokeEffect: Effect.Effect<void, RevocationFailed> | undefined = undefined
  #awaitAuthorizationEffect: Effect.Effect<TokenSet.TokenSet, AuthorizationFailed> | undefined = undefined
  #stateEffect: Effect.Effect<SessionMachine.State> | undefined = undefined
  #snapshotEffect: Effect.Effect<Snapshot> | undefined = undefined
  #subscribeEffect: Effect.Effect<Queue.Dequeue<SessionChange>, never, Scope.Scope> | undefined = undefined
  #changesStream: Stream.Stream<SessionChange> | undefined = undefined
  #authorizeFunction: OAuthSession.OAuthSession["authorize"] | undefined = undefined
  #completeAuthorizationFunction: OAuthSession.OAuthSession["completeAuthorization"] | undefined = undefined
  #authorizeDeviceFunction: OAuthSession.OAuthSession["authorizeDevice"] | undefined = undefined
  #tokenRejectedFunction: OAuthSession.OAuthSession["tokenRejected"] | undefined = undefined

  constructor(
    options: OAuthSession.Options,
    logic: SessionMachine.Machine,
    client: OAuthClient.Service,
    effectClock: Clock.Clock,
    margin: TokenSet.RefreshMargin,
    runtime: Runtime.Runtime<Requirements>,
    startedAt: bigint | undefined
  ) {
    this.key = options.key
    this.#client = client
    this.dpop = client.dpop
    this.#clock = effectClock
    this.#margin = margin
    this.#runtime = runtime
    this.#startedAt = startedAt
    const timers = options.clock === undefined || options.clock === "system"
      ? clock.system
      : options.clock === "effect"
      ? clock.fromRun((effect) => this.fork(effect))
      : options.clock
    const actor = createActor(logic, {
      clock: timers,
      input: { key: options.key },
      ...(options.inspect === undefined ? {} : { inspect: options.inspect })
    })
    // The session starts the actor's programs (`fork`).
    machine.bindRun(actor, this)
    this.actor = actor
    this.#previous = actor.getSnapshot()
    // The session is the actor's observer (`next`): one subscription, no closure.
    actor.subscribe(this)
    actor.start()
  }

  listen(listener: ((previous: Snapshot, next: Snapshot, key: string) => void) | undefined): void {
    this.#listener = listener
  }

  now(): number {
    return this.#clock.unsafeCurrentTimeMillis()
  }

  /**
   * The actor's observer. The span's events record moves between the six
   * public states (the substate entered, such as refreshing.backingOff, rides
   * along as an attribute); subscribers get the changes; the registry's
   * listener last.
   */
  next(snapshot: Snapshot): void {
    const previous = this.#previous
    const from = View.stateOf(previous)
    const to = View.stateOf(snapshot)
    if (from !== to && ++this.#transitions <= SessionSpan.maxTransitionEvents) {
      (this.#events ??= []).push(this.#clock.unsafeCurrentTimeNanos(), SessionSpan.transition(from, to, snapshot))
    }
    this.#previous = snapshot
    const subscribers = this.#subscribers
    if (subscribers !== undefined && subscribers.size > 0) {
      const changes = diff(previous, snapshot)
      for (const queue of subscribers) for (const change of changes) queue.unsafeOffer(change)
    }
    this.#listener?.(previous, snapshot, this.key)
  }

  /** Starts one of the actor's programs on the session's runtime; interrupted at once once closed. */
  fork<A, E>(effect: Effect.Effect<A, E, Requirements>): Fiber.RuntimeFiber<A, E> {
    const fiber = Runtime.runFork(this.#runtime)(effect)
    if (this.#closed) {
      fiber.unsafeInterruptAsFork(FiberId.none)
      return fiber
    }
    const fibers = this.#fibers ??= new Set()
    fibers.add(fiber)
    fiber.addObserver(() => fibers.delete(fiber))
    return fiber
  }

  /** The scope's end: the actor stops, the span ends, the programs still running are interrupted. */
  close(exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    this.#closed = true
    this.actor.stop()
    SessionSpan.end(this.#runtime, this.#clock, this.#startedAt, this.#transitions, this.#events, exit)
    const fibers = this.#fibers
    return fibers === undefined || fibers.size === 0 ? Effect.void : Fiber.interruptAll([...fibers])
  }

  // The valid-token path allocates nothing: it reads the snapshot and the
  // clock, and hands out an effect built once per token set. `held` depends on
  // the time only through expiry and the refresh window, so while the snapshot
  // is the same and the clock is before both, the last reading stands; past
  // either, `View.held` decides again. The clock is read on every call: no
  // token is handed out once expired.
  holds(): boolean {
    const snapshot = this.actor.getSnapshot()
    const at = this.#lastReading = this.now()
    if (snapshot === this.#seen && at < this.#until) return true
    const current = View.held(snapshot, at, this.#margin)
    if (current !== this.#held) {
      this.#held = current
      this.#heldTokensEffect = undefined
      this.#heldAccessTokenEffect = undefined
    }
    this.#seen = snapshot
    this.#until = current === undefined
      ? Number.NEGATIVE_INFINITY
      : Math.min(current.expiresAt ?? Infinity, TokenSet.refreshAt(current, this.#margin) ?? Infinity)
    return current !== undefined
  }

  lastReading(): number {
    return this.#lastReading
  }

  heldTokens(): Effect.Effect<TokenSet.TokenSet> | undefined {
    return this.holds() ? (this.#heldTokensEffect ??= Effect.succeed(this.#held!)) : undefined
  }

  heldAccessToken(): Effect.Effect<Redacted.Redacted<string>> | undefined {
    return this.holds() ? (this.#heldAccessTokenEffect ??= Effect.succeed(this.#held!.accessToken)) : undefined
  }

  get awaitTokens(): Effect.Effect<TokenSet.TokenSet, AccessTokenError> {
    return this.#awaitTokensEffect ??= Effect.flatMap(
      Demand.wait(this, refreshEvent, (snapshot, demand) => View.tokens(snapshot, this.now(), this.#margin, demand)),
      (tokens) => Demand.handOut(this, tokens)
    )
  }

  get tokens(): Effect.Effect<TokenSet.TokenSet, AccessTokenError> {
    return this.#tokensEffect ??= Effect.suspend(() => this.heldTokens() ?? this.awaitTokens)
  }

  get accessToken(): Effect.Effect<Redacted.Redacted<string>, AccessTokenError> {
    return this.#accessTokenEffect ??= Effect.suspend(() =>
      this.heldAccessToken() ??
        (this.#awaitAccessTokenEffect ??= Effect.map(this.awaitTokens, (tokens) => tokens.accessToken))
    )
  }

  get refresh(): Effect.Effect<TokenSet.TokenSet, RefreshFailed | Unauthorized | SessionRevoked> {
    return this.#refreshEffect ??= Demand.wait(
      this,
      refreshEvent,
      (snapshot, demand) => View.refresh(snapshot, this.now(), demand)
    )
  }

  get revoke(): Effect.Effect<void, RevocationFailed> {
    return this.#revokeEffect ??= Demand.wait(this, revokeEvent, View.revocation)
  }

  get authorize(): OAuthSession.OAuthSession["authorize"] {
    return this.#authorizeFunction ??= (authorizeOptions) => Demand.authorize(this, this.#client, authorizeOptions)
  }

  get completeAuthorization(): OAuthSession.OAuthSession["completeAuthorization"] {
    return this.#completeAuthorizationFunction ??= (callbackUrl) => Demand.completeAuthorization(this, callbackUrl)
  }

  get authorizeDevice(): OAuthSession.OAuthSession["authorizeDevice"] {
    return this.#authorizeDeviceFunction ??= (grantOptions) => Demand.authorizeDevice(this, this.#client, grantOptions)
  }

  get awaitAuthorization(): Effect.Effect<TokenSet.TokenSet, AuthorizationFailed> {
    return this.#awaitAuthorizationEffect ??= Effect.suspend(() => Demand.awaitAuthorization(this))
  }

  get tokenRejected(): OAuthSession.OAuthSession["tokenRejected"] {
    return this.#tokenRejectedFunction ??= (token) =>
      Effect.sync(() =>
        this.actor.send({ type: "TOKEN_REJECTED", ...(token === undefined ? {} : { accessToken: token }) })
      )
  }

  get state(): Effect.Effect<SessionMachine.State> {
    return this.#stateEffect ??= Effect.sync(() => View.stateOf(this.actor.getSnapshot()))
  }

  get snapshot(): Effect.Effect<Snapshot> {
    return this.#snapshotEffect ??= Effect.sync(() => this.actor.getSnapshot())
  }

  get subscribe(): Effect.Effect<Queue.Dequeue<SessionChange>, never, Scope.Scope> {
    return this.#subscribeEffect ??= Effect.acquireRelease(
      Effect.tap(
        Queue.unbounded<SessionChange>(),
        (queue) => Effect.sync(() => (this.#subscribers ??= new Set()).add(queue))
      ),
      (queue) => Effect.zipRight(Effect.sync(() => this.#subscribers?.delete(queue)), Queue.shutdown(queue))
    )
  }

  get changes(): Stream.Stream<SessionChange> {
    return this.#changesStream ??= Stream.unwrapScoped(Effect.map(this.subscribe, (queue) => Stream.fromQueue(queue)))
  }
}
