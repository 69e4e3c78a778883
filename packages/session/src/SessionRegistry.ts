/**
 * Many sessions in one process, keyed by provider and account: a server that
 * acts for 100,000 users holds a session in memory only while it is in use.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const registry = yield* SessionRegistry.SessionRegistry
 *   const token = yield* registry.accessToken({ provider: "google", account: "alice@example.com" })
 * })
 * // google: an OAuthClient.Service (OAuthClient.make)
 * program.pipe(
 *   Effect.provide(SessionRegistry.layer({ clients: { google }, idleTimeout: "5 minutes", maxLive: 10_000 })),
 *   Effect.provide(TokenStore.layerFileSystem(".tokens"))
 * )
 * ```
 *
 * `docs/refresh-styles.md` builds the layer from `OAuthClient.Options`.
 *
 * - **On demand.** The first use of a key starts its {@link OAuthSession} from
 *   the `TokenStore`; concurrent first uses of one key share that start (one
 *   store read, one actor).
 * - **Released when idle.** A session unused for `idleTimeout`, or the least
 *   recently used one when more than `maxLive` are in memory, is stopped and
 *   forgotten. Nothing is lost: a session hands out only tokens already in the
 *   store (DESIGN §4, invariant 4), and the next use starts it again from there.
 * - **Never in the middle of something.** A session that is authorizing,
 *   refreshing, revoking, in use (inside {@link Service.get}'s scope or a call of
 *   this service), or holding tokens the store refused, is not released;
 *   `maxLive` is therefore a soft bound.
 *
 * Idle time comes from Effect's `Clock`: under `TestClock`, `TestClock.adjust`
 * releases sessions.
 *
 * An authorization in progress lives in the memory of the process that started
 * it (its state, PKCE verifier and nonce): with several processes, the callback
 * must reach the process that called {@link Service.authorize}.
 *
 * @since 0.1.0
 */
import type { Callback, OAuthClient, OAuthError, TokenSet } from "@effect-oauth/core"
import { Context, Layer, Schema } from "effect"
import type { Data, Duration, Effect, Queue, Redacted, Scope, Stream } from "effect"
import * as internal from "./internal/sessionRegistry.js"
import type * as OAuthSession from "./OAuthSession.js"
import type { AccessTokenError, AuthorizationFailed, RefreshFailed, RevocationFailed, SessionRevoked, Unauthorized } from "./SessionError.js"
import type * as SessionMachine from "./SessionMachine.js"
import type { TokenStore, TokenStoreError } from "./TokenStore.js"

/**
 * Which session: the provider (a name of {@link Options.clients}) and the
 * account at that provider (a user id, an email: whatever the app keys users by).
 *
 * @since 0.1.0
 * @category models
 */
export interface Key {
  readonly provider: string
  readonly account: string
}

/**
 * The `TokenStore` key of a session by default: the provider, percent-encoded
 * (so it holds no `:`), a `:`, then the account. Distinct keys never share an entry.
 *
 * @since 0.1.0
 * @category combinators
 */
export const storeKey = (key: Key): string => `${encodeURIComponent(key.provider)}:${key.account}`

/**
 * The key names a provider the registry has no client for.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownProvider extends Schema.TaggedError<UnknownProvider>("@effect-oauth/session/UnknownProvider")(
  "UnknownProvider",
  { provider: Schema.String }
) {
  /** Always `fixConfiguration`: add the provider's client to `clients`. */
  get remedy(): "fixConfiguration" {
    return "fixConfiguration"
  }

  override get message(): string {
    return `the session registry has no client for provider "${this.provider}"`
  }
}

/**
 * Why a session could not be started: no client for its provider, the store
 * could not be read, or the session's `leaseTtl` does not outlast the client's
 * request timeout (`ConfigurationError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type StartError = UnknownProvider | TokenStoreError | OAuthError.ConfigurationError

/**
 * What {@link Service.changes} reports:
 *
 * - `Started`: a session came into memory (first use, or use after release),
 *   in `state`.
 * - `Changed`: a {@link OAuthSession.SessionChange} of a session in memory. A
 *   session that starts with a refresh token about to lapse reports
 *   `RefreshTokenExpiring` right after `Started`.
 * - `Released`: a session left memory (idle, over `maxLive`, or the registry closed).
 *
 * @since 0.1.0
 * @category models
 */
export type RegistryChange = Data.TaggedEnum<{
  Started: { readonly key: Key; readonly state: SessionMachine.State }
  Changed: { readonly key: Key; readonly change: OAuthSession.SessionChange }
  Released: { readonly key: Key }
}>

