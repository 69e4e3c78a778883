import { OAuthClient } from "@effect-oauth/core"
import { Data, Deferred, Duration, Effect, Exit, FiberId, FiberSet, Queue, Schedule, Scope, Stream } from "effect"
import * as OAuthSession from "../OAuthSession.js"
import * as oauthSession from "./oauthSession.js"
import * as sessionMake from "./sessionMake.js"
import * as sessionMachine from "./sessionMachine.js"
import * as View from "./view.js"
import type * as SessionMachine from "../SessionMachine.js"
import * as SessionRegistry from "../SessionRegistry.js"
import * as TokenStore from "../TokenStore.js"

type Key = SessionRegistry.Key
type RegistryChange = SessionRegistry.RegistryChange

/** @internal */
export const RegistryChange = Data.taggedEnum<RegistryChange>()

interface Entry {
  readonly key: Key
  readonly id: string
  readonly scope: Scope.CloseableScope
  /** The start's outcome, for the callers that came before the session; dropped once it started. */
  ready: Deferred.Deferred<OAuthSession.OAuthSession, SessionRegistry.StartError> | undefined
  session: OAuthSession.OAuthSession | undefined
  /** The session's valid-token path, once it started. */
  held: oauthSession.HeldNow | undefined
  /** Uses in progress: `get` scopes and calls of the service. */
  refs: number
  lastUsed: number
}

