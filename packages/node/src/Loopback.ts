/**
 * The native-app authorization code flow of RFC 8252 for command-line and
 * desktop programs: a one-shot HTTP listener on the loopback interface, the
 * system browser sent to the authorization URL, and the redirect back
 * completing an `OAuthSession`'s authorization.
 *
 * ```ts
 * const tokens = yield* Loopback.authorize(session, { scopes: ["openid", "offline_access"] })
 * ```
 *
 * - The listener binds `127.0.0.1` on an ephemeral port (§7.3), and the redirect
 *   URI names the IP literal, never `localhost` (§8.3), so no other interface or
 *   resolver is involved. Register `http://127.0.0.1/<path>` at the provider: it
 *   must accept any port for a loopback redirect URI (§7.3).
 * - It accepts exactly one callback: `GET <path>` whose `state` is the one sent
 *   (checked by `Callback.parse`). A request with another or no `state` gets
 *   HTTP 400 and the flow keeps waiting (it was not sent by this authorization
 *   server's redirect); any other path, method, or a second callback gets 404/405.
 * - The browser gets a small HTML page saying whether sign-in succeeded (no
 *   token, no code, no script), and the listener closes.
 * - PKCE, `state` and `iss` checks are the session's (`OAuthSession.authorize`,
 *   `completeAuthorization`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @since 0.1.0
 */
import type { TokenSet } from "@effect-oauth/core"
import type { OAuthSession, SessionError } from "@effect-oauth/session"
import { Schema } from "effect"
import type { Duration, Effect } from "effect"
import type { Browser } from "./Browser.js"
import * as internal from "./internal/loopback.js"

/**
 * The loopback flow did not complete. `reason`:
 *
 * - `Listen`: the listener could not bind `127.0.0.1` (`detail`: the error code,
 *   such as `EADDRINUSE` for a fixed `port`).
 * - `Timeout`: no callback arrived within `timeout`. The session stays
 *   `authorizing` until its own `authorizationTimeout` or the next authorization.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @since 0.1.0
 * @category errors
 */
export class LoopbackError extends Schema.TaggedError<LoopbackError>("@effect-oauth/node/LoopbackError")(
  "LoopbackError",
  { reason: Schema.Literal("Listen", "Timeout"), detail: Schema.optional(Schema.String) }
) {
  override get message(): string {
    const detail = this.detail === undefined ? "" : ` (${this.detail})`
    return this.reason === "Listen"
      ? `the loopback listener could not start on 127.0.0.1${detail}`
      : `no authorization callback reached the loopback listener in time${detail}`
  }
}

/**
 * Options of {@link authorize}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Scopes requested (else the client's, else the provider's defaults). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Extra authorization request parameters (`prompt`, `login_hint`, …). */
  readonly params?: Readonly<Record<string, string>> | undefined
  /** Path of the redirect URI. Default `/callback`. */
  readonly path?: string | undefined
  /** Port to listen on. Default `0`: an ephemeral port chosen by the system (RFC 8252 §7.3). */
  readonly port?: number | undefined
  /** How long to wait for the callback. Default 5 minutes. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Told the authorization URL once the browser was asked to open it (`opened`)
   * or could not be (then the user must open it). Default: a line on standard
   * error with the URL.
   */
  readonly onAuthorizationUrl?: ((url: string, opened: boolean) => Effect.Effect<void>) | undefined
}

/**
 * Runs the native-app authorization code flow (RFC 8252) for `session`: starts
 * the loopback listener, starts the session's authorization with the listener's
 * redirect URI, opens the browser (`Browser.Browser`) at the authorization URL,
 * waits for the one callback, completes the authorization (code exchange with
 * PKCE, store write), answers the browser, closes the listener, and returns
 * the stored tokens.
 *
 * Fails with `LoopbackError` (`Listen`, `Timeout`) and `AuthorizationFailed`
 * (the session's: `InvalidState` when it cannot authorize now, `Callback` for a
 * denied or invalid callback, `Exchange`, `Storage`; `Timeout` or `Superseded`
 * when the session's authorization ended first).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.3
 * @since 0.1.0
 * @category grants
 */
export const authorize: (
  session: OAuthSession.OAuthSession,
  options?: Options | undefined
) => Effect.Effect<TokenSet.TokenSet, LoopbackError | SessionError.AuthorizationFailed, Browser> = internal.authorize
