/**
 * The OAuth 1.0a client of one provider (RFC 5849 §2): temporary credentials,
 * the authorization URL, token credentials, and an `HttpClient` that signs every
 * API call (§3). Stateless: it holds configuration, never tokens.
 *
 * Every credentials request is a signed `POST` that never follows a redirect,
 * has a timeout and a response size cap, and refuses plain `http:` except for
 * loopback hosts.
 *
 * @since 0.1.0
 */
import type { OAuthError } from "@effect-oauth/core"
import type { HttpClient, HttpClientError, HttpClientRequest } from "@effect/platform"
import { Context } from "effect"
import type { Duration, Effect, Layer, Redacted } from "effect"
import type { Verifier } from "./Callback.js"
import * as internal from "./internal/oauth1Client.js"
import type { InvalidResponse, OAuth1Error, SigningError, TokenMismatch } from "./OAuth1Error.js"
import type * as Signature from "./Signature.js"
import type { TemporaryCredentials } from "./TemporaryCredentials.js"
import type { TokenCredentials } from "./TokenCredentials.js"

/**
 * The three endpoints a provider documents (RFC 5849 §2).
 *
 * @since 0.1.0
 * @category models
 */
export interface Endpoints {
  /** Temporary Credential Request (Twitter/X: `https://api.x.com/oauth/request_token`). */
  readonly requestToken: string
  /** Resource Owner Authorization (Twitter/X: `https://api.x.com/oauth/authorize`). */
  readonly authorize: string
  /** Token Request (Twitter/X: `https://api.x.com/oauth/access_token`). */
  readonly accessToken: string
}

/**
 * How requests are signed.
 *
 * @since 0.1.0
 * @category models
 */
export interface SigningOptions {
  readonly consumer: Signature.Consumer
  /** Token credentials (or temporary credentials) to sign with; none for 2-legged calls. */
  readonly token?: Signature.Token | undefined
  /** Default `HMAC-SHA1`. */
  readonly signatureMethod?: Signature.Method | undefined
  /** The `realm` of the `Authorization` header. */
  readonly realm?: string | undefined
  /** Send `oauth_version="1.0"`. Default `true`. */
  readonly version?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly endpoints: Endpoints
  readonly consumer: Signature.Consumer
  /** Default `HMAC-SHA1`. */
  readonly signatureMethod?: Signature.Method | undefined
  readonly realm?: string | undefined
  /** Send `oauth_version="1.0"`. Default `true`. */
  readonly version?: boolean | undefined
  /** The `oauth_callback` when `requestToken` names none: an absolute URI, or `oob` (the default). */
  readonly callback?: string | undefined
  /** Timeout of each credentials request. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Largest response body read. Default 1 MiB. */
  readonly maxResponseBytes?: number | undefined
}

/**
 * The errors of a credentials request.
 *
 * @since 0.1.0
 * @category errors
 */
export type EndpointError = OAuth1Error | InvalidResponse | SigningError | OAuthError.TransportError

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Obtains temporary credentials (RFC 5849 §2.1): a signed `POST` with
   * `oauth_callback` (the given callback, else the configured one, else `oob`)
   * and `params` as a form body (Twitter/X's `x_auth_access_type`, …). The
   * response must confirm the callback (`oauth_callback_confirmed=true`).
   *
   * Fails with `OAuth1Error` (a reported `oauth_problem`), `InvalidResponse`
   * (`CallbackNotConfirmed`, `MissingField`, …), `TransportError`, `SigningError`,
   * `ConfigurationError` (a callback that is neither an absolute URI nor `oob`).
   */
  readonly requestToken: (
    options?: {
      readonly callback?: string | undefined
      readonly params?: Readonly<Record<string, string>> | undefined
    } | undefined
  ) => Effect.Effect<TemporaryCredentials, EndpointError | OAuthError.ConfigurationError>

  /**
   * The URL to send the user to (RFC 5849 §2.2): the authorization endpoint with
   * `oauth_token` and any extra `params` (Twitter/X's `force_login`, `screen_name`).
   */
  readonly authorizationUrl: (
    requestToken: TemporaryCredentials,
    params?: Readonly<Record<string, string>> | undefined
  ) => string

  /**
   * Exchanges temporary credentials and a verifier from `Callback.parse` (or
   * `Callback.outOfBand`) for token credentials (RFC 5849 §2.3): a `POST` signed
   * with the temporary credentials and carrying `oauth_verifier`. Fields besides
   * `oauth_token` and `oauth_token_secret` are kept in `extra`.
   *
   * Fails with `TokenMismatch` (the verifier belongs to other temporary
   * credentials), `OAuth1Error`, `InvalidResponse`, `TransportError`, `SigningError`.
   */
  readonly accessToken: (
    requestToken: TemporaryCredentials,
    verifier: Verifier
  ) => Effect.Effect<TokenCredentials, EndpointError | TokenMismatch>

  /**
   * The layer's `HttpClient`, signing every request with the consumer and the
   * given token credentials (see {@link signed}).
   */
  readonly httpClient: (
    token?: Signature.Token | undefined
  ) => HttpClient.HttpClient.With<HttpClientError.HttpClientError | SigningError>
}

