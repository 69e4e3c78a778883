/**
 * The lifecycle of one grant as an XState v5 machine (DESIGN §4):
 *
 * ```text
 * unauthorized ── AUTHORIZE ──────────────→ authorizing ── CALLBACK, stored ──→ authorized
 * unauthorized ── AUTHORIZE_DEVICE ───────→ authorizing ── device approved, stored ──→ authorized
 *      │  LOADED (a stored grant) → authorized | expired      │ failed, denied, timeout → unauthorized
 *   (inside authorizing: awaitingCallback ── CALLBACK ──→ exchangingCode;  pollingDevice)
 * authorized ── access token expiry ──────→ expired
 * authorized ── refresh window (eager), REFRESH, TOKEN_REJECTED ──→ refreshing
 * expired ───── REFRESH (demand), at once when eager ──→ refreshing | unauthorized (no refresh token)
 * refreshing ── stored ──→ authorized;  transient, retries spent ──→ authorized (still valid) | expired
 *   (inside: requesting ── transient ──→ backingOff ── retryDelay ──→ requesting)
 * refreshing ── invalid_grant, no newer token in the store ──→ revoked (store cleared)
 * any state ─── REVOKE ──→ revoked ── AUTHORIZE ──→ authorizing
 *   (inside: revoking ── answered ──→ done;  a grant refused or removed enters done)
 * ```
 *
 * Each actor runs only in the substate of its work: `completeAuthorization` in
 * `exchangingCode`, `pollDeviceToken` in `pollingDevice`, `refreshTokens` in
 * `requesting`, `revokeGrant` (store entry deleted, then RFC 7009) in `revoking`;
 * tags `usable` (`authorized`), `busy` (`refreshing`, `revoking`: work callers join).
 *
 * Built with `setup({ types, actors, actions, guards, delays })`; states name
 * their implementations, so tests `.provide()` replacements and the inspector
 * shows the names. Actors are Effect programs on the session's runtime
 * ({@link Environment.run}): leaving their state interrupts the fiber; the typed
 * `Exit` comes back as `STORED`, `FAILED` or `REVOKED`. Timers are named delays
 * from the tokens' absolute times (chained above 2^31 − 1 ms by this module's clocks).
 *
 * The context holds tokens only inside `TokenSet`, the authorization request and
 * the callback URL `Redacted`, errors as typed values: an inspector or a log
 * shows `<redacted>`, never a credential.
 *
 * @since 0.1.0
 */
import type { Callback, OAuthClient, TokenSet } from "@effect-oauth/core"
import type { Duration, Effect, Fiber, Redacted } from "effect"
import type { Actor as XActor, SnapshotFrom } from "xstate"
import * as clock from "./internal/clock.js"
import * as internal from "./internal/sessionMachine.js"
import * as view from "./internal/view.js"
import type { SessionError } from "./SessionError.js"
import type { Lease, TokenStore } from "./TokenStore.js"

/**
 * The states, in the order of DESIGN §4. The names are public API.
 *
 * @since 0.1.0
 * @category models
 */
export type State = "unauthorized" | "authorizing" | "authorized" | "expired" | "refreshing" | "revoked"

/**
 * Every state of the machine.
 *
 * @since 0.1.0
 * @category models
 */
export const states: ReadonlyArray<State> = [
  "unauthorized",
  "authorizing",
  "authorized",
  "expired",
  "refreshing",
  "revoked"
]

/**
 * The public state of a snapshot, one of {@link states}: work under a state
 * reads as that state (`{ refreshing: "backingOff" }` is `refreshing`). Use it
 * instead of `snapshot.value`, which names the substate too.
 *
 * @since 0.1.0
 * @category models
 */
export const stateOf = (snapshot: { readonly value: Snapshot["value"] }): State => view.stateOf(snapshot)

/**
 * How a refresh is retried after a transient failure (`remedy: "retry"`):
 * attempt `n` (from 1) waits `min(maxDelay, initialDelay × 2^(n−1))`, or the
 * server's `Retry-After` when that is longer. A `Retry-After` longer than
 * `maxDelay` ends the retries at once (the error keeps `retryAfter`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  /** Attempts per refresh, the first included. Default 4. */
  readonly maxAttempts?: number | undefined
  /** Default 500 ms. */
  readonly initialDelay?: Duration.DurationInput | undefined
  /** Default 30 seconds. */
  readonly maxDelay?: Duration.DurationInput | undefined
}

