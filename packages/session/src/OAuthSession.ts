/**
 * The Effect face of one session: one grant of one user with one provider,
 * driven by a {@link SessionMachine} actor and kept in a {@link TokenStore}.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const session = yield* OAuthSession.make({ key: "alice", refresh: "eager" })
 *   if ((yield* session.state) === "unauthorized") {
 *     const request = yield* session.authorize({ scopes: ["openid", "offline_access"] })
 *     // send the user to request.url; the redirect comes back to the app:
 *     yield* session.completeAuthorization(callbackUrl)
 *   }
 *   const token = yield* session.accessToken // Redacted<string>
 * })
 * ```
 *
 * Guarantees (DESIGN §4): `accessToken` never returns a token that is expired
 * when it returns (1); one refresh at a time per session, and per cluster with a
 * shared store (2); the newest refresh token is kept (3); tokens are handed out
 * only after they are stored (4); after `revoke`, nothing is handed out until a
 * new authorization completes (7).
 *
 * @since 0.1.0
 */
import type { Callback, Dpop, OAuthClient, OAuthError, TokenSet } from "@effect-oauth/core"
import type { Data, Effect, Queue, Redacted, Scope, Stream } from "effect"
import type { InspectionEvent, Observer } from "xstate"
import * as internal from "./internal/oauthSession.js"
import * as internalMake from "./internal/sessionMake.js"
import type { AccessTokenError, AuthorizationFailed, RefreshFailed, RevocationFailed, SessionError, SessionRevoked, Unauthorized } from "./SessionError.js"
import type * as SessionMachine from "./SessionMachine.js"
import type { TokenStore, TokenStoreError } from "./TokenStore.js"

/**
 * What a session reports as it goes, in order:
 *
 * - `StateChanged`: the machine moved to another state (`error`: the failure
 *   kept in the new state, if any).
 * - `TokensUpdated`: the session holds new tokens (authorization, refresh,
 *   adopted from the store, or loaded at start), already stored.
 * - `RefreshTokenExpiring`: the refresh token lapses within the warning time
 *   (`refreshTokenWarning`): authorize again soon.
 * - `Revoked`: the grant is dead (`reason` as in `SessionRevoked`).
 * - `DevicePolled`: while a device authorization is pending, a poll of the
 *   token endpoint that did not end it (`authorization_pending`, `slow_down`,
 *   a transient failure) and the seconds until the next one: progress to show.
 *
 * @since 0.1.0
 * @category models
 */
export type SessionChange = Data.TaggedEnum<{
  StateChanged: {
    readonly from: SessionMachine.State
    readonly to: SessionMachine.State
    readonly error: SessionError | undefined
  }
  TokensUpdated: { readonly tokens: TokenSet.TokenSet; readonly version: number }
  RefreshTokenExpiring: { readonly expiresAt: number }
  Revoked: { readonly reason: SessionRevoked["reason"] }
  DevicePolled: { readonly poll: OAuthClient.DevicePoll }
}>

/**
 * Constructors and matchers of {@link SessionChange}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const SessionChange: Data.TaggedEnum.Constructor<SessionChange> = internal.SessionChange

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends SessionMachine.Options {
  /** An XState inspector (`createActor(machine, { inspect })`). */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined
  /**
   * The machine's timers: `"system"` (default) plain timers; `"effect"` fibers
   * sleeping on the runtime's `Clock`, so `TestClock.adjust` moves them; or any
   * {@link SessionMachine.Clock}.
   */
  readonly clock?: "system" | "effect" | SessionMachine.Clock | undefined
  /**
   * Adjusts the machine before it starts, for tests and instrumentation:
   * `(machine) => machine.provide({ actors: { refreshTokens: … } })`.
   */
  readonly machine?: ((machine: SessionMachine.Machine) => SessionMachine.Machine) | undefined
}

/**
 * A session.
 *
 * @since 0.1.0
 * @category models
 */
export interface OAuthSession {
  readonly key: string

  /**
   * A valid access token. While the held token is valid and outside the refresh
   * window this reads the machine's snapshot (no I/O). Inside the window it starts
   * one shared refresh and returns the still-valid token; once the token is
   * expired or rejected it waits for the refresh (concurrent callers share it).
   * Never returns a token that is expired when it returns (invariant 1).
   *
   * Fails with `Unauthorized` (no grant, authorizing, no usable refresh token),
   * `SessionRevoked`, `RefreshFailed` (the grant is kept; see its `remedy`).
   */
  readonly accessToken: Effect.Effect<Redacted.Redacted<string>, AccessTokenError>

  /**
   * Like {@link accessToken}, with the whole `TokenSet` (token type, scopes, ID token;
   * its validated claims through `TokenSet.claims`).
   */
  readonly tokens: Effect.Effect<TokenSet.TokenSet, AccessTokenError>

  /**
   * Starts an authorization (RFC 6749 §4.1.1; PKCE, state and nonce from
   * `OAuthClient.authorizationUrl`): the session enters `authorizing` and keeps
   * the request; send the user to `request.url`. Allowed in `unauthorized`,
   * `authorizing` (replaces the pending one) and `revoked`.
   *
   * Fails with `AuthorizationFailed` (`InvalidState`, `Configuration`, `Request`
   * when a pushed authorization request fails).
   */
  readonly authorize: (
    options?: OAuthClient.AuthorizationUrlOptions | undefined
  ) => Effect.Effect<Callback.AuthorizationRequest, AuthorizationFailed>