/**
 * Constructors and matchers of {@link RegistryChange}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const RegistryChange: Data.TaggedEnum.Constructor<RegistryChange> = internal.RegistryChange

/**
 * How a registry finds clients, keys its sessions and releases them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The client of each provider, by the name keys use. */
  readonly clients: Readonly<Record<string, OAuthClient.Service>>
  /** A session unused this long is released. Default 5 minutes. */
  readonly idleTimeout?: Duration.DurationInput | undefined
  /**
   * At most this many sessions in memory: starting one more releases the least
   * recently used idle ones (soft: busy sessions stay). Default: no bound.
   */
  readonly maxLive?: number | undefined
  /** How often idle sessions are looked for. Default: half of `idleTimeout`, at most 1 minute. */
  readonly sweepInterval?: Duration.DurationInput | undefined
  /**
   * The options of every session (`refresh` defaults to `"lazy"`). A session
   * runs only while it is in memory: `"eager"` refreshes only live sessions.
   */
  readonly session?:
    | (Omit<OAuthSession.Options, "key" | "refresh"> & { readonly refresh?: "lazy" | "eager" | undefined })
    | undefined
  /** The `TokenStore` key of a session. Default {@link storeKey}. */
  readonly storeKey?: ((key: Key) => string) | undefined
}

/**
 * A session registry.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * The session of `key`, started from the store if it is not in memory. It
   * stays in memory at least until the scope closes.
   *
   * Fails with {@link UnknownProvider}, `TokenStoreError`, `ConfigurationError`.
   */
  readonly get: (key: Key) => Effect.Effect<OAuthSession.OAuthSession, StartError, Scope.Scope>

  /** Runs `f` with the session of `key`, kept in memory meanwhile (see {@link get}). */
  readonly use: <A, E, R>(
    key: Key,
    f: (session: OAuthSession.OAuthSession) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | StartError, R>

  /** `OAuthSession.accessToken` of `key`: a valid access token, refreshed when due. */
  readonly accessToken: (key: Key) => Effect.Effect<Redacted.Redacted<string>, AccessTokenError | StartError>

  /** `OAuthSession.tokens` of `key`. */
  readonly tokens: (key: Key) => Effect.Effect<TokenSet.TokenSet, AccessTokenError | StartError>

  /** `OAuthSession.refresh` of `key`: refreshes now. */
  readonly refresh: (key: Key) => Effect.Effect<TokenSet.TokenSet, RefreshFailed | Unauthorized | SessionRevoked | StartError>

  /** `OAuthSession.revoke` of `key`: the store entry is deleted, the server asked to revoke (RFC 7009). */
  readonly revoke: (key: Key) => Effect.Effect<void, RevocationFailed | StartError>

  /**
   * `OAuthSession.authorize` of `key`. The session stays in memory until the
   * authorization completes, fails or times out.
   */
  readonly authorize: (
    key: Key,
    options?: OAuthClient.AuthorizationUrlOptions | undefined
  ) => Effect.Effect<Callback.AuthorizationRequest, AuthorizationFailed | StartError>

  /** `OAuthSession.completeAuthorization` of `key`. */
  readonly completeAuthorization: (
    key: Key,
    callbackUrl: string | URL
  ) => Effect.Effect<TokenSet.TokenSet, AuthorizationFailed | StartError>

  /**
   * Takes the session of `key` out of memory now, when it is settled and not in
   * use (as the idle sweep would); the next use starts it again from the store.
   * For a sign-in completed outside the session (a web callback that stored the
   * tokens itself), so that a revoked session of the same key does not linger.
   * Returns whether a session was released.
   */
  readonly release: (key: Key) => Effect.Effect<boolean>

  /** The changes of every session in memory, from the moment the stream runs. */
  readonly changes: Stream.Stream<RegistryChange>

  /** A queue of the changes of every session in memory, from now until the scope closes. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<RegistryChange>, never, Scope.Scope>

  /** How many sessions are in memory (started or starting). */
  readonly size: Effect.Effect<number>
}

/**
 * The service tag.
 *
 * @since 0.1.0
 * @category models
 */
export class SessionRegistry extends Context.Tag("@effect-oauth/session/SessionRegistry")<SessionRegistry, Service>() {}

/**
 * Builds a registry whose sessions share the `TokenStore` of the context. Every
 * session in memory is released when the scope closes; a call made after that
 * is interrupted.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<Service, never, TokenStore | Scope.Scope> = internal.make

/**
 * A layer of a {@link SessionRegistry} (see {@link make}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<SessionRegistry, never, TokenStore> =>
  Layer.scoped(SessionRegistry, make(options))
