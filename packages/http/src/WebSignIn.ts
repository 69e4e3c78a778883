/**
 * Sign-in for web apps, ready to mount: `login`, `callback` and `logout` routes
 * for an `@effect/platform` `HttpRouter`, built from an `OAuthClient` and a
 * `SessionRegistry`, and a middleware that gives a handler the signed-in user's
 * session.
 *
 * ```ts
 * const signIn = yield* WebSignIn.make({ provider: "idp", client, secret })
 * const app = HttpRouter.empty.pipe(
 *   HttpRouter.concat(signIn.routes),
 *   HttpRouter.get("/me", signIn.requireUser()(Effect.gen(function*() {
 *     const user = yield* WebSignIn.CurrentUser
 *     return HttpServerResponse.text(user.key.account)
 *   })))
 * )
 * ```
 *
 * - **No server memory between the two requests.** The pending authorization
 *   request (state, PKCE verifier, nonce, return path) lives in a cookie sealed
 *   with AES-256-GCM (a key derived from `secret` by HKDF; the cookie's name is
 *   authenticated with it), `HttpOnly`, `Secure` except on loopback,
 *   `SameSite=Lax`, scoped to the routes' path and expiring after
 *   `pendingTtl`. The callback accepts it once: it is cleared whatever the outcome.
 *   With `pendingStore` the request is kept in that `KeyValueStore` instead and
 *   the cookie holds only a random handle; the callback takes the entry (read
 *   and deleted) before anything else, so a replayed callback finds nothing.
 *   The request is bound to the callback by its `state` (`Callback.parse`,
 *   constant-time), so any instance of the app completes any sign-in.
 * - **The user's key** is the validated ID token's `sub` (or `userKey` for plain
 *   OAuth providers); the tokens go to the `TokenStore` under the registry's key
 *   and never reach the browser. The app's session cookie, sealed the same way,
 *   holds only the provider and account; it gets a new value on every sign-in.
 * - **`returnTo`** (on `login`) must be a path on the app's own origin
 *   (`InvalidReturnTo` otherwise): no open redirect.
 * - **Errors** of the callback (denied, state or issuer mismatch, a refused code)
 *   become `onError`'s response, an HTML page with the error's `remedy` by default.
 * - **`logout`** (POST) revokes the grant at the provider (RFC 7009, through
 *   `OAuthSession.revoke`), deletes it from the store, clears the cookie and, with
 *   `endSession`, continues at the provider's `end_session_endpoint` (OpenID
 *   Connect RP-Initiated Logout).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7 (CSRF protection)
 * @since 0.1.0
 */
import { OAuthError } from "@effect-oauth/core"
import type { OAuthClient, TokenSet } from "@effect-oauth/core"
import type { AuthorizedHttpClient, OAuthSession, SessionRegistry, TokenStore } from "@effect-oauth/session"
import type { HttpClient, HttpRouter, HttpServerRequest, HttpServerResponse, KeyValueStore } from "@effect/platform"
import { Context, Data } from "effect"
import type { Duration, Effect, Option, Redacted, Scope } from "effect"
import * as internal from "./internal/webSignIn.js"

