/**
 * Machine coverage (STYLE §6): paths generated from the machine definition with
 * `xstate/graph`, one for each transition the machine declares, each replayed on
 * a real `OAuthSession` — which must take exactly the path's transitions, in
 * order.
 *
 * `createTestModel` refuses machines with invocations and delayed transitions,
 * and this machine has both, so the paths come from `getShortestPaths`, the
 * traversal under `TestModel.getShortestPaths`, over the machine itself. Its
 * guards run on a model clock kept per snapshot (a delayed event moves it to the
 * moment the timer fires), and the events offered in each snapshot are the ones
 * the session can really meet there: a timer only when it is the next to fire,
 * `STORED`/`FAILED` only while an actor runs, `LOADED` only at start.
 */
import { Callback, OAuthClient, TokenSet } from "@effect-oauth/core"
import { SessionError, SessionMachine } from "@effect-oauth/session"
import type { OAuthSession } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Option, Queue, Redacted, TestClock, TestServices } from "effect"
import type { InspectionEvent } from "xstate"
import { getShortestPaths } from "xstate/graph"
import * as Fake from "@effect-oauth/testing/FakeTokenServer"
import { harness, session } from "./helpers/session.js"

const hour = 3_600_000
const authorizationTimeout = 10 * 60_000
const retry = { maxAttempts: 2 } as const

/** The model's own dimensions: refresh mode, and whether the server issues refresh tokens. */
interface Flavour {
  readonly refresh: "lazy" | "eager"
  readonly refreshTokens: boolean
}

const flavours: ReadonlyArray<Flavour> = [
  { refresh: "lazy", refreshTokens: true },
  { refresh: "eager", refreshTokens: true },
  { refresh: "lazy", refreshTokens: false },
  { refresh: "eager", refreshTokens: false }
]

/** A machine event plus `variant`, which names the stimulus that produces it. */
type ModelEvent = SessionMachine.Event & { readonly variant: string }
type Snapshot = SessionMachine.Snapshot

interface Step {
  readonly from: Snapshot
  readonly event: ModelEvent
  readonly to: Snapshot
}

interface ModelPath {
  readonly flavour: Flavour
  readonly steps: ReadonlyArray<Step>
}

const edgeOf = (from: string, event: string, to: string) => `${from} ${event} ${to}`

const tokensAt = (issuedAt: number, refreshToken: boolean) =>
  TokenSet.make({
    accessToken: "model-access",
    issuedAt,
    expiresAt: issuedAt + hour,
    ...(refreshToken ? { refreshToken: "model-refresh" } : {}),
    scopes: ["read"]
  })

const request = Redacted.make(
  new Callback.AuthorizationRequest({
    url: "https://as.example/authorize",
    state: Redacted.make("model-state"),
    scopes: ["read"],
    issRequired: false
  })
)

const device = Redacted.make(
  new OAuthClient.DeviceAuthorization({
    deviceCode: Redacted.make("model-device-code"),
    userCode: "MODL-CODE",
    verificationUri: "https://as.example/device",
    expiresAt: authorizationTimeout,
    interval: 5,
    scopes: ["read"],
    extra: {}
  })
)

