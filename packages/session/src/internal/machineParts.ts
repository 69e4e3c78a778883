/**
 * The named parts of the session machine that need no `assign`: the invoked
 * actors (Effect programs), the guards and the delays.
 *
 * @internal
 */
import { OAuthError, TokenSet } from "@effect-oauth/core"
import type { OAuthClient } from "@effect-oauth/core"
import { Cause, Effect, Equal, Exit, FiberId } from "effect"
import { fromCallback } from "xstate"
import type { AnyStateNode, EventObject } from "xstate"
import type * as SessionMachine from "../SessionMachine.js"
import type * as TokenStore from "../TokenStore.js"
import { AuthorizationFailed, RefreshFailed, RevocationFailed } from "../SessionError.js"
import type { SessionError } from "../SessionError.js"
import type { Config } from "./config.js"
import * as programs from "./programs.js"
import * as View from "./view.js"

type Requirements = OAuthClient.OAuthClient | TokenStore.TokenStore
type Context = SessionMachine.Context
type Event = SessionMachine.Event
type Run = SessionMachine.Environment["run"]
/** What starts an actor's programs: a session, or the environment of a machine of its own. @internal */
export interface Runner {
  readonly fork: Run
}
/** The runner of an actor's programs, by its actor system. @internal */
export type RunOf = (system: object) => Runner

/** The machine's input: the session key (default: the key of the options it was built with). @internal */
export interface Input {
  readonly key: string
}

const { ConfigurationError } = OAuthError
type ConfigurationError = OAuthError.ConfigurationError


/**
 * An invoked actor running an Effect program: `fromCallback` forks the fiber and
 * returns its interruption as the cleanup (XState calls it when the state is
 * left); the typed `Exit` becomes an event. An interrupted fiber sends nothing.
 */
const effectActor = <I, A, E>(
  runOf: RunOf,
  program: (input: I, sendBack: (event: Event) => void) => Effect.Effect<A, E, Requirements>,
  onSuccess: (value: A) => Event,
  onFailure: (error: E) => Event
) =>
  fromCallback<EventObject, I>(({ input, sendBack, system }) => {
    // The fiber succeeds with the program's `Exit`, so a typed failure is not
    // reported as an unhandled fiber failure; only interruption fails it.
    const fiber = runOf(system).fork(Effect.exit(program(input, sendBack)))
    fiber.addObserver((outcome) => {
      if (Exit.isFailure(outcome)) return
      const exit = outcome.value
      if (Exit.isSuccess(exit)) return sendBack(onSuccess(exit.value))
      const failure = Cause.failureOption(exit.cause)
      if (failure._tag === "Some") sendBack(onFailure(failure.value))
    })
    return () => fiber.unsafeInterruptAsFork(FiberId.none)
  })

// A defect is a bug, not a protocol outcome: it is logged (by name only, a
// defect may hold anything) and reported as a failure a human must look at, so
// that no caller waits forever on a state that will not change.
const unexpected = (actor: string) =>
<A, E, R>(self: Effect.Effect<A, E, R>, toError: (cause: ConfigurationError) => E) =>
  Effect.catchAllDefect(self, (defect) =>
    Effect.zipRight(
      Effect.logError(`session actor ${actor} failed unexpectedly`, defect instanceof Error ? defect.name : typeof defect),
      Effect.fail(toError(
        new ConfigurationError({ reason: "Unsupported", detail: `the ${actor} program failed unexpectedly (see the log)` })
      ))
    ))

const stored = (value: programs.Stored): Event => ({ type: "STORED", ...value })
const failed = (error: SessionError): Event => ({ type: "FAILED", error })
const refreshFailed = (error: SessionError | programs.Unsaved): Event =>
  error._tag === "Unsaved"
    ? { type: "FAILED", error: error.error, unsaved: error.tokens, lease: error.lease }
    : failed(error)

/** The invoked actors; a program works on the key of the actor it runs for (`keyed`). @internal */
export const actors = (run: RunOf, keyed: (key: string) => Config) => ({
  // Runs in `authorizing.exchangingCode`, once the callback arrived.
  completeAuthorization: effectActor(
    run,
    (input: programs.AuthorizationInput & Input) =>
      unexpected("completeAuthorization")(
        programs.completeAuthorization(keyed(input.key), input),
        (cause) => new AuthorizationFailed({ reason: "Exchange", cause })
      ),
    stored,
    failed
  ),
  // Runs in `authorizing.pollingDevice`.
  pollDeviceToken: effectActor(
    run,
    (input: programs.DeviceInput & Input, sendBack) =>
      unexpected("pollDeviceToken")(
        programs.pollDeviceToken(
          keyed(input.key),
          input,
          (poll) => Effect.sync(() => sendBack({ type: "DEVICE_POLLED", poll }))
        ),
        (cause) => new AuthorizationFailed({ reason: "Exchange", cause })
      ),
    stored,
    failed
  ),
  refreshTokens: effectActor(
    run,
    (input: programs.RefreshInput & Input) =>
      unexpected("refreshTokens")(
        programs.refreshTokens(keyed(input.key), input),
        (cause) => new RefreshFailed({ cause, attempts: input.attempt + 1 })
      ),
    stored,
    refreshFailed
  ),
  // Runs in `revoked.revoking`.
  revokeGrant: effectActor(
    run,
    (input: programs.RevocationInput & Input) =>
      unexpected("revokeGrant")(
        programs.revokeGrant(keyed(input.key), input),
        (cause) => new RevocationFailed({ cause })
      ),
    (): Event => ({ type: "REVOKED" }),
    failed
  )
})

/** @internal */
export const isResponseLost = (error: SessionError) => error._tag === "RefreshFailed" && error.responseLost