/**
 * How a web app signs its users in.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The provider's name in the `SessionRegistry`'s `clients`. */
  readonly provider: string
  /** The provider's client; its `redirectUri` must be `{origin}{basePath}/callback`. */
  readonly client: OAuthClient.Service
  /** The key material of the cookies: at least 32 random bytes, kept secret. */
  readonly secret: Redacted.Redacted<string | Uint8Array>
  /** Where the routes live. Default `/auth` (`/auth/login`, `/auth/callback`, `/auth/logout`). */
  readonly basePath?: string | undefined
  /** The scopes asked for. Default: the client's. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /**
   * The account of a new sign-in. Default: the validated ID token's `sub`. For a
   * plain OAuth provider (GitHub), read the user's id with the access token.
   */
  readonly userKey?: ((tokens: TokenSet.TokenSet) => Effect.Effect<string, unknown>) | undefined
  /**
   * Runs on the tokens of a completed sign-in before the user is named and they
   * are stored; what it returns is stored instead (Facebook's long-lived token
   * exchange). A failure is `SignInFailed` (`Exchange`, with the core error when
   * it is one) and nothing is stored.
   */
  readonly onSignIn?: ((tokens: TokenSet.TokenSet) => Effect.Effect<TokenSet.TokenSet, unknown>) | undefined
  /** The app's public origin (`https://app.example`). Default: the request's `Host`, `http` only on loopback. */
  readonly origin?: string | undefined
  /** Where a sign-in without `returnTo` lands. Default `/`. */
  readonly afterSignIn?: string | undefined
  /** Where `logout` lands (without `endSession`). Default `/`. */
  readonly afterSignOut?: string | undefined
  /** OpenID Connect RP-Initiated Logout, when the provider advertises `end_session_endpoint`. */
  readonly endSession?: { readonly postLogoutRedirectUri: string } | false | undefined
  /**
   * Keep the pending sign-in on the server instead of in the cookie: the cookie
   * then holds only a random handle, the entry (sealed, under the SHA-256 of the
   * handle) lives in this store until the callback takes it (read and deleted),
   * or `pendingTtl` passes. Give a store every instance shares (a database, a
   * shared file system) so a callback may reach any instance. Default: the cookie
   * holds the sealed request and no store is needed.
   */
  readonly pendingStore?: KeyValueStore.KeyValueStore | undefined
  /** The life of a pending sign-in. Default 10 minutes. */
  readonly pendingTtl?: Duration.DurationInput | undefined
  /** The life of the app's session cookie. Default 7 days. */
  readonly sessionTtl?: Duration.DurationInput | undefined
  /** The prefix of the cookies' names. Default `effect-oauth` (`effect-oauth.pending`, `effect-oauth.session`). */
  readonly cookieName?: string | undefined
  /** Force the cookies' `Secure` attribute. Default: on, except for a loopback origin. */
  readonly secureCookies?: boolean | undefined
  /** The registry's `storeKey`, when it has one. Default `SessionRegistry.storeKey`. */
  readonly storeKey?: ((key: SessionRegistry.Key) => string) | undefined
  /** The response to a failed sign-in. Default: an HTML page with the message and a way on. */
  readonly onError?: ((error: SignInFailed) => Effect.Effect<HttpServerResponse.HttpServerResponse>) | undefined
}

/**
 * A sign-in refused or failed. `reason`:
 *
 * - `MissingPendingRequest`: a callback without the sign-in cookie (expired, other browser, replay);
 * - `InvalidCookie`: the sign-in cookie was altered or sealed by another key;
 * - `UnknownPendingRequest`: with `pendingStore`, no entry under the cookie's handle (already used, expired, another store);
 * - `PendingRequestExpired`: the sign-in took longer than `pendingTtl`;
 * - `InvalidReturnTo`: `returnTo` is not a path on the app's origin;
 * - `CrossOrigin`: a `logout` posted from another origin;
 * - `Callback`: `Callback.parse` refused the redirect (denied, state or issuer mismatch);
 * - `Exchange`: the code exchange failed (a used code: `invalid_grant`);
 * - `UserKey`: no account could be named (no ID token, `userKey` failed);
 * - `Storage`: the `TokenStore` refused the tokens, or `pendingStore` could not be written or read;
 * - `Configuration`: the app's options (secret too short, client without endpoint).
 *
 * The message holds no token, code, verifier or cookie value.
 *
 * @since 0.1.0
 * @category errors
 */
export class SignInFailed extends Data.TaggedError("SignInFailed")<{
  readonly reason:
    | "MissingPendingRequest"
    | "InvalidCookie"
    | "UnknownPendingRequest"
    | "PendingRequestExpired"
    | "InvalidReturnTo"
    | "CrossOrigin"
    | "Callback"
    | "Exchange"
    | "UserKey"
    | "Storage"
    | "Configuration"
  /** What the underlying error said (its secret-free message). */
  readonly detail?: string | undefined
  /**
   * For `Callback` and `Exchange` (and `Configuration` from the client): the core
   * error, to tell a denied sign-in from a forged one (`_tag`). Core errors hold
   * no secret.
   */
  readonly error?: OAuthError.CoreError | undefined
}> {
  /** What to do: `reauthorize` (sign in again), `retry`, `fixConfiguration`; a core error's own remedy when there is one. */
  get remedy(): OAuthError.Remedy {
    if (this.error !== undefined) return OAuthError.remedyOf(this.error)
    return this.reason === "Configuration" ? "fixConfiguration" : this.reason === "Storage" ? "retry" : "reauthorize"
  }

  override get message(): string {
    const what = messages[this.reason]
    return this.detail === undefined ? what : `${what}: ${this.detail}`
  }
}