/** Every path `getShortestPaths` finds for one flavour of the machine. */
const modelPaths = (flavour: Flavour): ReadonlyArray<ModelPath> => {
  let now = 0
  const machine = SessionMachine.make(
    { key: "alice", refresh: flavour.refresh, retry },
    { now: () => now, run: () => { throw new Error("the model never runs actors") } }
  )
  const times = new WeakMap<object, number>()
  const timeOf = (snapshot: Snapshot) => times.get(snapshot) ?? 0

  const after = (delay: string, state: string) => `xstate.after.${delay}.session.${state}`
  const firesAt = (snapshot: Snapshot, event: ModelEvent): number => {
    const t = timeOf(snapshot)
    const tokens = snapshot.context.tokens
    switch (event.type as string) {
      case after("accessTokenExpiry", "authorized"):
        return tokens?.expiresAt ?? t
      case after("refreshWindow", "authorized"):
        return tokens === undefined ? t : TokenSet.refreshAt(tokens) ?? t
      case after("authorizationTimeout", "authorizing"):
        return t + authorizationTimeout
      case after("retryDelay", "refreshing.backingOff"):
        return t + snapshot.context.retryDelay
      default:
        return t
    }
  }
  // Guards read `now`: set it to the moment the event happens, and remember it
  // for the snapshot that results.
  const logic: typeof machine = Object.assign(Object.create(machine) as typeof machine, {
    transition: (snapshot: Snapshot, event: ModelEvent, scope: Parameters<typeof machine.transition>[2]) => {
      now = firesAt(snapshot, event)
      const next = machine.transition(snapshot, event, scope)
      times.set(next, now)
      return next
    }
  })

  const hasRefreshToken = (snapshot: Snapshot) => snapshot.context.tokens?.refreshToken !== undefined
  const isInitial = ({ context }: Snapshot) =>
    context.tokens === undefined && context.error === undefined && context.requestedScopes.length === 0
  const timer = (delay: string, state: string): ModelEvent =>
    ({ type: after(delay, state), variant: "timer" }) as unknown as ModelEvent

  const events = (snapshot: Snapshot): ReadonlyArray<ModelEvent> => {
    const t = timeOf(snapshot)
    const { context } = snapshot
    switch (SessionMachine.stateOf(snapshot)) {
      case "unauthorized":
        return [
          { type: "AUTHORIZE", request, variant: "authorize" },
          { type: "AUTHORIZE_DEVICE", authorization: device, variant: "authorizeDevice" },
          { type: "REVOKE", variant: "revoke" },
          ...(isInitial(snapshot)
            ? [
              { type: "LOADED", tokens: tokensAt(t, flavour.refreshTokens), version: 1, variant: "fresh" } as const,
              { type: "LOADED", tokens: tokensAt(t - 2 * hour, flavour.refreshTokens), version: 1, variant: "expired" } as const
            ]
            : [])
        ]
      case "authorizing": {
        const callback = context.callback === undefined ? undefined : Redacted.value(context.callback)
        if (callback === "approved") {
          return [{
            type: "STORED",
            tokens: tokensAt(t, flavour.refreshTokens),
            version: 1,
            source: "authorization",
            variant: "exchanged"
          }]
        }
        if (callback === "forged") {
          return [{
            type: "FAILED",
            error: new SessionError.AuthorizationFailed({ reason: "Callback" }),
            variant: "refused"
          }]
        }
        // A device authorization's outcomes take the same STORED and FAILED
        // transitions as the code flow's; the fake server's users never approve
        // one (OAuthSession.deviceFlow.test.ts covers them against real servers).
        return [
          { type: "AUTHORIZE", request, variant: "authorize" },
          { type: "AUTHORIZE_DEVICE", authorization: device, variant: "authorizeDevice" },
          ...(context.device === undefined
            ? [
              { type: "CALLBACK", url: Redacted.make("approved"), variant: "approved" } as const,
              { type: "CALLBACK", url: Redacted.make("forged"), variant: "forged" } as const
            ]
            : []),
          { type: "REVOKE", variant: "revoke" },
          timer("authorizationTimeout", "authorizing")
        ]
      }
      case "authorized": {
        // The timer that fires first and takes a transition.
        const eagerRefresh = flavour.refresh === "eager" && hasRefreshToken(snapshot) && context.error === undefined
        return [
          eagerRefresh ? timer("refreshWindow", "authorized") : timer("accessTokenExpiry", "authorized"),
          ...(hasRefreshToken(snapshot) ? [{ type: "REFRESH", variant: "refresh" } as const] : []),
          { type: "TOKEN_REJECTED", variant: "rejected" },
          { type: "REVOKE", variant: "revoke" }
        ]
      }
      case "expired":
        // `after 0` leaves at once when one of its guards holds.
        return !hasRefreshToken(snapshot) || (flavour.refresh === "eager" && context.error === undefined)
          ? [timer("0", "expired")]
          : [{ type: "REFRESH", variant: "demand" }, { type: "REVOKE", variant: "revoke" }]
      case "refreshing":
        // Backing off, the session waits for its timer (or a revocation); requesting, for the server.
        if (snapshot.matches({ refreshing: "backingOff" })) {
          return [timer("retryDelay", "refreshing.backingOff"), { type: "REVOKE", variant: "revoke" }]
        }
        return [
          { type: "STORED", tokens: tokensAt(t, true), version: 2, source: "refresh", variant: "refreshed" },
          {
            type: "FAILED",
            error: new SessionError.RefreshFailed({ cause: Fake.unavailable(), attempts: context.attempt + 1 }),
            variant: "transient"
          },
          { type: "FAILED", error: new SessionError.SessionRevoked({ reason: "GrantRejected" }), variant: "grantDead" },
          { type: "REVOKE", variant: "revoke" }
        ]
      case "revoked":
        // Revoking, the session waits for the server (a revocation of no tokens asks none).
        if (snapshot.matches({ revoked: "revoking" })) {
          return [
            { type: "REVOKED", variant: "revokedAtServer" },
            ...(context.revocation?.tokens === undefined ? [] : [{
              type: "FAILED",
              error: new SessionError.RevocationFailed({ cause: Fake.transportError() }),
              variant: "revocationFailed"
            } as const])
          ]
        }
        return [
          { type: "AUTHORIZE", request, variant: "authorize" },
          { type: "AUTHORIZE_DEVICE", authorization: device, variant: "authorizeDevice" }
        ]
    }
  }

  const serializeState = (snapshot: Snapshot, event?: ModelEvent, previous?: Snapshot) => {
    const { context } = snapshot
    const t = timeOf(snapshot)
    return JSON.stringify({
      edge: event === undefined || previous === undefined ? "init" : edgeOf(SessionMachine.stateOf(previous), event.type, SessionMachine.stateOf(snapshot)),
      value: snapshot.value,
      tokens: context.tokens === undefined ? "none" : hasRefreshToken(snapshot) ? "refresh" : "access",
      usable: context.tokens !== undefined && !context.rejected && !TokenSet.isExpired(context.tokens, t),
      callback: context.callback === undefined ? "none" : Redacted.value(context.callback),
      device: context.device === undefined ? "none" : "pending",
      initial: isInitial(snapshot),
      error: context.error?._tag ?? "none",
      attempt: context.attempt
    })
  }

  return getShortestPaths(logic, {
    events,
    serializeState: serializeState as (snapshot: Snapshot, event?: unknown, previous?: Snapshot) => string,
    serializeEvent: (event) => JSON.stringify([event.type, (event as ModelEvent).variant])
  }).map((path) => ({
    flavour,
    steps: path.steps.slice(1).map((step, i) => ({
      from: path.steps[i]!.state,
      event: step.event as ModelEvent,
      to: step.state
    }))
  }))
}

