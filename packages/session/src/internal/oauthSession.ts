import { OAuthClient, OAuthError, TokenSet } from "@effect-oauth/core"
import { Data, Effect, FiberSet, Option, Queue, Redacted, Stream } from "effect"
import { createActor } from "xstate"
import type { Subscription } from "xstate"
import type * as OAuthSession from "../OAuthSession.js"
import { AuthorizationFailed, RefreshFailed, SessionRevoked, Unauthorized } from "../SessionError.js"
import type { AccessTokenError, RevocationFailed } from "../SessionError.js"
import type * as SessionMachine from "../SessionMachine.js"
import * as TokenStore from "../TokenStore.js"
import * as clock from "./clock.js"
import { resolve } from "./config.js"
import * as machine from "./sessionMachine.js"

type Snapshot = SessionMachine.Snapshot
type SessionChange = OAuthSession.SessionChange

/** @internal */
export const SessionChange = Data.taggedEnum<SessionChange>()

/** @internal */
export const diff = (previous: Snapshot, next: Snapshot): ReadonlyArray<SessionChange> => {
  const changes: Array<SessionChange> = []
  const before = previous.context
  const after = next.context
  if (after.tokens !== undefined && after.tokens !== before.tokens && after.version !== undefined) {
    changes.push(SessionChange.TokensUpdated({ tokens: after.tokens, version: after.version }))
  }
  const lapsesAt = after.tokens?.refreshTokenExpiresAt
  if (after.refreshTokenExpiring && !before.refreshTokenExpiring && lapsesAt !== undefined) {
    changes.push(SessionChange.RefreshTokenExpiring({ expiresAt: lapsesAt }))
  }
  if (after.devicePoll !== undefined && after.devicePoll !== before.devicePoll) {
    changes.push(SessionChange.DevicePolled({ poll: after.devicePoll }))
  }
  if (previous.value !== next.value) {
    changes.push(SessionChange.StateChanged({ from: previous.value, to: next.value, error: after.error }))
    if (next.value === "revoked") {
      changes.push(SessionChange.Revoked({ reason: after.error?._tag === "SessionRevoked" ? after.error.reason : "Revoked" }))
    }
  }
  return changes
}

/** The transitions recorded as events of a session's span (OpenTelemetry's default event limit). */
const maxTransitionEvents = 128

type Settle<A, E> = (result: Effect.Effect<A, E>) => void
type Step<A, E> = (snapshot: Snapshot, settle: Settle<A, E>) => void

const expiredOnArrival = () =>
  new RefreshFailed({
    cause: new OAuthError.InvalidTokenResponse({
      reason: "InvalidField",
      status: 200,
      field: "expires_in",
      detail: "the access token expired before it could be used"
    }),
    attempts: 2
  })

