/**
 * The world of the model-based property tests (DESIGN §4): the fake
 * authorization server, a probed token store, one or two session holders over
 * that store (processes of one cluster), the commands a sequence is made of,
 * and the checks of each invariant.
 *
 * A check never throws: it returns a violation (a sentence), collected in
 * `world.violations` and asserted at the end of the run, so that a violation
 * found inside an actor's observer is reported like any other.
 */
import { OAuthClient, OAuthError, TokenSet } from "@effect-oauth/core"
import { OAuthSession, SessionMachine, TokenStore } from "@effect-oauth/session"
import type { SessionError } from "@effect-oauth/session"
import { Clock, Effect, Either, Exit, FastCheck, Fiber, Option, Redacted, Scope, TestClock } from "effect"
import * as Fake from "@effect-oauth/testing/FakeTokenServer"

export const key = "alice"
/** Latency of every token endpoint call (ms), so that calls overlap. */
export const latency = 200
export const maxAttempts = 3

export type Failure = "network" | "timeout" | "5xx" | "429" | "429-beyond-max-delay" | "unparseable" | "invalid_client"

export type Command =
  | { readonly _tag: "AccessToken"; readonly holder: number; readonly callers: number }
  /** Time passes: `millis` plus `lifetimes` access token lifetimes. */
  | { readonly _tag: "Advance"; readonly millis: number; readonly lifetimes: number }
  | { readonly _tag: "ServerRotation"; readonly on: boolean }
  | { readonly _tag: "ServerRevokes" }
  | { readonly _tag: "Fail"; readonly failures: ReadonlyArray<Failure> }
  | { readonly _tag: "StoreOutage"; readonly writes: number }
  | { readonly _tag: "Rejected"; readonly holder: number }
  | { readonly _tag: "AppRevokes"; readonly holder: number }
  | { readonly _tag: "Authorize"; readonly holder: number }
  | { readonly _tag: "Restart"; readonly holder: number }

export interface Setup {
  readonly holders: number
  readonly refresh: "lazy" | "eager"
  /** Access token lifetime (ms). */
  readonly lifetime: number
  readonly rotate: boolean
  /** `lapsed`: the store's lease never excludes (a holder outlived it), so holders race at the server. */
  readonly lease?: "exclusive" | "lapsed" | undefined
  readonly reuseDetection?: boolean | undefined
}

export interface Holder {
  readonly index: number
  session: OAuthSession.OAuthSession
  /** The client this holder's session uses. */
  client: OAuthClient.Service
  scope: Scope.CloseableScope
  /** Entered `revoked` since its last completed authorization. */
  revoked: boolean
  /** Every token value issued before this session last entered `revoked`. */
  forbidden: ReadonlySet<string>
  /** The app revoked this session and no authorization completed since. */
  appRevoked: boolean
  /** The last token handed out (what a resource server may reject). */
  last: Redacted.Redacted<string> | undefined
  /** The server refused this holder's refresh token while the store already held a live rotation. */
  mustAdopt: boolean
  /** How many tokens the server had issued when this holder last started authorizing. */
  authorizingSince: number
}

type Outcome = Either.Either<Redacted.Redacted<string>, SessionError.AccessTokenError>
type Violation = string | undefined

/** One invariant, as hooks over what the world observes. */
export interface Check {
  /** A caller got `token`, at the moment `accessToken` returns. */
  readonly onToken?: (world: World, holder: Holder, token: string, now: number) => Violation
  readonly onOutcome?: (world: World, holder: Holder, outcome: Outcome, now: number) => Violation
  /** The holder's machine moved from one state to another. */
  readonly onTransition?: (
    world: World,
    holder: Holder,
    from: SessionMachine.Snapshot,
    to: SessionMachine.Snapshot
  ) => Violation
  /** After a command, when no holder is refreshing, authorizing or revoking. */
  readonly atRest?: (world: World, now: number, stored: Option.Option<TokenStore.Entry>) => Violation
  /** Once, after the final demand has settled. */
  readonly atEnd?: (world: World, now: number, stored: Option.Option<TokenStore.Entry>) => Violation
}