const declared = SessionMachine.transitions(
  SessionMachine.make({ key: "k", refresh: "eager" }, { now: () => 0, run: () => { throw new Error("not started") } })
).map(({ event, from, to }) => edgeOf(from, event, to))

/**
 * Declared transitions no path can take through the public API, and why. The
 * test fails if one of them becomes reachable, or another one stops being so.
 */
const unreachable: Record<string, string> = {
  [edgeOf("authorized", "REFRESH", "expired")]:
    "needs an expired token while still authorized: on the test clock the accessTokenExpiry timer leaves first (only a late timer, as in a suspended process, takes it)",
  [edgeOf("expired", "REFRESH", "unauthorized")]:
    "needs no usable refresh token in expired: `after 0` leaves for unauthorized first"
}

/** For each declared transition, the shortest path of any flavour that ends with it. */
const coverage = (): ReadonlyMap<string, ModelPath> => {
  const chosen = new Map<string, ModelPath>()
  for (const flavour of flavours) {
    for (const path of modelPaths(flavour)) {
      const last = path.steps.at(-1)
      if (last === undefined) continue
      const edge = edgeOf(SessionMachine.stateOf(last.from), last.event.type, SessionMachine.stateOf(last.to))
      const best = chosen.get(edge)
      if (best === undefined || path.steps.length < best.steps.length) chosen.set(edge, path)
    }
  }
  return chosen
}

const paths = coverage()

/** `xstate.after.accessTokenExpiry.session.authorized` → `after accessTokenExpiry`. */
const label = (eventType: string) => eventType.replace(/^xstate\.after\.(\w+)\..*/, "after $1")

const describePath = ({ flavour, steps }: ModelPath) =>
  `${flavour.refresh}${flavour.refreshTokens ? "" : ", no refresh tokens"}: ${
    ["unauthorized", ...steps.map((step) => `${label(step.event.type)} → ${JSON.stringify(step.to.value).replaceAll('"', "")}`)].join(" — ")
  }`

/**
 * Replays `path` on a real session over the fake token server: each model event
 * becomes what produces it in a running session (a call of the API, a move of
 * the `TestClock`, a server behaviour armed one step ahead), and each
 * transition the actor takes (`@xstate.microstep`) must be the path's next one.
 */
