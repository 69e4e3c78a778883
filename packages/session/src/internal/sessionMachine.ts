import { OAuthError, TokenSet } from "@effect-oauth/core"
import type { OAuthClient } from "@effect-oauth/core"
import { Cause, Effect, Equal, Exit, FiberId, Redacted } from "effect"
import { and, assign, fromCallback, not, setup } from "xstate"
import type { EventObject } from "xstate"
import type * as SessionMachine from "../SessionMachine.js"
import type * as TokenStore from "../TokenStore.js"
import { AuthorizationFailed, RefreshFailed, RevocationFailed, Unauthorized } from "../SessionError.js"
import type { SessionError } from "../SessionError.js"
import { type Config, resolve } from "./config.js"
import * as programs from "./programs.js"
import * as View from "./view.js"

const { ConfigurationError } = OAuthError
type ConfigurationError = OAuthError.ConfigurationError
type Requirements = OAuthClient.OAuthClient | TokenStore.TokenStore

type Context = SessionMachine.Context
type Event = SessionMachine.Event

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
    const fiber = runOf(system)(Effect.exit(program(input, sendBack)))
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

const isResponseLost = (error: SessionError) => error._tag === "RefreshFailed" && error.responseLost

const difference = (requested: ReadonlyArray<string>, granted: ReadonlyArray<string>) =>
  requested.filter((scope) => !granted.includes(scope))

type Run = SessionMachine.Environment["run"]
type RunOf = (system: object) => Run

/** The machine's input: the session key (default: the key of the options it was built with). @internal */
export interface Input {
  readonly key: string
}

/** @internal */
export const make = (options: SessionMachine.Options, environment: SessionMachine.Environment) =>
  build(options, environment.now, () => environment.run, environment.random ?? Math.random)

// The runtimes of the actors of shared machines, by actor system (one per root actor).
const runs = new WeakMap<object, Run>()

const runOfSystem: RunOf = (system) => {
  const run = runs.get(system)
  if (run === undefined) throw new Error("a shared session machine ran in an actor without a runtime (bindRun)")
  return run
}

/**
 * One machine for many sessions with the same options and clock (building a
 * machine costs far more than starting an actor): each actor gets its session
 * key as `input` and its runtime through {@link bindRun} before it starts.
 *
 * @internal
 */
export const makeShared = (options: SessionMachine.Options, now: () => number) =>
  build(options, now, runOfSystem, Math.random)

/** Gives an actor of a {@link makeShared} machine the runtime of its programs. @internal */
export const bindRun = (actor: { readonly system: object }, run: Run): void => {
  runs.set(actor.system, run)
}