export interface World {
  readonly setup: Setup
  readonly server: Fake.FakeTokenServer
  readonly store: TokenStore.Service
  readonly client: OAuthClient.Service
  readonly holders: Array<Holder>
  /** Every access token value written to the store, with its tokens. */
  readonly written: Map<string, TokenSet.TokenSet>
  /** What the store holds for the key now (kept in step with every successful write and delete). */
  stored: TokenSet.TokenSet | undefined
  /** The current time of the test's clock. */
  readonly now: () => number
  readonly checks: ReadonlyArray<Check>
  readonly machine: ((world: World, holder: Holder) => OAuthSession.Options["machine"]) | undefined
  readonly violations: Array<string>
  readonly pending: Array<Fiber.RuntimeFiber<unknown, unknown>>
  /** Refresh tokens whose loss is expected: the app revoked their grant, they lived only in a stopped process, a failed authorization's. */
  readonly excused: Set<string>
  /** `from → to` pairs the machine declares. */
  declared: ReadonlySet<string>
  failWrites: number
  inFlight: number
  maxInFlight: number
  /** Commands that kill a grant: the server or the app revoked, tokens lost with a process. */
  deaths: number
  /** Commands that make refreshes fail: scripted server failures, store outages. */
  faults: number
}

const failureOf = (failure: Failure): OAuthError.TokenEndpointError => {
  switch (failure) {
    case "network":
      return Fake.transportError()
    case "timeout":
      return new OAuthError.TransportError({ reason: "Timeout", method: "POST", endpoint: Fake.endpoint })
    case "5xx":
      return Fake.unavailable()
    case "429":
      return Fake.tooManyRequests(1)
    case "429-beyond-max-delay":
      return Fake.tooManyRequests(60)
    case "unparseable":
      return new OAuthError.InvalidTokenResponse({ reason: "NotJson", status: 200, endpoint: Fake.endpoint })
    case "invalid_client":
      return Fake.invalidClient()
  }
}

const report = (world: World, violation: Violation) => {
  if (violation !== undefined) world.violations.push(violation)
}

/** Lets every fiber that can run do so (microtasks and Effect's scheduler). */
export const flush: Effect.Effect<void> = Effect.zipRight(
  Effect.repeatN(Effect.yieldNow(), 4),
  Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
)

const probed = (world: World, inner: TokenStore.Service): TokenStore.Service => ({
  ...inner,
  compareAndSet: (k, expected, tokens) =>
    Effect.suspend(() => {
      if (world.failWrites > 0) {
        world.failWrites--
        return Effect.fail(new TokenStore.TokenStoreError({ reason: "Io", operation: "compareAndSet", key: k, detail: "disk full" }))
      }
      return Effect.tap(inner.compareAndSet(k, expected, tokens), () =>
        Effect.sync(() => {
          world.written.set(Redacted.value(tokens.accessToken), tokens)
          world.stored = tokens
        }))
    }),
  delete: (k, expected) => Effect.tap(inner.delete(k, expected), () => Effect.sync(() => (world.stored = undefined))),
  ...(world.setup.lease === "lapsed"
    ? {
      acquireLease: (k) => Effect.succeed({ key: k, owner: crypto.randomUUID(), expiresAt: 0 }),
      releaseLease: () => Effect.void
    }
    : {})
})

const counted = (world: World, inner: OAuthClient.Service): OAuthClient.Service => ({
  ...inner,
  refresh: (tokens, options) =>
    Effect.acquireUseRelease(
      Effect.sync(() => {
        world.inFlight++
        world.maxInFlight = Math.max(world.maxInFlight, world.inFlight)
      }),
      () => inner.refresh(tokens, options),
      () => Effect.sync(() => void world.inFlight--)
    )
})

