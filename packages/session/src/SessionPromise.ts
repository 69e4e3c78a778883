/**
 * The Promise face of a session, for applications that are not written in
 * Effect (Express, Next.js, a CLI): `accessToken()` and `fetch()` return
 * Promises, and a failure rejects with the session's own typed error
 * (`Unauthorized`, `SessionRevoked`, `RefreshFailed`), never a wrapper.
 *
 * ```ts
 * const runtime = ManagedRuntime.make(Layer.mergeAll(
 *   OAuthClient.layer({ provider, client }).pipe(Layer.provide(FetchHttpClient.layer)),
 *   TokenStore.layerFileSystem(".tokens")
 * ))
 * const session = await SessionPromise.start(runtime, { key: "alice", refresh: "lazy" })
 * const token = await session.accessToken()          // string
 * const response = await session.fetch("https://api.example/me")
 * await session.close()
 * ```
 *
 * A valid token is read from the machine's snapshot and returned without
 * starting a fiber; the Effect runtime is entered only when the session must
 * refresh, wait or write to its store, so concurrent callers still share one
 * refresh (DESIGN §4, invariant 2) and nothing expired is handed out (invariant 1).
 *
 * @since 0.1.0
 */
import type { Callback, OAuthClient, TokenSet } from "@effect-oauth/core"
import type { Effect, ManagedRuntime } from "effect"
import * as internal from "./internal/sessionPromise.js"
import type { OAuthSession, Options as SessionOptions } from "./OAuthSession.js"
import type { AccessTokenError } from "./SessionError.js"
import type * as SessionMachine from "./SessionMachine.js"
import type { TokenStore } from "./TokenStore.js"

/**
 * A session seen from Promise code.
 *
 * @since 0.1.0
 * @category models
 */
export interface SessionPromise {
  readonly key: string
  /**
   * The access token as a string: at once from the snapshot when it is valid and
   * outside the refresh window, otherwise after the session's refresh. Rejects
   * with `Unauthorized`, `SessionRevoked` or `RefreshFailed`.
   */
  readonly accessToken: () => Promise<string>
  /**
   * `fetch` with the session's access token (RFC 6750 §2.1; a DPoP-bound token
   * goes with a proof, RFC 9449 §7.1). A 401 with `invalid_token` tells the
   * session the token was rejected and, when the body can be sent again, sends
   * the request once more with the next token. Redirects are returned, not
   * followed, so the token never reaches another origin. Rejects with the
   * session's `AccessTokenError`, or with what `fetch` rejects with.
   */
  readonly fetch: (input: string | URL, init?: RequestInit | undefined) => Promise<Response>
  /**
   * Starts a code-flow authorization (RFC 6749 §4.1.1, PKCE, state, nonce): send
   * the user to the returned request's `url`. Rejects with `AuthorizationFailed`.
   */
  readonly authorize: (
    options?: OAuthClient.AuthorizationUrlOptions | undefined
  ) => Promise<Callback.AuthorizationRequest>
  /**
   * Completes the pending authorization with the redirect URL the user came back
   * to (state and issuer checked, code exchanged, tokens stored). Rejects with
   * `AuthorizationFailed`.
   */
  readonly completeAuthorization: (callbackUrl: string | URL) => Promise<TokenSet.TokenSet>
  /**
   * Revokes the grant (RFC 7009): nothing is handed out from then on. Rejects
   * with `RevocationFailed` (the session is revoked locally either way).
   */
  readonly revoke: () => Promise<void>
  /** The machine's current state (synchronous). */
  readonly state: () => SessionMachine.State
  /** The Effect face underneath, for code that is. */
  readonly session: OAuthSession
  /**
   * Stops the session (its machine and fibers) when {@link start} made it;
   * for {@link fromSession} the Effect scope that made the session owns it
   * and this resolves at once.
   */
  readonly close: () => Promise<void>
}

/**
 * Options of the Promise face.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The refresh window the session was made with (`OAuthSession.Options.refreshWindow`):
   * inside it the token is asked of the session rather than read. Default: the session's default.
   */
  readonly refreshWindow?: SessionOptions["refreshWindow"]
  /** The `fetch` to send requests with. Default `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined
}

/**
 * The Promise face of a session made in Effect code, running its slow paths on
 * the runtime (services and `Clock`) this is called in.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSession: (session: OAuthSession, options?: Options | undefined) => Effect.Effect<SessionPromise> =
  internal.fromSession

/**
 * Starts a session on `runtime` (which provides the `OAuthClient` and the
 * `TokenStore`) and returns its Promise face; `close()` stops it. Rejects with
 * `TokenStoreError` when the store cannot be read, or with the runtime's
 * layer error.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start: <E>(
  runtime: ManagedRuntime.ManagedRuntime<OAuthClient.OAuthClient | TokenStore, E>,
  options: SessionOptions & { readonly fetch?: typeof globalThis.fetch | undefined }
) => Promise<SessionPromise> = internal.start

/**
 * What `accessToken()` and `fetch()` reject with when the session has no token
 * to give (`authorize`, `completeAuthorization` and `revoke` reject with their
 * `OAuthSession` counterparts' errors).
 *
 * @since 0.1.0
 * @category errors
 */
export type Failure = AccessTokenError