const missingRefreshToken = () =>
  new RefreshFailed({
    cause: new OAuthError.ConfigurationError({ reason: "MissingCredential", detail: "the grant has no refresh token" }),
    attempts: 0
  })

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
    const effectClock = yield* Effect.clock
    const run = yield* FiberSet.makeRuntime<OAuthClient.OAuthClient | TokenStore.TokenStore>()
    const entry = yield* store.get(options.key)

    const { margin } = resolve(options)
    const now = () => effectClock.unsafeCurrentTimeMillis()
    const built = shared?.machine ?? machine.make(options, { now, run })
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
    // the attribute counts them all.
    const span = yield* Effect.makeSpanScoped("OAuthSession", { kind: "internal" })
    let transitions = 0
    const actor = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const actor = createActor(logic, {
          clock: timers,
          input: { key: options.key },
          ...(options.inspect === undefined ? {} : { inspect: options.inspect })
        })
        if (shared !== undefined) machine.bindRun(actor, run)
        let previous = actor.getSnapshot()
        actor.subscribe((snapshot) => {
          const changes = diff(previous, snapshot)
          if (snapshot.value !== previous.value) {
            transitions++
            span.attribute("oauth.session.transitions", transitions)
            if (transitions <= maxTransitionEvents) {
              span.event("OAuthSession.transition", effectClock.unsafeCurrentTimeNanos(), {
                "oauth.session.from": previous.value,
                "oauth.session.to": snapshot.value,
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
     * Waits on the actor: `step` sees the current snapshot, then each new one
     * (XState notifies observers after every event, handled or not), until it
     * settles. A stopped actor (the session's scope closed) interrupts the caller.
     */
    const observe = <A, E>(makeStep: () => Step<A, E>): Effect.Effect<A, E> =>
      Effect.async<A, E>((resume) => {
        const step = makeStep()
        let settled = false
        let subscription: Subscription | undefined
        const settle: Settle<A, E> = (result) => {
          if (settled) return
          settled = true
          subscription?.unsubscribe()
          resume(result)
        }
        if (actor.getSnapshot().status !== "active") {
          settle(Effect.interrupt)
          return
        }
        subscription = actor.subscribe({
          next: (snapshot) => settled || step(snapshot, settle),
          complete: () => settle(Effect.interrupt)
        })
        step(actor.getSnapshot(), settle)
        if (settled) subscription.unsubscribe()
        return Effect.sync(() => subscription?.unsubscribe())
      })

    // The held token, when it can be handed out without asking the machine for
    // anything: valid, not rejected, and outside the refresh window (or the last
    // refresh failed: then it is used until it expires).
    const fresh = (): TokenSet.TokenSet | undefined => {
      const snapshot = actor.getSnapshot()
      if (snapshot.value !== "authorized") return undefined
      const { error, lapsed, rejected, tokens } = snapshot.context
      if (tokens === undefined || rejected || lapsed) return undefined
      const at = now()
      if (TokenSet.isExpired(tokens, at)) return undefined
      return error === undefined && TokenSet.needsRefresh(tokens, at, margin) ? undefined : tokens
    }

    // The caller resumes after the snapshot that settled it: a revocation in
    // between (another holder removed the grant while this one refreshed ahead
    // of expiry) wins, so nothing is handed out once the session is revoked.
    const handOut = (tokens: TokenSet.TokenSet): Effect.Effect<TokenSet.TokenSet, SessionRevoked> =>
      Effect.suspend(() => {
        const { context, value } = actor.getSnapshot()
        if (value !== "revoked") return Effect.succeed(tokens)
        return Effect.fail(context.error?._tag === "SessionRevoked" ? context.error : new SessionRevoked({ reason: "Revoked" }))
      })

    const awaitTokens = observe<TokenSet.TokenSet, AccessTokenError>(() => {
      let sent = false
      let requests = 0
      const request = () => {
        sent = true
        requests++
        actor.send({ type: "REFRESH" })
      }
      return (snapshot, settle) => {
        const { error, lapsed, rejected, tokens } = snapshot.context
        const at = now()
        const usable = tokens !== undefined && !rejected && !lapsed && !TokenSet.isExpired(tokens, at) ? tokens : undefined
        switch (snapshot.value) {
          case "authorized": {
            if (usable !== undefined && (sent || error !== undefined || !TokenSet.needsRefresh(usable, at, margin))) {
              return settle(handOut(usable))
            }
            if (!sent) return request()
            if (error?._tag === "RefreshFailed") return settle(Effect.fail(error))
            // Fresh tokens that expired on arrival (a lifetime shorter than the
            // round trip): ask once more, then report the response as unusable.
            if (tokens !== undefined && !rejected && requests < 2) return request()
            return settle(Effect.fail(tokens === undefined ? new Unauthorized({ reason: "NoGrant" }) : expiredOnArrival()))
          }
          case "refreshing":
            // A refresh ahead of expiry: the held token is still good meanwhile.
            return usable === undefined ? undefined : settle(handOut(usable))
          case "expired": {
            if (!sent) return request()
            return error?._tag === "RefreshFailed" ? settle(Effect.fail(error)) : undefined
          }
          case "unauthorized":
            return settle(Effect.fail(error?._tag === "Unauthorized" ? error : new Unauthorized({ reason: "NoGrant" })))
          case "authorizing":
            return settle(Effect.fail(new Unauthorized({ reason: "Authorizing" })))
          case "revoked":
            return settle(Effect.fail(error?._tag === "SessionRevoked" ? error : new SessionRevoked({ reason: "Revoked" })))
        }
      }
    })

    const tokens: Effect.Effect<TokenSet.TokenSet, AccessTokenError> = Effect.suspend(() => {
      const held = fresh()
      return held === undefined ? awaitTokens : Effect.succeed(held)
    })

    const accessToken: Effect.Effect<Redacted.Redacted<string>, AccessTokenError> = Effect.suspend(() => {
      const held = fresh()
      return held === undefined ? Effect.map(awaitTokens, (tokens) => tokens.accessToken) : Effect.succeed(held.accessToken)
    })

    const refresh = observe<TokenSet.TokenSet, RefreshFailed | Unauthorized | SessionRevoked>(() => {
      let sent = false
      let refreshing = false
      return (snapshot, settle) => {
        const { error, tokens } = snapshot.context
        switch (snapshot.value) {
          case "refreshing":
            refreshing = true
            sent = true
            return
          case "authorized":
          case "expired": {
            if (!sent) {
              sent = true
              actor.send({ type: "REFRESH" })
              return
            }
            if (error?._tag === "RefreshFailed") return settle(Effect.fail(error))
            if (snapshot.value === "expired") return
            if (!refreshing) return settle(Effect.fail(missingRefreshToken()))
            return tokens !== undefined && !TokenSet.isExpired(tokens, now())
              ? settle(Effect.succeed(tokens))
              : settle(Effect.fail(new Unauthorized({ reason: "NoGrant" })))
          }
          case "unauthorized":
            return settle(Effect.fail(error?._tag === "Unauthorized" ? error : new Unauthorized({ reason: "NoGrant" })))
          case "authorizing":
            return settle(Effect.fail(new Unauthorized({ reason: "Authorizing" })))
          case "revoked":
            return settle(Effect.fail(error?._tag === "SessionRevoked" ? error : new SessionRevoked({ reason: "Revoked" })))
        }
      }
    })

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
        const state = actor.getSnapshot().value
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
        if (!taken(after.context, redacted)) return yield* invalid(after.value)
        return value
      })

    const authorize = (authorizeOptions?: OAuthClient.AuthorizationUrlOptions | undefined) =>
      startAuthorization(
        client.authorizationUrl(authorizeOptions),
        "Request",
        (request) => actor.send({ type: "AUTHORIZE", request }),
        (context, request) => context.request === request
      )

    /**
     * How an awaited authorization ends, seen in a snapshot: nothing yet while it
     * is still the pending one; its tokens once stored; its failure; or
     * `Superseded` when another authorization, a revocation or another holder's
     * grant took its place.
     */
    const settleAuthorization = (
      snapshot: SessionMachine.Snapshot,
      settle: Settle<TokenSet.TokenSet, AuthorizationFailed>,
      pending: boolean
    ): void => {
      const { error, tokens } = snapshot.context
      const superseded = Effect.fail(new AuthorizationFailed({ reason: "Superseded" }))
      switch (snapshot.value) {
        case "authorizing":
          return pending ? undefined : settle(superseded)
        case "unauthorized":
          return settle(error?._tag === "AuthorizationFailed" ? Effect.fail(error) : superseded)
        case "revoked":
          return settle(superseded)
        default:
          return settle(tokens === undefined ? superseded : Effect.succeed(tokens))
      }
    }

    const completeAuthorization = (callbackUrl: string | URL) =>
      Effect.suspend(() => {
        const current = actor.getSnapshot()
        if (current.value !== "authorizing" || current.context.request === undefined) {
          return Effect.fail(new AuthorizationFailed({ reason: "InvalidState", state: current.value }))
        }
        const url = Redacted.make(String(callbackUrl))
        return observe<TokenSet.TokenSet, AuthorizationFailed>(() => {
          let sent = false
          return (snapshot, settle) => {
            if (!sent) {
              sent = true
              actor.send({ type: "CALLBACK", url })
              return
            }
            return settleAuthorization(snapshot, settle, snapshot.context.callback === url)
          }
        })
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
      if (current.value !== "authorizing" || (device === undefined && request === undefined)) {
        return Effect.fail(new AuthorizationFailed({ reason: "InvalidState", state: current.value }))
      }
      return observe<TokenSet.TokenSet, AuthorizationFailed>(() => (snapshot, settle) =>
        settleAuthorization(
          snapshot,
          settle,
          snapshot.context.device === device && snapshot.context.request === request
        )
      )
    })

    const revoke = observe<void, RevocationFailed>(() => {
      let sent = false
      return (snapshot, settle) => {
        if (snapshot.value === "revoked") {
          if (snapshot.context.revocation !== undefined) {
            sent = true
            return
          }
          const error = snapshot.context.error
          return settle(sent && error?._tag === "RevocationFailed" ? Effect.fail(error) : Effect.void)
        }
        if (sent) return settle(Effect.void)
        sent = true
        actor.send({ type: "REVOKE" })
      }
    })

    const subscribe = Effect.acquireRelease(
      Effect.tap(Queue.unbounded<SessionChange>(), (queue) => Effect.sync(() => subscribers.add(queue))),
      (queue) => Effect.zipRight(Effect.sync(() => subscribers.delete(queue)), Queue.shutdown(queue))
    )

    return {
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
      state: Effect.sync(() => actor.getSnapshot().value),
      snapshot: Effect.sync(() => actor.getSnapshot()),
      changes: Stream.unwrapScoped(Effect.map(subscribe, (queue) => Stream.fromQueue(queue))),
      subscribe,
      actor,
      dpop: client.dpop
    } satisfies OAuthSession.OAuthSession
  })
