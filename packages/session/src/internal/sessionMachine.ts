import { Redacted } from "effect"
import { and, assign, not, setup } from "xstate"
import type * as SessionMachine from "../SessionMachine.js"
import { AuthorizationFailed, Unauthorized } from "../SessionError.js"
import { type Config, resolve } from "./config.js"
import * as parts from "./machineParts.js"

type Context = SessionMachine.Context
type Event = SessionMachine.Event
type RunOf = parts.RunOf

/** @internal */
export type Input = parts.Input

/** @internal */
export const make = (options: SessionMachine.Options, environment: SessionMachine.Environment) =>
  build(options, environment.now, parts.runOfRunner({ fork: environment.run }), environment.random ?? Math.random)

/**
 * One machine for many sessions with the same options and clock (building a
 * machine costs far more than starting an actor): each actor gets its session
 * key as `input` and the runner of its programs through {@link bindRun}
 * before it starts.
 *
 * @internal
 */
export const makeShared = (options: SessionMachine.Options, now: () => number) =>
  build(options, now, parts.runOfSystem, Math.random)

/** Gives an actor of a {@link makeShared} machine the runtime of its programs. @internal */
export const bindRun = parts.bindRun

const build = (options: SessionMachine.Options, now: () => number, run: RunOf, random: () => number) => {
  const config: Config = resolve(options)
  // A program works on the key of the actor it runs for.
  const keyed = (key: string): Config => key === config.key ? config : { ...config, key }

  const refreshWindow = {
    guard: and(["isEager", "hasUsableRefreshToken", not("hasError")]),
    target: "refreshing",
    actions: "startRefreshCycle"
  } as const

  return setup({
    types: {} as {
      context: Context
      events: Event
      input: Input | undefined
    },
    actors: parts.actors(run, keyed),
    guards: parts.guards(config, now),
    actions: {
      loadTokens: assign(({ context, event }) =>
        event.type === "LOADED"
          ? {
            tokens: event.tokens,
            version: event.version,
            rejected: false,
            lapsed: false,
            missingScopes: parts.difference(context.requestedScopes, event.tokens.scopes),
            error: undefined,
            responseLost: false
          }
          : {}
      ),
      startAuthorization: assign(({ event }) => {
        if (event.type !== "AUTHORIZE") return {}
        return {
          ...parts.noAuthorization,
          request: event.request,
          requestedScopes: Redacted.value(event.request).scopes,
          missingScopes: [],
          error: undefined
        }
      }),
      startDeviceAuthorization: assign(({ event }) => {
        if (event.type !== "AUTHORIZE_DEVICE") return {}
        return {
          ...parts.noAuthorization,
          device: event.authorization,
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
          ...parts.noAuthorization,
          missingScopes: parts.difference(context.requestedScopes, event.tokens.scopes),
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
            responseLost: context.responseLost || parts.isResponseLost(event.error)
          }
          : {}
      ),
      endAuthorization: assign(parts.noAuthorization),
      failAuthorizationTimeout: assign({ ...parts.noAuthorization, error: () => new AuthorizationFailed({ reason: "Timeout" }) }),
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
          responseLost: context.responseLost || parts.isResponseLost(event.error)
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
        ...parts.noAuthorization,
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
        refreshTokenExpiring: parts.refreshTokenExpiring(config, context.tokens, now())
      })),
      markRefreshTokenExpiring: assign({ refreshTokenExpiring: true })
    },
    delays: parts.delays(config, now)
  }).createMachine({
    id: "session",
    initial: "unauthorized",
    context: ({ input }) => parts.initialContext(input?.key ?? config.key, options.scopes ?? []),
    states: {
      unauthorized: {
        on: {
          LOADED: [
            { guard: "isLoadedTokenUsable", target: "authorized", actions: "loadTokens" },
            { target: "expired", actions: "loadTokens" }
          ],
          AUTHORIZE: { target: "authorizing.awaitingCallback", actions: "startAuthorization" },
          AUTHORIZE_DEVICE: { target: "authorizing.pollingDevice", actions: "startDeviceAuthorization" },
          REVOKE: { target: "revoked.revoking", actions: "beginRevocation" }
        }
      },
      // Each flow's actor runs only in its substate: nothing idles.
      authorizing: {
        initial: "awaitingCallback",
        states: {
          // The user is at the authorization server; nothing runs until `CALLBACK`.
          awaitingCallback: {},
          exchangingCode: {
            invoke: {
              src: "completeAuthorization",
              // Entered only by `CALLBACK` with a request pending (`hasAuthorizationRequest`).
              input: ({ context }) => ({ key: context.key, request: context.request!, callback: context.callback! })
            }
          },
          pollingDevice: {
            invoke: {
              src: "pollDeviceToken",
              // Entered only by `AUTHORIZE_DEVICE`, which holds the device authorization.
              input: ({ context }) => ({ key: context.key, authorization: context.device! })
            },
            on: { DEVICE_POLLED: { actions: "recordDevicePoll" } }
          }
        },
        // Re-entering `authorizing` re-arms the timeout, as a new authorization or a callback should.
        after: {
          authorizationTimeout: { target: "unauthorized", actions: "failAuthorizationTimeout" }
        },
        on: {
          AUTHORIZE: { target: ".awaitingCallback", reenter: true, actions: "startAuthorization" },
          AUTHORIZE_DEVICE: { target: ".pollingDevice", reenter: true, actions: "startDeviceAuthorization" },
          CALLBACK: { guard: "hasAuthorizationRequest", target: ".exchangingCode", reenter: true, actions: "acceptCallback" },
          STORED: { target: "authorized", actions: "storeTokens" },
          FAILED: { target: "unauthorized", actions: ["keepError", "endAuthorization"] },
          REVOKE: { target: "revoked.revoking", actions: "beginRevocation" }
        }
      },
      authorized: {
        tags: "usable",
        entry: "checkRefreshTokenExpiry",
        after: {
          // Eager only: in a lazy session this delay never fires, yet each live one would hold it.
          ...(config.eager ? { refreshWindow } : {}),
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
          REVOKE: { target: "revoked.revoking", actions: "beginRevocation" }
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
          REVOKE: { target: "revoked.revoking", actions: "beginRevocation" }
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
          REVOKE: { target: "revoked.revoking", actions: "beginRevocation" }
        }
      },
      revoked: {
        // A grant refused or removed by the server or another holder: nothing to revoke.
        initial: "done",
        states: {
          // `REVOKE`: the store entry is deleted, then the server told (RFC 7009).
          revoking: {
            tags: "busy",
            invoke: {
              src: "revokeGrant",
              // Entered only by `REVOKE`, whose `beginRevocation` sets `revocation`.
              input: ({ context }) => ({ key: context.key, ...context.revocation! })
            },
            on: {
              REVOKED: { target: "done", actions: "endRevocation" },
              FAILED: { target: "done", actions: "endRevocation" }
            }
          },
          done: {}
        },
        on: {
          AUTHORIZE: { target: "authorizing.awaitingCallback", actions: ["endRevocation", "startAuthorization"] },
          AUTHORIZE_DEVICE: { target: "authorizing.pollingDevice", actions: ["endRevocation", "startDeviceAuthorization"] }
        }
      }
    }
  })
}

/** @internal */
export const transitions = parts.transitions