/** The requested scopes the grant lacks. @internal */
export const difference = (requested: ReadonlyArray<string>, granted: ReadonlyArray<string>) =>
  requested.filter((scope) => !granted.includes(scope))

/** No authorization pending: the context an ended (or replaced) authorization leaves. @internal */
export const noAuthorization = { request: undefined, callback: undefined, device: undefined, devicePoll: undefined } as const

/** @internal */
export const hasUsableRefreshToken = (context: Context, at: number) =>
  context.tokens?.refreshToken !== undefined && !TokenSet.isRefreshTokenExpired(context.tokens, at)

/** @internal */
export const refreshTokenExpiring = (config: Config, tokens: TokenSet.TokenSet | undefined, at: number) =>
  tokens?.refreshToken !== undefined && tokens.refreshTokenExpiresAt !== undefined &&
  tokens.refreshTokenExpiresAt - at <= config.refreshTokenWarningMillis

interface Args {
  readonly context: Context
  readonly event: Event
}

/** @internal */
export const guards = (config: Config, now: () => number) => ({
  isLoadedTokenUsable: ({ event }) => event.type === "LOADED" && !TokenSet.isExpired(event.tokens, now()),
  hasUsableRefreshToken: ({ context }) => hasUsableRefreshToken(context, now()),
  isAccessTokenUsable: ({ context }) => View.usable(context, now()) !== undefined,
  isEager: () => config.eager,
  hasError: ({ context }) => context.error !== undefined,
  hasAuthorizationRequest: ({ context }) => context.request !== undefined,
  isCurrentToken: ({ context, event }) =>
    event.type === "TOKEN_REJECTED" && context.tokens !== undefined &&
    (event.accessToken === undefined || Equal.equals(event.accessToken, context.tokens.accessToken)),
  isGrantDead: ({ event }) => event.type === "FAILED" && event.error._tag === "SessionRevoked",
  canRetry: ({ context, event }) => {
    if (event.type !== "FAILED" || event.error._tag !== "RefreshFailed") return false
    const error = event.error
    const retryAfter = error.retryAfter
    return error.remedy === "retry" && context.attempt + 1 < config.maxAttempts &&
      (retryAfter === undefined || retryAfter * 1000 <= config.maxDelayMillis)
  },
  isRefreshTokenExpiringFlagged: ({ context }) => context.refreshTokenExpiring
}) satisfies Record<string, (args: Args) => boolean>

/** @internal */
export const delays = (config: Config, now: () => number) => {
  // Until `deadline`, never longer than the token's whole lifetime: a clock set
  // back after issuance cannot stretch a token's life (DESIGN §4, invariant 9).
  const until = (tokens: TokenSet.TokenSet, deadline: number | undefined) =>
    deadline === undefined
      ? Number.POSITIVE_INFINITY
      : Math.max(0, Math.min(deadline - now(), deadline - tokens.issuedAt))
  return {
    accessTokenExpiry: ({ context }) =>
      context.tokens === undefined ? Number.POSITIVE_INFINITY : until(context.tokens, context.tokens.expiresAt),
    refreshWindow: ({ context }) =>
      !config.eager || context.tokens === undefined
        ? Number.POSITIVE_INFINITY
        : until(context.tokens, TokenSet.refreshAt(context.tokens, config.margin)),
    refreshTokenWarning: ({ context }) => {
      const at = context.tokens?.refreshTokenExpiresAt
      return context.tokens === undefined || at === undefined || context.refreshTokenExpiring
        ? Number.POSITIVE_INFINITY
        : Math.max(0, at - config.refreshTokenWarningMillis - now())
    },
    authorizationTimeout: () => config.authorizationTimeoutMillis,
    retryDelay: ({ context }) => context.retryDelay
  } satisfies Record<string, (args: Args) => number>
}

/** A session's context before anything happened. @internal */
export const initialContext = (key: string, requestedScopes: ReadonlyArray<string>): Context => ({
  key,
  tokens: undefined,
  version: undefined,
  rejected: false,
  lapsed: false,
  request: undefined,
  callback: undefined,
  device: undefined,
  devicePoll: undefined,
  requestedScopes,
  missingScopes: [],
  error: undefined,
  attempt: 0,
  retryDelay: 0,
  responseLost: false,
  refreshTokenExpiring: false,
  revocation: undefined,
  unsaved: undefined,
  unsavedLease: undefined
})

// The runners of the actors of shared machines, by actor system (one per root actor).
const runners = new WeakMap<object, Runner>()

/** The same runner for every actor (a machine built for one session). @internal */
export const runOfRunner = (runner: Runner): RunOf => () => runner

/** @internal */
export const runOfSystem: RunOf = (system) => {
  const runner = runners.get(system)
  if (runner === undefined) throw new Error("a shared session machine ran in an actor without a runtime (bindRun)")
  return runner
}

/** @internal */
export const bindRun = (actor: { readonly system: object }, runner: Runner): void => {
  runners.set(actor.system, runner)
}

/** @internal */
export const transitions = (machine: { readonly root: AnyStateNode }): ReadonlyArray<SessionMachine.Transition> => {
  const found = new Map<string, SessionMachine.Transition>()
  const visit = (node: AnyStateNode) => {
    const from = node.path[0] as SessionMachine.State
    for (const [event, definitions] of node.transitions) {
      for (const definition of definitions) {
        for (const target of definition.target ?? []) {
          const to = target.path[0] as SessionMachine.State
          found.set(`${from} ${event} ${to}`, { from, to, event })
        }
      }
    }
    for (const child of Object.values(node.states)) visit(child)
  }
  for (const node of Object.values(machine.root.states)) visit(node)
  return [...found.values()]
}