/** Notes when the server refuses `holder`'s refresh token although the store already holds a live rotation. */
const racing = (world: World, holder: Holder, inner: OAuthClient.Service): OAuthClient.Service => ({
  ...inner,
  refresh: (tokens, options) =>
    Effect.tapError(inner.refresh(tokens, options), (error) =>
      Effect.gen(function*() {
        if (error._tag !== "OAuthError" || error.error !== "invalid_grant") return
        const now = yield* Clock.currentTimeMillis
        const entry = yield* Effect.orDie(world.store.get(key))
        const stored = Option.getOrUndefined(Option.flatMapNullable(entry, (e) => e.tokens.refreshToken))
        const presented = tokens.refreshToken === undefined ? undefined : Redacted.value(tokens.refreshToken)
        if (stored !== undefined && Redacted.value(stored) !== presented) {
          holder.mustAdopt ||= world.server.isRefreshTokenUsable(Redacted.value(stored), now)
        }
      }))
})

const startSession = (world: World, holder: Omit<Holder, "session" | "scope" | "client">) =>
  Effect.gen(function*() {
    const target = holder as Holder
    target.client = racing(world, target, world.client)
    const scope = yield* Scope.make()
    const session = yield* OAuthSession.make({
      key,
      refresh: world.setup.refresh,
      clock: "effect",
      retry: { maxAttempts, initialDelay: "100 millis", maxDelay: "5 seconds" },
      leaseTtl: "10 seconds",
      ...(world.machine === undefined ? {} : { machine: world.machine(world, target) })
    }).pipe(
      Effect.provideService(OAuthClient.OAuthClient, target.client),
      Effect.provideService(TokenStore.TokenStore, world.store),
      Scope.extend(scope),
      Effect.orDie
    )
    if (world.declared.size === 0) {
      world.declared = new Set(SessionMachine.transitions(session.actor.logic).map(({ from, to }) => `${from} → ${to}`))
    }
    target.session = session
    target.scope = scope
    let previous = session.actor.getSnapshot()
    session.actor.subscribe((next) => {
      const before = previous
      previous = next
      if (SessionMachine.stateOf(before) === SessionMachine.stateOf(next)) return
      if (SessionMachine.stateOf(next) === "authorizing") target.authorizingSince = world.server.issued.length
      if (SessionMachine.stateOf(before) === "authorizing" && SessionMachine.stateOf(next) === "unauthorized") {
        // Tokens exchanged but never stored belong to no session.
        for (const value of world.server.issued.slice(target.authorizingSince)) world.excused.add(value)
      }
      const unsaved = next.context.unsaved?.refreshToken
      if (SessionMachine.stateOf(before) === "refreshing" && SessionMachine.stateOf(next) !== "refreshing" && unsaved !== undefined && world.holders.length > 1) {
        // A known limit, not a promise: tokens still unsaved when a refresh cycle ends are
        // written on the next demand, but once the kept lease lapses another holder may
        // refresh with the refresh token they replaced, and reuse detection then revokes
        // the grant. The model stops expecting the grant to survive.
        world.excused.add(Redacted.value(unsaved))
        world.deaths++
      }
      for (const check of world.checks) report(world, check.onTransition?.(world, target, before, next))
      if (SessionMachine.stateOf(next) === "revoked") {
        target.revoked = true
        target.forbidden = new Set(world.server.issued)
      }
      if (SessionMachine.stateOf(next) === "authorized") target.mustAdopt = false
      if (SessionMachine.stateOf(before) === "authorizing" && SessionMachine.stateOf(next) === "authorized") {
        target.revoked = false
        target.appRevoked = false
      }
    })
    return target
  })

/** Builds the world: a grant issued and stored, then `setup.holders` sessions started from the store. */
export const makeWorld = (
  setup: Setup,
  checks: ReadonlyArray<Check>,
  machine?: (world: World, holder: Holder) => OAuthSession.Options["machine"]
): Effect.Effect<World> =>
  Effect.gen(function*() {
    const server = new Fake.FakeTokenServer({
      latency: Fake.latency(latency),
      accessTokenLifetime: setup.lifetime,
      rotate: setup.rotate,
      ...(setup.reuseDetection === undefined ? {} : { reuseDetection: setup.reuseDetection })
    })
    const clock = yield* Effect.clock
    const world: World = {
      setup,
      server,
      stored: undefined,
      now: () => clock.unsafeCurrentTimeMillis(),
      // Set just below: the probed store and the counted client observe the world itself.
      store: undefined as unknown as TokenStore.Service,
      client: undefined as unknown as OAuthClient.Service,
      holders: [],
      written: new Map(),
      checks,
      machine,
      violations: [],
      pending: [],
      excused: new Set(),
      declared: new Set(),
      failWrites: 0,
      inFlight: 0,
      maxInFlight: 0,
      deaths: 0,
      faults: 0
    }
    Object.assign(world, { store: probed(world, yield* TokenStore.makeMemory), client: counted(world, server.client) })
    yield* Effect.orDie(world.store.compareAndSet(key, undefined, yield* server.seed()))
    for (let index = 0; index < setup.holders; index++) {
      world.holders.push(
        yield* startSession(world, {
          index,
          revoked: false,
          forbidden: new Set(),
          appRevoked: false,
          last: undefined,
          mustAdopt: false,
          authorizingSince: 0
        })
      )
    }
    return world
  })