/**
 * What the machine does, independent of where it runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The session key: the `TokenStore` entry and lease this session uses. */
  readonly key: string
  /**
   * `lazy`: refresh only on demand (an `accessToken` call inside the refresh
   * window or after expiry, an explicit `refresh`, a rejected token).
   * `eager`: also refresh on a timer when the refresh window opens.
   */
  readonly refresh: "lazy" | "eager"
  /**
   * How long before `expiresAt` a token counts as due: a `TokenSet.RefreshMargin`
   * (default: 10 % of the lifetime, at most 60 s), or a duration, which then caps
   * a margin of half the lifetime (so a fresh token is never due at once).
   */
  readonly refreshWindow?: TokenSet.RefreshMargin | Duration.DurationInput | undefined
  readonly retry?: RetryPolicy | undefined
  /** Time to live of the store's refresh lease. Default 60 seconds. */
  readonly leaseTtl?: Duration.DurationInput | undefined
  /** How long `authorizing` waits for the callback. Default 10 minutes. */
  readonly authorizationTimeout?: Duration.DurationInput | undefined
  /**
   * How long before `refreshTokenExpiresAt` the session flags
   * `refreshTokenExpiring` (and `changes` reports `RefreshTokenExpiring`), in
   * `authorized` and while a lazy session waits in `expired`. Default 1 day.
   */
  readonly refreshTokenWarning?: Duration.DurationInput | undefined
  /**
   * The scopes the application asks for. `missingScopes` holds those the
   * granted tokens lack, for a grant loaded from the store (after a restart)
   * too; an authorization replaces them with the scopes it requested. Default:
   * none until the first authorization.
   */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * Where the machine runs: its notion of now and the runtime of its actors.
 *
 * @since 0.1.0
 * @category models
 */
export interface Environment {
  /** The current time (epoch ms); `OAuthSession` uses the runtime's `Clock`. */
  readonly now: () => number
  /**
   * Starts an actor's Effect program; the machine interrupts the fiber when the actor's
   * state is left. `OAuthSession` interrupts those still running when its scope closes.
   */
  readonly run: <A, E>(
    effect: Effect.Effect<A, E, OAuthClient.OAuthClient | TokenStore>
  ) => Fiber.RuntimeFiber<A, E>
  /** A number in [0, 1) for the jitter of retry back-offs. Default `Math.random`. */
  readonly random?: (() => number) | undefined
}

/**
 * Where a `STORED` event's tokens came from.
 *
 * @since 0.1.0
 * @category models
 */
export type TokenSource = "authorization" | "refresh" | "store"

/**
 * The machine's context.
 *
 * @since 0.1.0
 * @category models
 */
export interface Context {
  readonly key: string
  /** The tokens held; absent in `unauthorized`, `authorizing` and `revoked`. */
  readonly tokens: TokenSet.TokenSet | undefined
  /** The store version of `tokens` (or of the last entry written). */
  readonly version: number | undefined
  /** The resource server rejected the current access token (`TOKEN_REJECTED`). */
  readonly rejected: boolean
  /**
   * The current access token's lifetime ran out on the session's timer: it is not
   * handed out again, even when a clock set back says it is valid (DESIGN §4, invariant 9).
   */
  readonly lapsed: boolean
  /** While authorizing: the request sent (state, PKCE verifier, nonce). */
  readonly request: Redacted.Redacted<Callback.AuthorizationRequest> | undefined
  /** While authorizing: the callback URL being completed. */
  readonly callback: Redacted.Redacted<string> | undefined
  /** While authorizing on a device (RFC 8628): the device authorization being polled. */
  readonly device: Redacted.Redacted<OAuthClient.DeviceAuthorization> | undefined
  /** While authorizing on a device: the last poll that did not end the flow. */
  readonly devicePoll: OAuthClient.DevicePoll | undefined
  /** The scopes of the last authorization request, or else the `scopes` option. */
  readonly requestedScopes: ReadonlyArray<string>
  /**
   * Requested scopes the held tokens lack (RFC 6749 §3.3: the server may grant
   * fewer than requested). Data, not an error: the session works with what was granted.
   */
  readonly missingScopes: ReadonlyArray<string>
  /** The last failure, kept until the next success. */
  readonly error: SessionError | undefined
  /** Failed attempts of the refresh in progress. */
  readonly attempt: number
  /**
   * An earlier refresh's response was lost after its request was sent
   * (`RefreshFailed.responseLost`): a refusal of the refresh token that follows
   * ends the grant as `SessionRevoked` `ResponseLost`. Cleared by new tokens.
   */
  readonly responseLost: boolean
  /** Wait (ms) before the next refresh attempt. */
  readonly retryDelay: number
  /** The refresh token lapses within `refreshTokenWarning`. */
  readonly refreshTokenExpiring: boolean
  /** In `revoked.revoking`: the grant being revoked. */
  readonly revocation: { readonly tokens: TokenSet.TokenSet | undefined } | undefined
  /**
   * Tokens the server issued that the store refused: never handed out; the next
   * refresh attempt stores them instead of spending the refresh token again.
   */
  readonly unsaved: TokenSet.TokenSet | undefined
  /**
   * While `unsaved` is held: the store's refresh lease, kept so that no other
   * holder refreshes with the refresh token those tokens replaced (with
   * rotation and reuse detection that would revoke the grant); the next attempt
   * writes them under it.
   */
  readonly unsavedLease: Lease | undefined
}