/** @internal */
export const make = (options: SessionRegistry.Options) =>
  Effect.gen(function*() {
    const store = yield* TokenStore.TokenStore
    const scope = yield* Effect.scope
    const clock = yield* Effect.clock
    const run = yield* FiberSet.makeRuntime<never>()
    const now = () => clock.unsafeCurrentTimeMillis()

    const idleMillis = Duration.toMillis(options.idleTimeout ?? "5 minutes")
    const sweepMillis = options.sweepInterval === undefined
      ? Math.max(1, Math.min(60_000, idleMillis / 2))
      : Duration.toMillis(options.sweepInterval)
    const maxLive = options.maxLive === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor(options.maxLive))
    const toId = options.storeKey ?? SessionRegistry.storeKey
    const sessionOptions = { ...options.session, refresh: options.session?.refresh ?? "lazy" }
    // Every session of the registry has the same options and clock: one machine serves them all.
    const shared = { machine: sessionMachine.makeShared({ ...sessionOptions, key: "" }, now) }

    // Insertion order is recency order when `maxLive` bounds the map: a use
    // moves its entry to the end, so eviction scans from the least recent.
    const entries = new Map<string, Entry>()
    const subscribers = new Set<Queue.Queue<RegistryChange>>()
    let closed = false

    const publish = (change: RegistryChange) => {
      for (const queue of subscribers) queue.unsafeOffer(change)
    }

    // Every session's changes, from its own observer: one listener for all of
    // them, no second subscription per session.
    const onChange = (previous: SessionMachine.Snapshot, snapshot: SessionMachine.Snapshot, id: string) => {
      if (subscribers.size === 0) return
      const entry = entries.get(id)
      if (entry === undefined) return
      for (const change of OAuthSession.diff(previous, snapshot)) {
        publish(RegistryChange.Changed({ key: entry.key, change }))
      }
    }

    /** Takes the session out of memory. Synchronous up to the scope close, so no event slips in between. */
    const release = (entry: Entry): Effect.Effect<void> => {
      entries.delete(entry.id)
      if (entry.session !== undefined) oauthSession.watch(entry.session, undefined)
      entry.session?.actor.stop()
      publish(RegistryChange.Released({ key: entry.key }))
      return Scope.close(entry.scope, Exit.void)
    }

    const isReleasable = (entry: Entry) =>
      entry.refs === 0 && entry.session !== undefined && View.isSettled(entry.session.actor.getSnapshot())

    const sweep = Effect.suspend(() => {
      const at = now()
      const idle: Array<Effect.Effect<void>> = []
      for (const entry of entries.values()) {
        if (at - entry.lastUsed >= idleMillis && isReleasable(entry)) idle.push(release(entry))
      }
      return Effect.all(idle, { discard: true })
    })

    const trim = Effect.suspend(() => {
      if (entries.size <= maxLive) return Effect.void
      const evicted: Array<Effect.Effect<void>> = []
      for (const entry of entries.values()) {
        if (entries.size <= maxLive) break
        if (isReleasable(entry)) evicted.push(release(entry))
      }
      return Effect.all(evicted, { discard: true })
    })

    const start = (entry: Entry, client: OAuthClient.Service) =>
      Effect.gen(function*() {
        const session = yield* sessionMake.make({ ...sessionOptions, key: entry.id }, shared).pipe(
          Effect.provideService(OAuthClient.OAuthClient, client),
          Effect.provideService(TokenStore.TokenStore, store),
          Scope.extend(entry.scope)
        )
        const previous = session.actor.getSnapshot()
        oauthSession.watch(session, onChange)
        entry.session = session
        entry.held = oauthSession.heldNowOf(session)
        publish(RegistryChange.Started({ key: entry.key, state: View.stateOf(previous) }))
        const lapsesAt = previous.context.tokens?.refreshTokenExpiresAt
        if (previous.context.refreshTokenExpiring && lapsesAt !== undefined) {
          publish(RegistryChange.Changed({
            key: entry.key,
            change: OAuthSession.SessionChange.RefreshTokenExpiring({ expiresAt: lapsesAt })
          }))
        }
        return session
      }).pipe(
        Effect.onExit((exit) =>
          Effect.gen(function*() {
            if (Exit.isFailure(exit)) {
              if (entries.get(entry.id) === entry) entries.delete(entry.id)
              yield* Scope.close(entry.scope, Exit.void)
            }
            yield* Deferred.done(entry.ready!, exit)
            if (Exit.isSuccess(exit)) entry.ready = undefined
            if (Exit.isSuccess(exit)) yield* trim
          })
        )
      )

    const touch = (entry: Entry) => {
      entry.refs++
      entry.lastUsed = now()
      if (maxLive !== Number.POSITIVE_INFINITY) {
        entries.delete(entry.id)
        entries.set(entry.id, entry)
      }
    }

    /** The entry of `key` with one more use, starting its session when it is not in memory. */
    const acquire = (key: Key): Effect.Effect<Entry, SessionRegistry.UnknownProvider> =>
      Effect.suspend(() => {
        if (closed) return Effect.interrupt
        const id = toId(key)
        const found = entries.get(id)
        if (found !== undefined) {
          touch(found)
          return Effect.succeed(found)
        }
        const client = Object.hasOwn(options.clients, key.provider) ? options.clients[key.provider] : undefined
        if (client === undefined) return Effect.fail(new SessionRegistry.UnknownProvider({ provider: key.provider }))
        const entry: Entry = {
          key,
          id,
          scope: Effect.runSync(Scope.make()),
          ready: Deferred.unsafeMake(FiberId.none),
          session: undefined,
          held: undefined,
          refs: 1,
          lastUsed: now()
        }
        entries.set(id, entry)
        // Started on the registry's runtime, not the caller's fiber: one caller
        // interrupted must not fail the others waiting on the same start.
        run(start(entry, client))
        return Effect.succeed(entry)
      })

    const unuse = (entry: Entry) =>
      Effect.suspend(() => {
        entry.refs--
        entry.lastUsed = now()
        return entries.size > maxLive ? trim : Effect.void
      })

    const use = <A, E, R>(
      key: Key,
      f: (session: OAuthSession.OAuthSession) => Effect.Effect<A, E, R>
    ): Effect.Effect<A, E | SessionRegistry.StartError, R> =>
      Effect.suspend(() => {
        const found = entries.get(toId(key))
        // In memory already: count the use around `f` (the common, cheap case).
        if (found?.session !== undefined && !closed) {
          const entry = found
          touch(entry)
          return Effect.ensuring(f(found.session), unuse(entry))
        }
        return Effect.acquireUseRelease(
          acquire(key),
          (entry) => entry.session === undefined ? Effect.flatMap(Deferred.await(entry.ready!), f) : f(entry.session),
          unuse
        )
      })

    // `accessToken` and `tokens` need no use count: a caller waits only while
    // its session refreshes (it sends REFRESH synchronously when it must wait),
    // and a refreshing session is never released. This keeps the hot path a
    // map lookup and a snapshot read.
    // The id of the last key read: a caller that asks for the same account
    // again skips building the store key (only for the default `storeKey`,
    // which depends on nothing but the two fields compared).
    let lastProvider: string | undefined
    let lastAccount: string | undefined
    let lastId = ""
    const idOf = toId === SessionRegistry.storeKey
      ? (key: Key): string => {
        if (key.provider !== lastProvider || key.account !== lastAccount) {
          lastId = toId(key)
          lastProvider = key.provider
          lastAccount = key.account
        }
        return lastId
      }
      : toId

    const read = <A, E>(
      key: Key,
      f: (session: OAuthSession.OAuthSession) => Effect.Effect<A, E>,
      fast: (held: oauthSession.HeldNow) => Effect.Effect<A> | undefined
    ) =>
      Effect.suspend(() => {
        const entry = entries.get(idOf(key))
        if (entry?.session === undefined || closed) return use(key, f)
        if (maxLive !== Number.POSITIVE_INFINITY) {
          entries.delete(entry.id)
          entries.set(entry.id, entry)
        }
        const held = entry.held === undefined ? undefined : fast(entry.held)
        // The valid-token path has read the clock: its reading is the time of this use.
        entry.lastUsed = held === undefined ? now() : entry.held!.lastReading()
        return held ?? f(entry.session)
      })

    const get = (key: Key) =>
      Effect.flatMap(
        Effect.acquireRelease(acquire(key), unuse),
        (entry) => entry.session === undefined ? Deferred.await(entry.ready!) : Effect.succeed(entry.session)
      )

    yield* Scope.addFinalizer(
      scope,
      Effect.suspend(() => {
        closed = true
        return Effect.all([...entries.values()].map(release), { discard: true })
      })
    )
    yield* Effect.forkIn(Effect.repeat(sweep, Schedule.spaced(sweepMillis)), scope)

    const subscribe = Effect.acquireRelease(
      Effect.tap(Queue.unbounded<RegistryChange>(), (queue) => Effect.sync(() => subscribers.add(queue))),
      (queue) => Effect.zipRight(Effect.sync(() => subscribers.delete(queue)), Queue.shutdown(queue))
    )

    return SessionRegistry.SessionRegistry.of({
      get,
      use,
      accessToken: (key) => read(key, (session) => session.accessToken, (held) => held.heldAccessToken()),
      tokens: (key) => read(key, (session) => session.tokens, (held) => held.heldTokens()),
      refresh: (key) => use(key, (session) => session.refresh),
      revoke: (key) => use(key, (session) => session.revoke),
      authorize: (key, authorizeOptions) => use(key, (session) => session.authorize(authorizeOptions)),
      release: (key) =>
        Effect.suspend(() => {
          const entry = entries.get(toId(key))
          return entry === undefined || !isReleasable(entry) ? Effect.succeed(false) : Effect.as(release(entry), true)
        }),
      completeAuthorization: (key, callbackUrl) => use(key, (session) => session.completeAuthorization(callbackUrl)),
      changes: Stream.unwrapScoped(Effect.map(subscribe, (queue) => Stream.fromQueue(queue))),
      subscribe,
      size: Effect.sync(() => entries.size)
    })
  })
