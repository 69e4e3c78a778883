/**
 * From a protected resource's URL to an authorized session, in one call: the
 * discovery chain an MCP client or an agent runs against a server it has never
 * seen.
 *
 * 1. request the URL without a token; expect `401` with a `WWW-Authenticate`
 *    challenge (RFC 6750 §3, RFC 9728 §5.1);
 * 2. read the resource's metadata from `resource_metadata` (or the well-known
 *    URL) and check it names the URL requested (RFC 9728 §3.3);
 * 3. choose an authorization server the resource names — the first one the
 *    given client is bound to (`clientIssuers`), else the first — and discover
 *    it (RFC 8414 / OpenID Connect);
 * 4. register a public client there (RFC 7591) unless the given client is
 *    bound to it: a pre-registered client's credentials go to no other server,
 *    whatever the resource's metadata says (RFC 9700 §4.1.2: metadata from a
 *    resource may name an attacker's server);
 * 5. run code + PKCE with the `resource` indicator (RFC 8707) in a new
 *    {@link OAuthSession}, the user's part played by `options.authorize`;
 * 6. send the request again through an {@link AuthorizedHttpClient}.
 *
 * ```ts
 * const { client, response, session } = yield* ResourceAuthorization.fromResource("https://mcp.example.com/mcp", {
 *   redirectUri: "http://127.0.0.1:8765/callback",
 *   authorize: (request) => openBrowserAndAwaitCallback(request.url)
 * })
 * ```
 *
 * @since 0.1.0
 */
import type { HttpClient, HttpClientResponse } from "@effect/platform"
import type { Callback, OAuthClient, Provider, Registration, ResourceMetadata } from "@effect-oauth/core"
import { OAuthError, ResourceMetadata as ResourceMetadataModule, WwwAuthenticate } from "@effect-oauth/core"
import { Schema } from "effect"
import type { Effect, Option, Scope } from "effect"
import type { AuthorizedHttpClient } from "./AuthorizedHttpClient.js"
import * as internal from "./internal/resourceAuthorization.js"
import type * as OAuthSession from "./OAuthSession.js"
import { AuthorizationFailed, RefreshFailed, SessionRevoked, Unauthorized } from "./SessionError.js"
import { TokenStoreError } from "./TokenStore.js"
import type { TokenStore } from "./TokenStore.js"

/**
 * Options of {@link fromResource}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<E> {
  /**
   * Plays the user's part: sends the user to `request.url` and returns the URL
   * the authorization server redirected back to (`redirectUri` with `code`,
   * `state`, `iss`). Its failure is the call's failure.
   */
  readonly authorize: (request: Callback.AuthorizationRequest) => Effect.Effect<string | URL, E>
  /** The redirect URI: registered with a new client, sent in the authorization request. */
  readonly redirectUri: string
  /**
   * A client already registered at some authorization servers (`clientIssuers`):
   * used, without registration, when the resource names one of them.
   */
  readonly client?: OAuthClient.Client | undefined
  /**
   * The issuer identifiers of the authorization servers `client` is registered
   * at. Its credentials (client secret, private key) are sent to these and no
   * other; without them, to none.
   */
  readonly clientIssuers?: ReadonlyArray<string> | undefined
  /**
   * When the resource names no server `client` is bound to: `"register"` a new
   * public client at the resource's server (RFC 7591), or `"fail"` with
   * `ClientNotBound` before any request. Default `"register"`.
   */
  readonly otherServer?: "register" | "fail" | undefined
  /** `client_name` of a new registration. Default `"effect-oauth"`. */
  readonly clientName?: string | undefined
  /**
   * Scopes requested. Default: the challenge's `scope`, else the metadata's
   * `scopes_supported`, else none.
   */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** The session's key in the `TokenStore`. Default: the resource identifier. */
  readonly key?: string | undefined
  /** Options of the session (`refresh` defaults to `"lazy"`). */
  readonly session?: Partial<Omit<OAuthSession.Options, "key">> | undefined
  /** How the metadata's `resource` must match the URL (see `ResourceMetadata.fromChallenge`). Default `"exact"`. */
  readonly match?: "exact" | "prefix" | undefined
}

/**
 * The outcome: the authorized session, a client that sends its token, the
 * response to the request sent again with the token, and what the chain found
 * (the resource's metadata, the authorization server, the client registered —
 * keep `registration` to pass it as `client` next time).
 *
 * @since 0.1.0
 * @category models
 */
export interface Authorized {
  readonly session: OAuthSession.OAuthSession
  readonly client: AuthorizedHttpClient
  readonly response: HttpClientResponse.HttpClientResponse
  readonly metadata: ResourceMetadata.ResourceMetadata
  readonly provider: Provider.Provider
  readonly registration: Option.Option<Registration.RegisteredClient>
}

/**
 * Which step of the chain failed.
 *
 * @since 0.1.0
 * @category models
 */
export const ResourceAuthorizationFailedReason = Schema.Literal(
  "NotChallenged",
  "Challenge",
  "ResourceMetadata",
  "Discovery",
  "Registration",
  "ClientNotBound",
  "Authorization",
  "Request"
)

/**
 * A step of {@link fromResource} failed: `NotChallenged` (the first request did
 * not get a 401; `status` says what it got), `Challenge` (an unreadable
 * `WWW-Authenticate`), `ResourceMetadata` (no usable metadata, or it names
 * another resource), `Discovery` (the authorization server's metadata),
 * `Registration` (RFC 7591, or no registration endpoint and no client),
 * `ClientNotBound` (the resource names only servers the given client is not
 * bound to, and `otherServer` is `"fail"`; `server` names the first),
 * `Authorization` (the session's authorization), `Request` (a request to the
 * resource). `cause` is the underlying error; none carries a secret.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResourceAuthorizationFailed extends Schema.TaggedError<ResourceAuthorizationFailed>(
  "@effect-oauth/session/ResourceAuthorizationFailed"
)("ResourceAuthorizationFailed", {
  reason: ResourceAuthorizationFailedReason,
  status: Schema.optional(Schema.Number),
  server: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Union(
    OAuthError.OAuthError,
    OAuthError.InvalidTokenResponse,
    OAuthError.TransportError,
    OAuthError.ConfigurationError,
    OAuthError.IssuerMismatch,
    OAuthError.IdTokenInvalid,
    ResourceMetadataModule.ResourceMismatch,
    WwwAuthenticate.InvalidChallenge,
    AuthorizationFailed,
    Unauthorized,
    SessionRevoked,
    RefreshFailed,
    TokenStoreError
  ))
}) {
  override get message(): string {
    const status = this.status === undefined ? "" : ` (HTTP ${this.status})`
    if (this.reason === "ClientNotBound") {
      return `resource authorization failed at ClientNotBound: the given client is not registered at ${this.server}, the authorization server the resource names`
    }
    const cause = this.cause === undefined ? "" : `: ${this.cause.message}`
    return `resource authorization failed at ${this.reason}${status}${cause}`
  }
}

/**
 * Runs the whole chain for `url` (see the module documentation) and returns an
 * authorized session with an {@link AuthorizedHttpClient}. The session lives in
 * the calling scope, in the context's `TokenStore`; requests go through the
 * context's `HttpClient`.
 *
 * Fails with {@link ResourceAuthorizationFailed} (its `reason` names the step)
 * and with the error of `options.authorize`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-5
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 * @since 0.1.0
 * @category constructors
 */
export const fromResource: <E>(
  url: string,
  options: Options<E>
) => Effect.Effect<
  Authorized,
  ResourceAuthorizationFailed | E,
  HttpClient.HttpClient | TokenStore | Scope.Scope
> = internal.fromResource