/**
 * The machine's events. Commands (`AUTHORIZE`, `AUTHORIZE_DEVICE`, `CALLBACK`,
 * `REFRESH`, `TOKEN_REJECTED`, `REVOKE`) come from `OAuthSession`; `LOADED` from
 * the store at start; `STORED`, `FAILED`, `REVOKED`, `DEVICE_POLLED` from the
 * invoked actors.
 *
 * @since 0.1.0
 * @category models
 */
export type Event =
  | { readonly type: "LOADED"; readonly tokens: TokenSet.TokenSet; readonly version: number }
  | { readonly type: "AUTHORIZE"; readonly request: Redacted.Redacted<Callback.AuthorizationRequest> }
  | { readonly type: "AUTHORIZE_DEVICE"; readonly authorization: Redacted.Redacted<OAuthClient.DeviceAuthorization> }
  | { readonly type: "CALLBACK"; readonly url: Redacted.Redacted<string> }
  | { readonly type: "DEVICE_POLLED"; readonly poll: OAuthClient.DevicePoll }
  | { readonly type: "REFRESH" }
  | { readonly type: "TOKEN_REJECTED"; readonly accessToken?: Redacted.Redacted<string> | undefined }
  | { readonly type: "REVOKE" }
  | {
    readonly type: "STORED"
    readonly tokens: TokenSet.TokenSet
    readonly version: number
    readonly source: TokenSource
  }
  | {
    readonly type: "FAILED"
    readonly error: SessionError
    /** From `refreshTokens`: tokens issued but not stored. */
    readonly unsaved?: TokenSet.TokenSet | undefined
    /** From `refreshTokens`: the lease kept while `unsaved` is not stored. */
    readonly lease?: Lease | undefined
  }
  | { readonly type: "REVOKED" }

/**
 * The machine built by {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export type Machine = ReturnType<typeof internal.make>

/**
 * A running session machine.
 *
 * @since 0.1.0
 * @category models
 */
export type Actor = XActor<Machine>

/**
 * A snapshot of the machine.
 *
 * @since 0.1.0
 * @category models
 */
export type Snapshot = SnapshotFrom<Machine>

/**
 * Builds the machine for one session key. Its actors (see the module's
 * overview) are described with their events in docs/session-machine.md.
 *
 * Run it with one of this module's clocks ({@link systemClock},
 * {@link effectClock}): a delay with no deadline is `Infinity`, which those
 * clocks never fire.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options, environment: Environment) => Machine = internal.make

/**
 * A transition the machine declares: its source and target states and the
 * event that takes it (`xstate.after.<delay>.session.<state>` for a delay).
 *
 * @since 0.1.0
 * @category models
 */
export interface Transition {
  readonly from: State
  readonly to: State
  readonly event: string
}

/**
 * Every transition between states that `machine` declares, substates named by their
 * public state (a back-off ending is `refreshing` to `refreshing`; targetless ones
 * left out): what DESIGN §4 invariant 8 is checked against.
 *
 * @since 0.1.0
 * @category combinators
 */
export const transitions: (machine: Machine) => ReadonlyArray<Transition> = internal.transitions

/**
 * The clock XState schedules delayed events with (`createActor(machine, { clock })`).
 *
 * @since 0.1.0
 * @category models
 */
export type Clock = clock.MachineClock

/**
 * Plain `setTimeout` timers, unreferenced (they do not keep a process alive),
 * chained above 2^31 − 1 ms; a non-finite delay never fires. The default.
 *
 * @since 0.1.0
 * @category constructors
 */
export const systemClock: Clock = clock.system

/**
 * Timers as fibers sleeping on Effect's `Clock`, started by `run`: under
 * `TestClock`, `TestClock.adjust` moves the machine's timers. About 4 KB per
 * pending timer, so meant for tests.
 *
 * @since 0.1.0
 * @category constructors
 */
export const effectClock: (run: (effect: Effect.Effect<void>) => Fiber.RuntimeFiber<void, never>) => Clock =
  clock.fromRun