const replay = (path: ModelPath) =>
  Effect.gen(function*() {
    const h = yield* harness({ refreshTokens: path.flavour.refreshTokens })
    const taken = yield* Queue.unbounded<string>()
    const inspect = (event: InspectionEvent) => {
      if (event.type !== "@xstate.microstep") return
      for (const transition of event._transitions) {
        const target = transition.target?.[0]
        if (target !== undefined) taken.unsafeOffer(edgeOf(transition.source.path[0]!, transition.eventType, target.path[0]!))
      }
    }
    const next = Effect.race(
      Effect.map(Queue.take(taken), Option.some),
      TestServices.provideLive(Effect.as(Effect.sleep("5 seconds"), Option.none<string>()))
    )

    // A step whose event follows from earlier ones with no stimulus of its own:
    // the answer to a request already sent, a callback's outcome, `after 0`.
    const automatic = (step: Step) =>
      ["refreshed", "transient", "grantDead", "revokedAtServer", "revocationFailed"].includes(step.event.variant) ||
      step.event.variant === "exchanged" || step.event.variant === "refused" ||
      (step.event.type as string) === "xstate.after.0.session.expired"
    // What happens to a refresh is arranged at the server before its request is
    // sent, i.e. before the stimulus that enters refreshing: arm every step up to
    // and including the next one that needs a stimulus of its own.
    const armed = new Set<number>()
    const arm = (from: number) =>
      Effect.gen(function*() {
        for (let j = from; j < path.steps.length; j++) {
          const step = path.steps[j]!
          if (!armed.has(j) && SessionMachine.stateOf(step.from) === "refreshing") {
            if (step.event.variant === "transient") h.server.failNext("refresh", Fake.unavailable())
            if (step.event.variant === "grantDead") h.server.revokeAll()
            if (step.event.variant === "revoke") yield* h.server.hold()
          }
          if (!armed.has(j) && step.event.variant === "revocationFailed") h.server.failNext("revoke", Fake.transportError())
          armed.add(j)
          if (j > from && !automatic(step)) return
        }
      })

    let pending: Callback.AuthorizationRequest | undefined
    const stimulus = (s: OAuthSession.OAuthSession, step: Step) =>
      Effect.gen(function*() {
        const { context } = s.actor.getSnapshot()
        const now = yield* TestClock.currentTimeMillis
        const type: string = step.event.type
        if (type.startsWith("xstate.after.accessTokenExpiry")) return yield* TestClock.adjust(context.tokens!.expiresAt! - now)
        if (type.startsWith("xstate.after.refreshWindow")) return yield* TestClock.adjust(TokenSet.refreshAt(context.tokens!)! - now)
        if (type.startsWith("xstate.after.authorizationTimeout")) return yield* TestClock.adjust(authorizationTimeout)
        // The real session drew its own jitter: wait its delay, not the model's.
        if (type.startsWith("xstate.after.retryDelay")) return yield* TestClock.adjust(context.retryDelay)
        switch (step.event.variant) {
          case "authorize":
            pending = yield* s.authorize()
            return
          case "authorizeDevice":
            yield* s.authorizeDevice()
            return
          case "approved":
          case "forged": {
            const url = h.server.approve(pending!)
            const callback = step.event.variant === "approved" ? url : url.replace(/state=[^&]+/, "state=forged")
            yield* Effect.fork(s.completeAuthorization(callback))
            return
          }
          case "refresh":
            yield* Effect.fork(s.refresh)
            return
          case "demand":
            yield* Effect.fork(s.accessToken)
            return
          case "rejected":
            return yield* s.tokenRejected(context.tokens!.accessToken)
          case "revoke":
            yield* Effect.fork(s.revoke)
            return
        }
      })

    const first = path.steps[0]!
    if (first.event.type === "LOADED") {
      const seeded = yield* h.server.seed(["read"], first.event.variant === "expired" ? 2 * hour : 0)
      yield* h.store.compareAndSet("alice", undefined, seeded)
    }
    yield* arm(first.event.type === "LOADED" ? 1 : 0)
    const s = yield* session(h, { refresh: path.flavour.refresh, retry, inspect })
    for (const [i, step] of path.steps.entries()) {
      if (i > 0 || step.event.type !== "LOADED") {
        yield* arm(i)
        if (!automatic(step)) yield* stimulus(s, step)
      }
      const actual = yield* next
      expect(Option.getOrElse(actual, () => "no transition"), `step ${i + 1} of ${describePath(path)}`)
        .toBe(edgeOf(SessionMachine.stateOf(step.from), step.event.type, SessionMachine.stateOf(step.to)))
    }
    // The session reached the path's target; anything it did since leaves from there.
    const target = SessionMachine.stateOf(path.steps.at(-1)!.to)
    const since = Chunk.toReadonlyArray(yield* Queue.takeAll(taken))
    if (since.length === 0) expect(SessionMachine.stateOf(s.actor.getSnapshot())).toBe(target)
    else expect(since[0]!.startsWith(`${target} `)).toBe(true)
  })

describe("SessionMachine / coverage", () => {
  it("finds a path to every declared transition except the unreachable ones, and no undeclared one", () => {
    const covered = [...paths.keys()]
    for (const edge of covered) expect(declared).toContain(edge)
    expect(new Set(covered)).toEqual(new Set(declared.filter((edge) => !(edge in unreachable))))
  })

  for (const path of paths.values()) {
    const { event, from, to } = path.steps.at(-1)!
    it.scoped(`takes ${SessionMachine.stateOf(from)} —${label(event.type)}→ ${SessionMachine.stateOf(to)} on a real session (${describePath(path)})`, () =>
      replay(path))
  }
})