/**
 * The service tag.
 *
 * @since 0.1.0
 * @category models
 */
export class OAuth1Client extends Context.Tag("@effect-oauth/oauth1/OAuth1Client")<OAuth1Client, Service>() {}

/**
 * Builds a client. Fails with `ConfigurationError` when an endpoint is not an
 * absolute `https:` URL (plain `http:` is allowed for loopback hosts only) or
 * carries an `oauth_` query parameter (RFC 5849 §2), or when the default callback
 * is neither an absolute URI nor `oob`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<Service, OAuthError.ConfigurationError, HttpClient.HttpClient> = internal.make

/**
 * A layer of {@link OAuth1Client}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (
  options: Options
) => Layer.Layer<OAuth1Client, OAuthError.ConfigurationError, HttpClient.HttpClient> = internal.layer

/**
 * Signs one request (RFC 5849 §3.1) and sets its `Authorization: OAuth …`
 * header. The signature covers the method, the URL with its query and
 * `urlParams`, and the body parameters when the body is
 * `application/x-www-form-urlencoded` (§3.4.1.3.1); other bodies are not signed.
 * `callback` and `verifier` add `oauth_callback` and `oauth_verifier`.
 *
 * Fails with `SigningError` (`InvalidUrl`, `MissingCredential`,
 * `InvalidPrivateKey`, or `UnsupportedBody` for a form body given as a stream).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.1
 * @since 0.1.0
 * @category combinators
 */
export const signRequest: (
  request: HttpClientRequest.HttpClientRequest,
  options: SigningOptions & {
    readonly callback?: string | undefined
    readonly verifier?: Redacted.Redacted<string> | undefined
  }
) => Effect.Effect<HttpClientRequest.HttpClientRequest, SigningError> = internal.signRequest

/**
 * An `HttpClient` middleware that signs every outgoing request with
 * {@link signRequest}: a fresh nonce and timestamp each time, query and form
 * body parameters included. Apply it after any other request transformation:
 * `HttpClient.mapRequest` appends, so a change made by a transformation added
 * later would not be covered by the signature.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { OAuth1Client } from "@effect-oauth/oauth1"
 * import { Effect, Redacted } from "effect"
 *
 * const program = (tokens: { token: Redacted.Redacted<string>; tokenSecret: Redacted.Redacted<string> }) =>
 *   Effect.gen(function*() {
 *     const client = OAuth1Client.signed(yield* HttpClient.HttpClient, {
 *       consumer: { key: Redacted.make("key"), secret: Redacted.make("secret") },
 *       token: tokens
 *     })
 *     return yield* client.get("https://api.x.com/1.1/account/verify_credentials.json")
 *   })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const signed: {
  (options: SigningOptions): <E, R>(
    self: HttpClient.HttpClient.With<E, R>
  ) => HttpClient.HttpClient.With<E | SigningError, R>
  <E, R>(
    self: HttpClient.HttpClient.With<E, R>,
    options: SigningOptions
  ): HttpClient.HttpClient.With<E | SigningError, R>
} = internal.signed