  /**
   * Completes the pending authorization with the redirect URL the server sent
   * the user back to: `Callback.parse` (state, issuer), code exchange, store
   * write; the session is then `authorized` and the stored tokens are returned.
   *
   * Fails with `AuthorizationFailed` (`InvalidState` when not authorizing,
   * `Callback`, `Exchange`, `Storage`, `Timeout`, `Superseded`); the session is
   * then `unauthorized` (except for `InvalidState` and `Superseded`).
   */
  readonly completeAuthorization: (callbackUrl: string | URL) => Effect.Effect<TokenSet.TokenSet, AuthorizationFailed>

  /**
   * Starts a device authorization (RFC 8628 §3.1, `OAuthClient.deviceAuthorization`):
   * the session enters `authorizing` and polls the token endpoint on its own
   * (§3.4: every `interval`, slower on `slow_down`), reporting each poll as a
   * `DevicePolled` change. Show the user the returned `userCode` and
   * `verificationUri` (or `verificationUriComplete`); {@link awaitAuthorization}
   * waits for the outcome. Allowed in `unauthorized`, `authorizing` (replaces the
   * pending authorization) and `revoked`; `authorize`, `authorizeDevice` or
   * `revoke` stop the polling, as does leaving `authorizing` any other way.
   *
   * Once the user approves, the tokens are stored and the session is
   * `authorized`. On `access_denied` (`Denied`), an expired device code
   * (`Timeout`, with `DeviceCodeExpired`), `authorizationTimeout` (`Timeout`) or
   * another failure (`Exchange`, `Storage`) it is `unauthorized`, the
   * `AuthorizationFailed` kept as its error.
   *
   * Fails with `AuthorizationFailed` (`InvalidState`; `Configuration` when the
   * provider has no device endpoint; `Exchange` when the request failed).
   *
   * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
   */
  readonly authorizeDevice: (
    options?: OAuthClient.GrantOptions | undefined
  ) => Effect.Effect<OAuthClient.DeviceAuthorization, AuthorizationFailed>

  /**
   * Waits for the pending authorization (a device authorization, or a code flow
   * whose callback is being completed) to end, and returns the stored tokens.
   *
   * Fails with `AuthorizationFailed`: `InvalidState` when not authorizing,
   * `Superseded` when another authorization (or `revoke`) replaced it, else the
   * error the session ended in (`Denied`, `Timeout`, `Exchange`, `Storage`, …).
   */
  readonly awaitAuthorization: Effect.Effect<TokenSet.TokenSet, AuthorizationFailed>

  /**
   * Refreshes now, even when the token is still valid, and returns the new
   * tokens (joins a refresh already in flight).
   *
   * Fails with `RefreshFailed` (also when the grant has no refresh token),
   * `Unauthorized`, `SessionRevoked`.
   */
  readonly refresh: Effect.Effect<TokenSet.TokenSet, RefreshFailed | Unauthorized | SessionRevoked>

  /**
   * Revokes the grant: the session enters `revoked` at once (nothing is handed
   * out from then on), the store entry is deleted, then the server revokes the
   * refresh token (RFC 7009). Succeeds at once when already revoked.
   *
   * Fails with `RevocationFailed` when the server or the store failed; the
   * session is revoked locally either way.
   */
  readonly revoke: Effect.Effect<void, RevocationFailed>

  /**
   * Reports that a resource server rejected `accessToken` (HTTP 401 with
   * `error="invalid_token"`, RFC 6750 §3.1): that token is not handed out again
   * and a refresh starts. A token other than the current one is ignored (a late
   * 401 for a token already replaced).
   */
  readonly tokenRejected: (accessToken?: Redacted.Redacted<string> | undefined) => Effect.Effect<void>

  /** The current state. */
  readonly state: Effect.Effect<SessionMachine.State>

  /** The current snapshot (context: tokens redacted, typed error, scopes, flags). */
  readonly snapshot: Effect.Effect<SessionMachine.Snapshot>

  /** The session's changes, from the moment the stream runs. */
  readonly changes: Stream.Stream<SessionChange>

  /** A queue of the session's changes from now until the scope closes. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<SessionChange>, never, Scope.Scope>

  /** The running actor, for `subscribe`, `inspect` and tests. */
  readonly actor: SessionMachine.Actor

  /**
   * The DPoP prover of the session's `OAuthClient` (RFC 9449), when it binds
   * tokens to a key: `AuthorizedHttpClient` proves resource requests with it.
   */
  readonly dpop: Dpop.Prover | undefined
}

/**
 * Starts a session for `options.key`: reads the store, starts the machine and,
 * when a grant is stored, continues from it (`authorized`, or `expired` and
 * then refreshing as the mode says). The machine stops and its fibers are
 * interrupted when the scope closes.
 *
 * The session runs its programs on the runtime `make` is called in: the
 * `OAuthClient`, the `TokenStore` and the `Clock` of that context.
 *
 * Fails with `TokenStoreError` when the store cannot be read, and with
 * `ConfigurationError` when `leaseTtl` does not exceed the client's request
 * timeout (a lease must outlast the refresh request it guards).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<
  OAuthSession,
  TokenStoreError | OAuthError.ConfigurationError,
  OAuthClient.OAuthClient | TokenStore | Scope.Scope
> = internalMake.make

/**
 * The changes between two snapshots, in the order {@link SessionChange}
 * documents: what `changes` emits for each snapshot the actor produces.
 *
 * @since 0.1.0
 * @category combinators
 */
export const diff: (previous: SessionMachine.Snapshot, next: SessionMachine.Snapshot) => ReadonlyArray<SessionChange> =
  internal.diff