const holderOf = (world: World, index: number): Holder => world.holders[index % world.holders.length]!

/** One caller of `accessToken`, observed by every check at the moment it returns. */
export const call = (world: World, holder: Holder): Effect.Effect<Outcome> =>
  holder.session.accessToken.pipe(
    Effect.tap((token) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        holder.last = token
        for (const check of world.checks) report(world, check.onToken?.(world, holder, Redacted.value(token), now))
      })
    ),
    Effect.either,
    Effect.tap((outcome) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        for (const check of world.checks) report(world, check.onOutcome?.(world, holder, outcome, now))
      })
    )
  )

const authorizeHolder = (world: World, holder: Holder) =>
  Effect.gen(function*() {
    const request = yield* holder.session.authorize()
    yield* holder.session.completeAuthorization(world.server.approve(request))
  }).pipe(Effect.either)

const unsavedRefreshToken = (holder: Holder) => holder.session.actor.getSnapshot().context.unsaved?.refreshToken

export const execute = (world: World, command: Command): Effect.Effect<void> =>
  Effect.gen(function*() {
    switch (command._tag) {
      case "AccessToken": {
        const holder = holderOf(world, command.holder)
        for (let i = 0; i < command.callers; i++) world.pending.push(yield* Effect.fork(call(world, holder)))
        break
      }
      case "Advance":
        yield* TestClock.adjust(command.millis + command.lifetimes * world.setup.lifetime)
        break
      case "ServerRotation":
        world.server.rotate = command.on
        break
      case "ServerRevokes":
        world.server.revokeAll()
        world.deaths++
        break
      case "Fail":
        world.server.failNext("refresh", ...command.failures.map(failureOf))
        world.faults++
        break
      case "StoreOutage":
        world.failWrites += command.writes
        world.faults++
        break
      case "Rejected": {
        const holder = holderOf(world, command.holder)
        if (holder.last !== undefined) yield* holder.session.tokenRejected(holder.last)
        break
      }
      case "AppRevokes": {
        const holder = holderOf(world, command.holder)
        holder.appRevoked = true
        world.deaths++
        for (const value of world.server.issued) world.excused.add(value)
        world.pending.push(yield* Effect.fork(Effect.either(holder.session.revoke)))
        break
      }
      case "Authorize": {
        const holder = holderOf(world, command.holder)
        const state = yield* holder.session.state
        if (state === "unauthorized" || state === "revoked") {
          world.pending.push(yield* Effect.fork(authorizeHolder(world, holder)))
        }
        break
      }
      case "Restart": {
        const holder = holderOf(world, command.holder)
        const unsaved = unsavedRefreshToken(holder)
        if (unsaved !== undefined) {
          // Tokens the store refused lived only in this process.
          world.excused.add(Redacted.value(unsaved))
          world.deaths++
        }
        yield* Scope.close(holder.scope, Exit.void)
        holder.revoked = false
        holder.appRevoked = false
        holder.last = undefined
        holder.mustAdopt = false
        yield* startSession(world, holder)
        break
      }
    }
    yield* flush
  })

/** No holder is refreshing, authorizing or revoking at the server. */
export const atRest = (world: World): boolean =>
  world.holders.every((holder) => {
    const snapshot = holder.session.actor.getSnapshot()
    return SessionMachine.stateOf(snapshot) !== "refreshing" && SessionMachine.stateOf(snapshot) !== "authorizing" && snapshot.context.revocation === undefined
  })