const build = (options: SessionMachine.Options, now: () => number, run: RunOf, random: () => number) => {
  const config: Config = resolve(options)
  // A program works on the key of the actor it runs for.
  const keyed = (key: string): Config => key === config.key ? config : { ...config, key }

  const hasUsableRefreshToken = (context: Context) =>
    context.tokens?.refreshToken !== undefined && !TokenSet.isRefreshTokenExpired(context.tokens, now())
  const refreshTokenExpiring = (tokens: TokenSet.TokenSet | undefined, at: number) =>
    tokens?.refreshToken !== undefined && tokens.refreshTokenExpiresAt !== undefined &&
    tokens.refreshTokenExpiresAt - at <= config.refreshTokenWarningMillis
  // Until `deadline`, never longer than the token's whole lifetime: a clock set
  // back after issuance cannot stretch a token's life (DESIGN §4, invariant 9).
  const until = (tokens: TokenSet.TokenSet, deadline: number | undefined) =>
    deadline === undefined
      ? Number.POSITIVE_INFINITY
      : Math.max(0, Math.min(deadline - now(), deadline - tokens.issuedAt))

  return setup({
    types: {} as {
      context: Context
      events: Event
      input: Input | undefined
    },
    actors: {
      // Idle (until the state is left) while no callback has arrived.
      completeAuthorization: effectActor(
        run,
        (input: (programs.AuthorizationInput & Input) | undefined) =>
          input === undefined
            ? Effect.never
            : unexpected("completeAuthorization")(
              programs.completeAuthorization(keyed(input.key), input),
              (cause) => new AuthorizationFailed({ reason: "Exchange", cause })
            ),
        stored,
        failed
      ),
      // Idle (until the state is left) while no device authorization is pending.
      pollDeviceToken: effectActor(
        run,
        (input: (programs.DeviceInput & Input) | undefined, sendBack) =>
          input === undefined
            ? Effect.never
            : unexpected("pollDeviceToken")(
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
      // Idle while no revocation is pending (entered after a rejected grant).
      revokeGrant: effectActor(
        run,
        (input: (programs.RevocationInput & Input) | undefined) =>
          input === undefined
            ? Effect.never
            : unexpected("revokeGrant")(
              programs.revokeGrant(keyed(input.key), input),
              (cause) => new RevocationFailed({ cause })
            ),
        (): Event => ({ type: "REVOKED" }),
        failed
      )
    },
    guards: {
      isLoadedTokenUsable: ({ event }) => event.type === "LOADED" && !TokenSet.isExpired(event.tokens, now()),
      hasUsableRefreshToken: ({ context }) => hasUsableRefreshToken(context),
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
    },
    actions: {
      loadTokens: assign(({ context, event }) =>
        event.type === "LOADED"
          ? {
            tokens: event.tokens,
            version: event.version,
            rejected: false,
            lapsed: false,
            missingScopes: difference(context.requestedScopes, event.tokens.scopes),
            error: undefined,
            responseLost: false
          }
          : {}
      ),
      startAuthorization: assign(({ event }) => {
        if (event.type !== "AUTHORIZE") return {}
        return {
          request: event.request,
          callback: undefined,
          device: undefined,
          devicePoll: undefined,
          requestedScopes: Redacted.value(event.request).scopes,
          missingScopes: [],
          error: undefined
        }
      }),
      startDeviceAuthorization: assign(({ event }) => {
        if (event.type !== "AUTHORIZE_DEVICE") return {}
        return {
          request: undefined,
          callback: undefined,
          device: event.authorization,
          devicePoll: undefined,
          requestedScopes: Redacted.value(event.authorization).scopes,
          missingScopes: [],
          error: undefined
        }
      }),
      recordDevicePoll: assign(({ event }) => event.type === "DEVICE_POLLED" ? { devicePoll: event.poll } : {}),
      acceptCallback: assign(({ event }) => event.type === "CALLBACK" ? { callback: event.url, error: undefined } : {}),
      storeTokens: assign(({ context, event }) => {
        if (event.type !== "STORED") return {}
        return {
          tokens: event.tokens,
          version: event.version,
          rejected: false,
          lapsed: false,
          request: undefined,
          callback: undefined,
          device: undefined,
          devicePoll: undefined,
          missingScopes: difference(context.requestedScopes, event.tokens.scopes),
          error: undefined,
          attempt: 0,
          retryDelay: 0,
          responseLost: false,
          unsaved: undefined,
          unsavedLease: undefined
        }
      }),
      keepError: assign(({ context, event }) =>
        event.type === "FAILED"
          ? {
            error: event.error,
            unsaved: event.unsaved,
            unsavedLease: event.lease,
            responseLost: context.responseLost || isResponseLost(event.error)
          }
          : {}
      ),
      endAuthorization: assign({ request: undefined, callback: undefined, device: undefined, devicePoll: undefined }),
      failAuthorizationTimeout: assign({
        request: undefined,
        callback: undefined,
        device: undefined,
        devicePoll: undefined,
        error: () => new AuthorizationFailed({ reason: "Timeout" })
      }),
      startRefreshCycle: assign({ attempt: 0, retryDelay: 0, error: undefined }),
      scheduleRetry: assign(({ context, event }) => {
        if (event.type !== "FAILED") return {}
        const attempt = context.attempt + 1
        const backoff = Math.min(config.maxDelayMillis, config.initialDelayMillis * 2 ** (attempt - 1))
        // "Equal jitter": between half the back-off and all of it, so that
        // sessions failing together do not retry together; never before the
        // server's `Retry-After` (RFC 9110 §10.2.3).
        const jittered = Math.round(backoff * (0.5 + 0.5 * random()))
        const retryAfter = event.error._tag === "RefreshFailed" ? event.error.retryAfter : undefined
        return {
          attempt,
          retryDelay: retryAfter === undefined ? jittered : Math.max(jittered, retryAfter * 1000),
          error: event.error,
          unsaved: event.unsaved,
          unsavedLease: event.lease,
          responseLost: context.responseLost || isResponseLost(event.error)
        }
      }),
      endRefreshCycle: assign({ attempt: 0, retryDelay: 0 }),
      markRejected: assign({ rejected: true }),
      markLapsed: assign({ lapsed: true }),
      requireReauthorization: assign(({ context }) => ({
        tokens: undefined,
        unsaved: undefined,
        unsavedLease: undefined,
        rejected: false,
        lapsed: false,
        refreshTokenExpiring: false,
        error: new Unauthorized({
          reason: context.tokens?.refreshToken === undefined ? "NoRefreshToken" : "RefreshTokenExpired"
        })
      })),
      dropGrant: assign(({ event }) => ({
        tokens: undefined,
        unsaved: undefined,
        unsavedLease: undefined,
        rejected: false,
        lapsed: false,
        refreshTokenExpiring: false,
        attempt: 0,
        retryDelay: 0,
        responseLost: false,
        error: event.type === "FAILED" ? event.error : undefined
      })),
      beginRevocation: assign(({ context }) => ({
        // The newest grant: tokens issued but not stored supersede the held ones.
        revocation: { tokens: context.unsaved ?? context.tokens },
        tokens: undefined,
        unsaved: undefined,
        unsavedLease: undefined,
        rejected: false,
        lapsed: false,
        request: undefined,
        callback: undefined,
        device: undefined,
        devicePoll: undefined,
        refreshTokenExpiring: false,
        attempt: 0,
        retryDelay: 0,
        responseLost: false,
        error: undefined
      })),
      endRevocation: assign(({ event }) => ({
        revocation: undefined,
        ...(event.type === "FAILED" ? { error: event.error } : {})
      })),
      checkRefreshTokenExpiry: assign(({ context }) => ({
        refreshTokenExpiring: refreshTokenExpiring(context.tokens, now())
      })),
      markRefreshTokenExpiring: assign({ refreshTokenExpiring: true })
    },
    delays: {
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
    }
  }).createMachine({
    id: "session",
    initial: "unauthorized",
    context: ({ input }) => ({
      key: input?.key ?? config.key,
      tokens: undefined,
      version: undefined,
      rejected: false,
      lapsed: false,
      request: undefined,
      callback: undefined,
      device: undefined,
      devicePoll: undefined,
      requestedScopes: options.scopes ?? [],
      missingScopes: [],
      error: undefined,
      attempt: 0,
      retryDelay: 0,
      responseLost: false,
      refreshTokenExpiring: false,
      revocation: undefined,
      unsaved: undefined,
      unsavedLease: undefined
    }),
    states: {
      unauthorized: {
        on: {
          LOADED: [
            { guard: "isLoadedTokenUsable", target: "authorized", actions: "loadTokens" },
            { target: "expired", actions: "loadTokens" }
          ],
          AUTHORIZE: { target: "authorizing", actions: "startAuthorization" },
          AUTHORIZE_DEVICE: { target: "authorizing", actions: "startDeviceAuthorization" },
          REVOKE: { target: "revoked", actions: "beginRevocation" }
        }
      },
      authorizing: {
        invoke: [
          {
            src: "completeAuthorization",
            input: ({ context }) =>
              context.request === undefined || context.callback === undefined
                ? undefined
                : { key: context.key, request: context.request, callback: context.callback }
          },
          {
            src: "pollDeviceToken",
            input: ({ context }) =>
              context.device === undefined ? undefined : { key: context.key, authorization: context.device }
          }
        ],
        after: {
          authorizationTimeout: { target: "unauthorized", actions: "failAuthorizationTimeout" }
        },
        on: {
          AUTHORIZE: { target: "authorizing", reenter: true, actions: "startAuthorization" },
          AUTHORIZE_DEVICE: { target: "authorizing", reenter: true, actions: "startDeviceAuthorization" },
          CALLBACK: { guard: "hasAuthorizationRequest", target: "authorizing", reenter: true, actions: "acceptCallback" },
          DEVICE_POLLED: { actions: "recordDevicePoll" },
          STORED: { target: "authorized", actions: "storeTokens" },
          FAILED: { target: "unauthorized", actions: ["keepError", "endAuthorization"] },
          REVOKE: { target: "revoked", actions: "beginRevocation" }
        }
      },
      authorized: {
        tags: "usable",
        entry: "checkRefreshTokenExpiry",
        after: {
          refreshWindow: {
            guard: and(["isEager", "hasUsableRefreshToken", not("hasError")]),
            target: "refreshing",
            actions: "startRefreshCycle"
          },
          accessTokenExpiry: { target: "expired", actions: "markLapsed" },
          refreshTokenWarning: { guard: not("isRefreshTokenExpiringFlagged"), actions: "markRefreshTokenExpiring" }
        },
        on: {
          REFRESH: [
            { guard: "hasUsableRefreshToken", target: "refreshing", actions: "startRefreshCycle" },
            { guard: not("isAccessTokenUsable"), target: "expired" }
          ],
          TOKEN_REJECTED: [
            {
              guard: and(["isCurrentToken", "hasUsableRefreshToken"]),
              target: "refreshing",
              actions: ["markRejected", "startRefreshCycle"]
            },
            { guard: "isCurrentToken", target: "expired", actions: "markRejected" }
          ],
          REVOKE: { target: "revoked", actions: "beginRevocation" }
        }
      },
      expired: {
        entry: "checkRefreshTokenExpiry",
        // Not `always`: a state passed through in one step emits no snapshot,
        // and `expired` must be observable (inspector, `changes`).
        after: {
          0: [
            { guard: not("hasUsableRefreshToken"), target: "unauthorized", actions: "requireReauthorization" },
            { guard: and(["isEager", not("hasError")]), target: "refreshing", actions: "startRefreshCycle" }
          ],
          // A lazy session may wait here for days: the warning must come all the same.
          refreshTokenWarning: { guard: not("isRefreshTokenExpiringFlagged"), actions: "markRefreshTokenExpiring" }
        },
        on: {
          REFRESH: [
            { guard: "hasUsableRefreshToken", target: "refreshing", actions: "startRefreshCycle" },
            { target: "unauthorized", actions: "requireReauthorization" }
          ],
          REVOKE: { target: "revoked", actions: "beginRevocation" }
        }
      },
      refreshing: {
        tags: "busy",
        initial: "requesting",
        states: {
          requesting: {
            invoke: {
              src: "refreshTokens",
              input: ({ context }) => ({
                key: context.key,
                // Entered only with tokens held (guards on every transition in).
                tokens: context.tokens!,
                version: context.version,
                attempt: context.attempt,
                responseLost: context.responseLost,
                unsaved: context.unsaved,
                lease: context.unsavedLease
              })
            },
            on: {
              FAILED: { guard: "canRetry", target: "backingOff", actions: "scheduleRetry" }
            }
          },
          // A named delay, not a sleep in a program: the inspector shows the wait.
          backingOff: {
            after: { retryDelay: "requesting" }
          }
        },
        on: {
          STORED: { target: "authorized", actions: "storeTokens" },
          FAILED: [
            { guard: "isGrantDead", target: "revoked", actions: "dropGrant" },
            { guard: "isAccessTokenUsable", target: "authorized", actions: ["keepError", "endRefreshCycle"] },
            { target: "expired", actions: ["keepError", "endRefreshCycle"] }
          ],
          TOKEN_REJECTED: { guard: "isCurrentToken", actions: "markRejected" },
          REVOKE: { target: "revoked", actions: "beginRevocation" }
        }
      },
      revoked: {
        invoke: {
          src: "revokeGrant",
          input: ({ context }) => context.revocation === undefined ? undefined : { key: context.key, ...context.revocation }
        },
        on: {
          REVOKED: { actions: "endRevocation" },
          FAILED: { actions: "endRevocation" },
          AUTHORIZE: { target: "authorizing", actions: ["endRevocation", "startAuthorization"] },
          AUTHORIZE_DEVICE: { target: "authorizing", actions: ["endRevocation", "startDeviceAuthorization"] }
        }
      }
    }
  })
}