const messages: Record<SignInFailed["reason"], string> = {
  MissingPendingRequest: "the sign-in cookie is missing: start the sign-in again in this browser",
  InvalidCookie: "the sign-in cookie is not valid",
  UnknownPendingRequest: "no sign-in is pending for this cookie (already completed or expired): start it again",
  PendingRequestExpired: "the sign-in took too long: start it again",
  InvalidReturnTo: "the return address is not on this site",
  CrossOrigin: "sign-out was requested from another site",
  Callback: "the provider's answer was refused",
  Exchange: "the provider did not issue tokens",
  UserKey: "the signed-in user could not be identified",
  Storage: "the sign-in could not be stored",
  Configuration: "web sign-in is misconfigured"
}

/**
 * The signed-in user, given to a handler by {@link WebSignIn.requireUser}: the
 * registry key, the live session (kept in memory for the request), and an
 * `AuthorizedHttpClient` that calls the provider's APIs on the user's behalf,
 * refreshing the token when it is due.
 *
 * @since 0.1.0
 * @category models
 */
export interface User {
  readonly key: SessionRegistry.Key
  readonly session: OAuthSession.OAuthSession
  readonly httpClient: AuthorizedHttpClient.AuthorizedHttpClient
}

/**
 * The tag a handler under {@link WebSignIn.requireUser} reads the user from.
 *
 * @since 0.1.0
 * @category models
 */
export class CurrentUser extends Context.Tag("@effect-oauth/http/CurrentUser")<CurrentUser, User>() {}

/**
 * What {@link WebSignIn.requireUser} answers a request without a signed-in user:
 * `"login"` (default) a redirect to `login` with the request's path as
 * `returnTo`; `"unauthorized"` a 401 (for APIs); `{ redirect }` a redirect to
 * that path (a signed-out page).
 *
 * @since 0.1.0
 * @category models
 */
export type OnMissing = "login" | "unauthorized" | { readonly redirect: string }

/**
 * Web sign-in, built by {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebSignIn {
  /** The three paths, under `basePath`. */
  readonly paths: { readonly login: string; readonly callback: string; readonly logout: string }
  /** The cookies' names. */
  readonly cookieNames: { readonly pending: string; readonly session: string }
  /** `GET login`, `GET callback`, `POST logout`, to concat or mount into the app's router. */
  readonly routes: HttpRouter.HttpRouter
  /**
   * `GET login[?returnTo=/path]`: seals the pending request in a cookie and
   * redirects to the authorization endpoint (RFC 6749 §4.1.1). A `SignInFailed`
   * (`InvalidReturnTo`, `Configuration`, `Exchange` for a pushed request) is
   * `onError`'s response.
   */
  readonly login: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>
  /**
   * `GET callback`: checks the redirect (RFC 6749 §4.1.2, RFC 9207), exchanges the
   * code, stores the tokens, sets the session cookie and redirects to the
   * `returnTo` of the sign-in; a failure is `onError`'s response.
   */
  readonly callback: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>
  /**
   * `POST logout`: revokes the user's grant (RFC 7009), clears the store and the
   * cookie, and redirects (to the provider's end-session endpoint with `endSession`).
   */
  readonly logout: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>
  /**
   * The signed-in user of the request, if any (a session cookie whose grant is
   * still held). Fails with `SessionRegistry.StartError` when the store cannot be
   * read: that is not a sign-out.
   */
  readonly user: Effect.Effect<
    Option.Option<User>,
    SessionRegistry.StartError,
    HttpServerRequest.HttpServerRequest | Scope.Scope
  >
  /**
   * Wraps a handler that needs {@link CurrentUser}. Without a signed-in user
   * (see {@link OnMissing}): a redirect for a `GET`, a 401 for other methods.
   * A session cookie that no longer names a held grant is cleared; when the store
   * cannot be read the answer is 503 and the cookie is kept.
   */
  readonly requireUser: (
    onMissing?: OnMissing | undefined
  ) => <E, R>(
    handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, Exclude<R, CurrentUser> | HttpServerRequest.HttpServerRequest | Scope.Scope>
}

/**
 * Builds web sign-in over the context's `SessionRegistry` (which must have a
 * client named `options.provider`), `TokenStore` (the registry's) and `HttpClient`.
 *
 * Fails with `SignInFailed` (`Configuration`) when the secret is shorter than 32 bytes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<
  WebSignIn,
  SignInFailed,
  SessionRegistry.SessionRegistry | TokenStore.TokenStore | HttpClient.HttpClient
> = internal.make

/**
 * Whether `returnTo` may be followed after sign-in: `Some(path)` for a path on
 * `origin`, `None` for anything a browser could read as another site
 * (`//host`, `/\host`, an absolute URL, control characters).
 *
 * @since 0.1.0
 * @category combinators
 */
export const checkReturnTo: (returnTo: string, origin: URL) => Option.Option<string> = internal.checkReturnTo