const checkAtRest = (world: World, end = false) =>
  Effect.gen(function*() {
    if (!atRest(world)) return
    const now = yield* Clock.currentTimeMillis
    const stored = yield* Effect.orDie(world.store.get(key))
    for (const check of world.checks) {
      report(world, check.atRest?.(world, now, stored))
      if (end) report(world, check.atEnd?.(world, now, stored))
    }
  })

const isDone = (fiber: Fiber.RuntimeFiber<unknown, unknown>) => fiber.unsafePoll() !== null

/** Moves time on until every caller has its answer and every holder is at rest. */
export const settle = (world: World): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    for (let i = 0; i < 400; i++) {
      yield* flush
      if (atRest(world) && world.pending.every(isDone)) return true
      yield* TestClock.adjust(250)
    }
    return false
  })

/**
 * Runs `commands`, checking after each one; then lets the world settle, asks
 * every holder once more past expiry when a fault is still scripted (so that
 * it is met), clears the faults and asks every holder again.
 * Returns the violations found.
 */
export const run = (world: World, commands: ReadonlyArray<Command>): Effect.Effect<ReadonlyArray<string>> =>
  Effect.gen(function*() {
    for (const command of commands) {
      yield* execute(world, command)
      yield* checkAtRest(world)
    }
    const demand = (what: string) =>
      Effect.gen(function*() {
        yield* TestClock.adjust(world.setup.lifetime)
        for (const holder of world.holders) world.pending.push(yield* Effect.fork(call(world, holder)))
        if (!(yield* settle(world))) world.violations.push(`${what} never settled`)
      })
    if (!(yield* settle(world))) world.violations.push("a caller or a holder never settled")
    yield* checkAtRest(world)
    // Faults still scripted meet one more demand; then, with none left, every holder is asked again.
    if (world.server.pendingFailures > 0 || world.failWrites > 0) {
      yield* demand("a demand past expiry")
      yield* checkAtRest(world)
    }
    world.server.clearFailures()
    world.failWrites = 0
    world.faults = 0
    yield* demand("the final demand")
    yield* checkAtRest(world, true)
    for (const holder of world.holders) yield* Scope.close(holder.scope, Exit.void)
    return world.violations
  })

// Arbitraries

const holder = FastCheck.integer({ min: 0, max: 1 })

const failure: FastCheck.Arbitrary<Failure> = FastCheck.constantFrom(
  "network",
  "timeout",
  "5xx",
  "429",
  "429-beyond-max-delay",
  "unparseable",
  "invalid_client"
)

/** Steps around the interesting moments: within a request's latency, retry delays, the refresh window, expiry. */
const advance = FastCheck.constantFrom(
  { millis: latency / 2, lifetimes: 0 },
  { millis: 1_000, lifetimes: 0 },
  { millis: 5_000, lifetimes: 0 },
  { millis: 0, lifetimes: 0.5 },
  { millis: 0, lifetimes: 0.95 },
  { millis: 0, lifetimes: 1 },
  { millis: 0, lifetimes: 2 }
)

/** How often each command appears in a sequence. */
export type Weights = { readonly [K in Command["_tag"]]: number }

export const weights: Weights = {
  AccessToken: 5,
  Advance: 5,
  ServerRotation: 1,
  ServerRevokes: 1,
  Fail: 2,
  StoreOutage: 1,
  Rejected: 1,
  AppRevokes: 1,
  Authorize: 1,
  Restart: 1
}

