/**
 * An `HttpClient` for a resource server that sends the session's access token
 * (RFC 6750 §2.1: `Authorization: Bearer …`, or the token's own type) and
 * handles what can happen to it:
 *
 * - a 401 whose `WWW-Authenticate` challenges (read by `WwwAuthenticate.parse`)
 *   carry `error="invalid_token"` (RFC 6750 §3.1)
 *   reports the token rejected, waits for the session's refresh and retries the
 *   request once with the new token — only when sending it twice is harmless:
 *   an idempotent method (RFC 9110 §9.2.2) or a body marked with
 *   {@link withReplayableBody}; otherwise the 401 is returned (the next request
 *   gets the new token), and never for a streamed body;
 * - redirects are followed here, not by the underlying client: a hop to the
 *   origin of the original request carries the header, a hop to any other
 *   origin carries no credential — neither `Authorization` and `DPoP` nor the
 *   caller's `credentialHeaders` (RFC 9700 §4.11) — and no hop goes from https
 *   to http (the 3xx is returned). With `FetchHttpClient`, requests run with
 *   `redirect: "manual"`.
 *
 * ```ts
 * const api = AuthorizedHttpClient.make(session, yield* HttpClient.HttpClient)
 * const response = yield* api.get("https://api.example.com/me")
 * ```
 *
 * @since 0.1.0
 */
import type { HttpClient, HttpClientError } from "@effect/platform"
import { Context, Effect, Layer } from "effect"
import { HttpClient as HttpClientTag } from "@effect/platform"
import * as internal from "./internal/authorizedHttpClient.js"
import type { OAuthSession } from "./OAuthSession.js"
import type { AccessTokenError } from "./SessionError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * How many redirects to follow (301, 302, 303, 307, 308). Past the limit, the
   * last 3xx response is returned. `0` returns every 3xx as is. Default 5.
   */
  readonly maxRedirects?: number | undefined
  /**
   * The caller's headers that carry a credential, removed (besides
   * `Authorization` and `DPoP`) on a redirect to another origin. Default
   * `["cookie", "proxy-authorization", "x-api-key"]`.
   */
  readonly credentialHeaders?: ReadonlyArray<string> | undefined
}

/**
 * Marks the requests `self` sends as safe to send twice: after a 401
 * `invalid_token` and a refresh, such a request is replayed with the new
 * token even when its method is not idempotent (RFC 9110 §9.2.2).
 *
 * ```ts
 * const response = yield* api.post(url, { body }).pipe(AuthorizedHttpClient.withReplayableBody)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2
 * @since 0.1.0
 * @category combinators
 */
export const withReplayableBody = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(self, internal.currentReplayable, true)

/**
 * The client: the underlying client's errors plus the session's.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthorizedHttpClient extends HttpClient.HttpClient.With<HttpClientError.HttpClientError | AccessTokenError> {}

/**
 * Wraps `client` so that its requests carry `session`'s access token.
 *
 * Fails with the session's `AccessTokenError` (`Unauthorized`, `SessionRevoked`,
 * `RefreshFailed`) when no token can be had, and with the underlying client's
 * `HttpClientError`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  session: OAuthSession,
  client: HttpClient.HttpClient,
  options?: Options | undefined
) => AuthorizedHttpClient = internal.make

/**
 * The service tag of an authorized client, for apps that provide one per
 * session through a layer.
 *
 * @since 0.1.0
 * @category models
 */
export const AuthorizedHttpClient: Context.Tag<AuthorizedHttpClient, AuthorizedHttpClient> = Context.GenericTag<
  AuthorizedHttpClient
>("@effect-oauth/session/AuthorizedHttpClient")

/**
 * A layer of {@link AuthorizedHttpClient} for `session`, over the context's
 * `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  session: OAuthSession,
  options?: Options | undefined
): Layer.Layer<AuthorizedHttpClient, never, HttpClient.HttpClient> =>
  Layer.effect(AuthorizedHttpClient, Effect.map(HttpClientTag.HttpClient, (client) => make(session, client, options)))
