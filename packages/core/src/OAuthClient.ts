/**
 * The OAuth 2.0 client of one provider: authorization URLs and every grant, over
 * `HttpClient.HttpClient`. Stateless: it holds configuration, never tokens.
 *
 * Every token request is a POST (or the provider's method) that never follows a
 * redirect, has a timeout and a response size cap, refuses plain `http:` except
 * for loopback hosts, and goes through `TokenResponse.parse`.
 *
 * Redirects: any 3xx answer is a `TransportError` (`Redirect`), whatever
 * `HttpClient` is provided (do not wrap it in `HttpClient.followRedirects`). With
 * `FetchHttpClient`, each request runs with `redirect: "manual"` merged into the
 * `FetchHttpClient.RequestInit` of the calling context, so `fetch` itself never
 * re-sends a form or an `Authorization` header to another URL; a `RequestInit`
 * given only to the layer is replaced for these requests, so provide it in the
 * context of the calls instead.
 *
 * Spans: `OAuthClient.<method>` with the provider name and grant type as
 * attributes, never a credential. When a provider takes token requests as GET
 * (credentials in the query string), the platform's HTTP span, whose attributes
 * hold the full URL, is not recorded.
 *
 * @since 0.1.0
 */
import type { HttpClient } from "@effect/platform"
import { Context, Schema } from "effect"
import type { Effect, Layer } from "effect"
import type { EndpointRequest, EndpointResponse, Options } from "./internal/client/options.js"
import type { Service } from "./internal/client/service.js"
import * as internal from "./internal/oauthClient.js"
import type { ConfigurationError, TransportError } from "./OAuthError.js"

/**
 * The client's registration and options, and the arguments and answers of its
 * operations (each documented where it is declared).
 *
 * @since 0.1.0
 * @category models
 */
export type {
  AuthorizationUrlOptions,
  Client,
  DevicePoll,
  EndpointRequest,
  EndpointResponse,
  ExchangedToken,
  GrantOptions,
  IdTokenOptions,
  Options,
  PasswordCredentials,
  PollOptions,
  TokenExchangeRequest,
  UserInfo
} from "./internal/client/options.js"
/**
 * The operations of a client: authorization URLs, every grant, refresh,
 * revocation, introspection, userinfo, device authorization.
 *
 * @since 0.1.0
 * @category models
 */
export type { Service } from "./internal/client/service.js"

/**
 * Token type identifiers of RFC 8693 §3, for `subject_token_type`,
 * `actor_token_type`, `requested_token_type` and `issued_token_type`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 * @since 0.1.0
 * @category models
 */
export const TokenTypeUri = {
  accessToken: "urn:ietf:params:oauth:token-type:access_token",
  refreshToken: "urn:ietf:params:oauth:token-type:refresh_token",
  idToken: "urn:ietf:params:oauth:token-type:id_token",
  saml1: "urn:ietf:params:oauth:token-type:saml1",
  saml2: "urn:ietf:params:oauth:token-type:saml2",
  jwt: "urn:ietf:params:oauth:token-type:jwt"
} as const

/**
 * An RFC 7662 introspection response.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 * @since 0.1.0
 * @category models
 */
export class Introspection extends Schema.Class<Introspection>("@effect-oauth/core/Introspection")({
  active: Schema.Boolean,
  scopes: Schema.Array(Schema.String),
  clientId: Schema.optional(Schema.String),
  username: Schema.optional(Schema.String),
  tokenType: Schema.optional(Schema.String),
  /** Epoch ms. */
  expiresAt: Schema.optional(Schema.Number),
  /** Epoch ms. */
  issuedAt: Schema.optional(Schema.Number),
  subject: Schema.optional(Schema.String),
  audience: Schema.Array(Schema.String),
  issuer: Schema.optional(Schema.String),
  extra: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * A device authorization response (RFC 8628 §3.2): what the device shows the
 * user (`userCode`, `verificationUri`, `verificationUriComplete`) and what it
 * polls with (`deviceCode`, kept `Redacted`; `interval`). `expiresAt` is
 * `expires_in` anchored at the moment the request was sent (epoch ms).
 * `scopes` are the scopes requested (the granted ones when the token response
 * omits `scope`); `extra` keeps the response's other fields (Microsoft's
 * `message`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 * @since 0.1.0
 * @category models
 */
export class DeviceAuthorization extends Schema.Class<DeviceAuthorization>("@effect-oauth/core/DeviceAuthorization")({
  deviceCode: Schema.Redacted(Schema.String),
  userCode: Schema.String,
  verificationUri: Schema.String,
  verificationUriComplete: Schema.optional(Schema.String),
  /** Epoch ms. */
  expiresAt: Schema.Number,
  /** Seconds between polls; 5 when the server sent none (RFC 8628 §3.2). */
  interval: Schema.Number,
  scopes: Schema.Array(Schema.String),
  extra: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * The service tag.
 *
 * @since 0.1.0
 * @category models
 */
export class OAuthClient extends Context.Tag("@effect-oauth/core/OAuthClient")<OAuthClient, Service>() {}

/**
 * Builds a client. Fails with `ConfigurationError` when an endpoint is not
 * `https:` (plain `http:` is allowed for loopback hosts only).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => Effect.Effect<Service, ConfigurationError, HttpClient.HttpClient> =
  internal.make

/**
 * Sends one request to a provider endpoint with the guarantees of token requests:
 * `https:` only (plain `http:` for loopback hosts), no redirect followed (a 3xx is
 * a `TransportError` with reason `Redirect`), a timeout and a response size cap.
 * A GET with parameters keeps its URL (which then carries credentials) out of the
 * platform's HTTP span, and errors name the endpoint by origin and path only.
 * Any status is a success here: the caller reads the body.
 *
 * Fails with `ConfigurationError` (`InvalidUrl`, `InsecureUrl`) and
 * `TransportError` (`Transport`, `Timeout`, `Redirect`, `TooLarge`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const request: (
  options: EndpointRequest
) => Effect.Effect<EndpointResponse, TransportError | ConfigurationError, HttpClient.HttpClient> = internal.request

/**
 * A layer of {@link OAuthClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options: Options) => Layer.Layer<OAuthClient, ConfigurationError, HttpClient.HttpClient> =
  internal.layer