/** Command sequences, with `more` weights overriding the defaults. */
export const commands = (more: Partial<Weights> = {}): FastCheck.Arbitrary<ReadonlyArray<Command>> => {
  const weight = { ...weights, ...more }
  const command: FastCheck.Arbitrary<Command> = FastCheck.oneof(
    {
      weight: weight.AccessToken,
      arbitrary: FastCheck.record({
        _tag: FastCheck.constant("AccessToken" as const),
        holder,
        callers: FastCheck.integer({ min: 1, max: 4 })
      })
    },
    { weight: weight.Advance, arbitrary: advance.map((step) => ({ _tag: "Advance" as const, ...step })) },
    {
      weight: weight.ServerRotation,
      arbitrary: FastCheck.record({ _tag: FastCheck.constant("ServerRotation" as const), on: FastCheck.boolean() })
    },
    { weight: weight.ServerRevokes, arbitrary: FastCheck.constant({ _tag: "ServerRevokes" as const }) },
    {
      weight: weight.Fail,
      arbitrary: FastCheck.record({
        _tag: FastCheck.constant("Fail" as const),
        failures: FastCheck.array(failure, { minLength: 1, maxLength: 4 })
      })
    },
    {
      weight: weight.StoreOutage,
      arbitrary: FastCheck.record({
        _tag: FastCheck.constant("StoreOutage" as const),
        writes: FastCheck.integer({ min: 1, max: 8 })
      })
    },
    { weight: weight.Rejected, arbitrary: FastCheck.record({ _tag: FastCheck.constant("Rejected" as const), holder }) },
    { weight: weight.AppRevokes, arbitrary: FastCheck.record({ _tag: FastCheck.constant("AppRevokes" as const), holder }) },
    { weight: weight.Authorize, arbitrary: FastCheck.record({ _tag: FastCheck.constant("Authorize" as const), holder }) },
    { weight: weight.Restart, arbitrary: FastCheck.record({ _tag: FastCheck.constant("Restart" as const), holder }) }
  )
  return FastCheck.array(command, { maxLength: 10 })
}

export const setup: FastCheck.Arbitrary<Setup> = FastCheck.record({
  holders: FastCheck.integer({ min: 1, max: 2 }),
  refresh: FastCheck.constantFrom("lazy" as const, "eager" as const),
  lifetime: FastCheck.constantFrom(60_000, 3_600_000),
  rotate: FastCheck.boolean()
})

// The checks, one per invariant of DESIGN §4

// Violations name tokens by kind only ("access-n"), as messages about real tokens must.
const show = (value: string) => value.replace(/-\d+$/, "-n")

/** 1: `accessToken` never returns a token that is expired at the moment it returns. */
export const notExpired: Check = {
  onToken: (world, _holder, token, now) => {
    const expiresAt = world.server.accessTokenExpiresAt(token)
    return expiresAt !== undefined && now < expiresAt
      ? undefined
      : `handed out ${show(token)} at ${now}, expired at ${expiresAt}`
  }
}

/** 2: at most one refresh of the grant is in flight, across every holder of the store. */
export const singleFlight: Check = {
  atRest: (world) =>
    world.maxInFlight <= 1 ? undefined : `${world.maxInFlight} refreshes of one grant were in flight at once`
}

/** The newest refresh token the server issued, when it is live and some holder or the store should have it. */
const newestLive = (world: World): string | undefined => {
  const newest = world.server.newestRefreshToken()
  return newest === undefined || world.excused.has(newest) || !world.server.isRefreshTokenUsable(newest, world.now())
    ? undefined
    : newest
}

const keepsNewest = (world: World): Violation => {
  const newest = newestLive(world)
  if (newest === undefined) return undefined
  const held = [world.stored?.refreshToken, ...world.holders.map(unsavedRefreshToken)]
    .flatMap((token) => (token === undefined ? [] : [Redacted.value(token)]))
  return held.includes(newest) ? undefined : `the newest refresh token ${show(newest)} is held by no store entry or holder`
}

/**
 * 3: the newest refresh token the server issued is kept by the store (or, while
 * the store fails, by a holder), checked at every transition and at rest.
 */
export const newestRefreshTokenKept: Check = {
  onTransition: (world, holder, _from, to) => {
    const busy = (snapshot: SessionMachine.Snapshot) =>
      SessionMachine.stateOf(snapshot) === "refreshing" || SessionMachine.stateOf(snapshot) === "authorizing" || snapshot.context.revocation !== undefined
    const others = world.holders.filter((other) => other !== holder).map((other) => other.session.actor.getSnapshot())
    return busy(to) || others.some(busy) || world.inFlight > 0 ? undefined : keepsNewest(world)
  },
  atRest: (world) => keepsNewest(world)
}

