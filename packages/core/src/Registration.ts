/**
 * Dynamic client registration (RFC 7591): a client registers itself at an
 * authorization server's `registration_endpoint` from its metadata and receives a
 * `client_id` (and, for a confidential client, a `client_secret`).
 *
 * ```ts
 * const registered = yield* Registration.register(provider, {
 *   redirect_uris: ["http://127.0.0.1:8765/callback"],
 *   token_endpoint_auth_method: "none",
 *   grant_types: ["authorization_code", "refresh_token"],
 *   response_types: ["code"],
 *   client_name: "My CLI"
 * })
 * const oauth = yield* OAuthClient.make({ provider, client: Registration.toClient(registered) })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591
 * @since 0.1.0
 */
import type { HttpClient } from "@effect/platform"
import { Schema } from "effect"
import type { Duration, Effect, Redacted } from "effect"
import * as internal from "./internal/registration.js"
import type * as OAuthClient from "./OAuthClient.js"
import type { ConfigurationError, InvalidTokenResponse, OAuthError, TransportError } from "./OAuthError.js"
import type { Provider } from "./Provider.js"

/**
 * Client metadata (RFC 7591 §2), with their RFC names. Fields not listed here
 * (`logo_uri`, `software_id`, …) pass through as sent.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 * @since 0.1.0
 * @category models
 */
export interface ClientMetadata {
  readonly redirect_uris: ReadonlyArray<string>
  /** Default at the server: `client_secret_basic`. `none` registers a public client. */
  readonly token_endpoint_auth_method?: string | undefined
  readonly grant_types?: ReadonlyArray<string> | undefined
  readonly response_types?: ReadonlyArray<string> | undefined
  readonly client_name?: string | undefined
  /** Space-separated scopes the client may request. */
  readonly scope?: string | undefined
  /** OpenID Connect Registration §2: `web` (default) or `native`. */
  readonly application_type?: string | undefined
  readonly [field: string]: unknown
}

/**
 * A registered client (RFC 7591 §3.2.1): its `client_id`, its `client_secret`
 * when one was issued, when both were issued and when the secret lapses (epoch
 * ms; absent = never), the RFC 7592 management credentials, and the metadata as
 * the server registered it (without the credentials). Secrets are `Redacted`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 * @since 0.1.0
 * @category models
 */
export class RegisteredClient extends Schema.Class<RegisteredClient>("@effect-oauth/core/RegisteredClient")({
  clientId: Schema.String,
  clientSecret: Schema.optional(Schema.Redacted(Schema.String)),
  clientIdIssuedAt: Schema.optional(Schema.Number),
  clientSecretExpiresAt: Schema.optional(Schema.Number),
  registrationAccessToken: Schema.optional(Schema.Redacted(Schema.String)),
  registrationClientUri: Schema.optional(Schema.String),
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * Options of {@link register}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RegisterOptions {
  /** An initial access token (RFC 7591 §3), for servers that do not allow open registration. */
  readonly initialAccessToken?: Redacted.Redacted<string> | undefined
  /** Timeout of the request. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Largest response read. Default 1 MiB. */
  readonly maxResponseBytes?: number | undefined
}

/**
 * Registers a client at the provider's `registration_endpoint` (RFC 7591 §3.1):
 * a JSON POST of `metadata` (with the initial access token as a bearer token
 * when given), answered with 201 and the client information.
 *
 * Fails with `OAuthError` for an RFC 7591 §3.2.2 error (`invalid_redirect_uri`,
 * `invalid_client_metadata`, `invalid_software_statement`,
 * `unapproved_software_statement`; remedy `fixConfiguration`),
 * `InvalidTokenResponse` (not JSON, no `client_id`, a field of the wrong type),
 * `TransportError`, and `ConfigurationError` (`MissingEndpoint` when the provider
 * has no registration endpoint).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 * @since 0.1.0
 * @category constructors
 */
export const register: (
  provider: Provider,
  metadata: ClientMetadata,
  options?: RegisterOptions | undefined
) => Effect.Effect<
  RegisteredClient,
  OAuthError | InvalidTokenResponse | TransportError | ConfigurationError,
  HttpClient.HttpClient
> = internal.register

/**
 * The `OAuthClient.Client` of a registered client: its id, secret and
 * authentication method (from `token_endpoint_auth_method`), its first redirect
 * URI, plus the given scopes and resource indicators.
 *
 * @since 0.1.0
 * @category combinators
 */
export const toClient = (
  self: RegisteredClient,
  options?: {
    readonly redirectUri?: string | undefined
    readonly scopes?: ReadonlyArray<string> | undefined
    readonly resource?: string | ReadonlyArray<string> | undefined
  } | undefined
): OAuthClient.Client => {
  const method = self.metadata["token_endpoint_auth_method"]
  const authMethod = method === "none" || method === "client_secret_post" || method === "client_secret_basic"
    ? method
    : self.clientSecret === undefined
    ? "none"
    : "client_secret_basic"
  const uris = self.metadata["redirect_uris"]
  const registered = Array.isArray(uris) && typeof uris[0] === "string" ? uris[0] : undefined
  const redirectUri = options?.redirectUri ?? registered
  return {
    clientId: self.clientId,
    ...(self.clientSecret === undefined ? {} : { clientSecret: self.clientSecret }),
    authMethod,
    ...(redirectUri === undefined ? {} : { redirectUri }),
    ...(options?.scopes === undefined ? {} : { scopes: options.scopes }),
    ...(options?.resource === undefined ? {} : { resource: options.resource })
  }
}