/** 4: a token is handed out only after it has been written to the store. */
export const storedFirst: Check = {
  onToken: (world, _holder, token) => world.written.has(token) ? undefined : `handed out ${show(token)} before storing it`
}

/**
 * 5: only grant errors revoke; transient and configuration errors keep the
 * session and the stored grant; transient failures are retried a bounded number of times.
 */
export const errorsClassified: Check = {
  onTransition: (world, holder, from, to) => {
    if (SessionMachine.stateOf(to) !== "revoked" && !(SessionMachine.stateOf(to) === "unauthorized" && SessionMachine.stateOf(from) !== "authorizing")) return undefined
    if (world.deaths > 0 || holder.appRevoked) return undefined
    return `${SessionMachine.stateOf(from)} → ${SessionMachine.stateOf(to)} (${to.context.error?._tag}) although the grant is live`
  },
  onOutcome: (_world, _holder, outcome) =>
    Either.isLeft(outcome) && outcome.left._tag === "RefreshFailed" && outcome.left.attempts > maxAttempts
      ? `a refresh made ${outcome.left.attempts} attempts, more than ${maxAttempts}`
      : undefined,
  atRest: (world, _now, stored) =>
    world.deaths === 0 && Option.isNone(stored) ? "the stored grant was removed although it is live" : undefined
}

/**
 * 6: on invalid_grant while the store already holds another holder's rotation
 * (live at the server), the holder adopts it instead of revoking.
 */
export const rotationRaceAdopts: Check = {
  onTransition: (_world, holder, _from, to) => {
    const error = to.context.error
    return SessionMachine.stateOf(to) === "revoked" && holder.mustAdopt && error?._tag === "SessionRevoked"
      ? `revoked (${error.reason}) although another holder had already stored a rotation`
      : undefined
  }
}

/** 7: after `revoke`, no token is handed out until a new authorization completes, and none from before ever again. */
export const nothingAfterRevoke: Check = {
  onToken: (_world, holder, token) =>
    holder.revoked
      ? `handed out ${show(token)} after the session was revoked`
      : holder.forbidden.has(token)
      ? `handed out ${show(token)}, issued before the session was revoked`
      : undefined
}

/** 8: every observed transition is one the machine declares. */
export const declaredTransitions: Check = {
  onTransition: (world, _holder, from, to) => {
    const edge = `${SessionMachine.stateOf(from)} → ${SessionMachine.stateOf(to)}`
    return world.declared.has(edge) ? undefined : `observed ${edge}, which the machine does not declare`
  }
}

/**
 * The model: what a user may expect from the commands alone. With no grant
 * killed, every answer is a live token unless a fault was scripted (then a
 * `RefreshFailed` is allowed too); every holder stays authorized or expired; a
 * session the app revoked answers only `SessionRevoked` or `Unauthorized`.
 */
export const model: Check = {
  onOutcome: (world, holder, outcome, now) => {
    if (Either.isRight(outcome)) {
      const token = Redacted.value(outcome.right)
      if (holder.appRevoked) return `the revoked session answered a token`
      return world.deaths === 0 && !world.server.isActiveAt(token, now)
        ? `answered ${show(token)}, which the server does not consider live`
        : undefined
    }
    const tag = outcome.left._tag
    if (holder.appRevoked) {
      return tag === "SessionRevoked" || tag === "Unauthorized" ? undefined : `the revoked session answered ${tag}`
    }
    if (world.deaths > 0) return undefined
    return world.faults > 0 && tag === "RefreshFailed" ? undefined : `answered ${tag} with a live grant`
  },
  atEnd: (world) => {
    if (world.deaths > 0) return undefined
    const states = world.holders.map((holder) => SessionMachine.stateOf(holder.session.actor.getSnapshot()))
    return states.every((state) => state === "authorized") ? undefined : `holders ended ${states.join(", ")} with a live grant`
  },
  atRest: (world) => {
    if (world.deaths > 0) return undefined
    const states = world.holders.map((holder) => SessionMachine.stateOf(holder.session.actor.getSnapshot()))
    return states.every((state) => state === "authorized" || state === "expired")
      ? undefined
      : `holders are ${states.join(", ")} with a live grant`
  }
}
