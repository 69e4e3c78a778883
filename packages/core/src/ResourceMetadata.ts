/**
 * OAuth 2.0 protected resource metadata (RFC 9728): what a resource server
 * publishes about itself, above all which authorization servers issue tokens for
 * it. A client finds the document from the resource's identifier (the
 * well-known URL, §3.1) or from the `resource_metadata` parameter of a
 * `WWW-Authenticate` challenge (§5.1), and must check that the document names
 * the resource it asked about (§3.3).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728
 * @since 0.1.0
 */
import type { HttpClient } from "@effect/platform"
import { Schema } from "effect"
import type { Duration, Effect } from "effect"
import * as internal from "./internal/resourceMetadata.js"
import type { ConfigurationError, TransportError } from "./OAuthError.js"
import type { Challenge } from "./WwwAuthenticate.js"

/**
 * A protected resource's metadata (RFC 9728 §2), camelCase, with the raw
 * document as `metadata`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 * @since 0.1.0
 * @category models
 */
export class ResourceMetadata extends Schema.Class<ResourceMetadata>("@effect-oauth/core/ResourceMetadata")({
  /** The resource identifier: what a client sends as `resource` (RFC 8707). */
  resource: Schema.String,
  /** Issuer identifiers of the authorization servers for this resource. */
  authorizationServers: Schema.Array(Schema.String),
  scopesSupported: Schema.Array(Schema.String),
  bearerMethodsSupported: Schema.optional(Schema.Array(Schema.String)),
  resourceName: Schema.optional(Schema.String),
  jwksUri: Schema.optional(Schema.String),
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * The metadata document names another resource than the one asked about: its
 * data "MUST NOT be used" (RFC 9728 §3.3), as it could point the client at an
 * authorization server of the attacker's choosing.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.3
 * @since 0.1.0
 * @category errors
 */
export class ResourceMismatch extends Schema.TaggedError<ResourceMismatch>("@effect-oauth/core/ResourceMismatch")(
  "ResourceMismatch",
  { expected: Schema.String, received: Schema.String }
) {
  override get message(): string {
    return `resource metadata names "${this.received}", expected "${this.expected}" (RFC 9728 §3.3)`
  }
}

/**
 * Options of {@link discover} and {@link fromChallenge}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Timeout of the request. Default 30 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Largest document read. Default 1 MiB. */
  readonly maxResponseBytes?: number | undefined
  /**
   * Hosts (as in the URL: `name` or `name:port`) that a learned URL may point at
   * although it is a loopback, link-local or private address, or although a
   * challenge's `resource_metadata` is on another origin than the resource (RFC 9728
   * §3, §7.7). Default: none.
   */
  readonly allowHosts?: ReadonlyArray<string> | undefined
}

/**
 * The well-known metadata URL of a resource identifier (RFC 9728 §3.1):
 * `/.well-known/oauth-protected-resource` inserted between the host and the
 * path (`https://api.example/mcp` → `https://api.example/.well-known/oauth-protected-resource/mcp`).
 *
 * Fails with `ConfigurationError` for an identifier that is not an absolute
 * `https:` URL (plain `http:` on loopback only) or has a query or fragment.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.1
 * @since 0.1.0
 * @category constructors
 */
export const wellKnownUrl: (resource: string) => Effect.Effect<URL, ConfigurationError> = internal.wellKnownUrl

/**
 * Reads the metadata of a resource identifier from its well-known URL; the
 * document's `resource` must be identical to `resource` (RFC 9728 §3.3).
 * Redirects are not followed; the request has a timeout and a size cap.
 *
 * Fails with `ResourceMismatch`, `ConfigurationError` (`InvalidMetadata`: no
 * document, not JSON, a missing or mistyped field, no authorization server;
 * `InsecureUrl`/`InvalidUrl`) and `TransportError`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
 * @since 0.1.0
 * @category constructors
 */
export const discover: (
  resource: string,
  options?: Options | undefined
) => Effect.Effect<ResourceMetadata, ResourceMismatch | ConfigurationError | TransportError, HttpClient.HttpClient> =
  internal.discover

/**
 * Reads the metadata named by a challenge's `resource_metadata` (RFC 9728
 * §5.1), received for a request to `requestUrl`. Per §3.3 the document's
 * `resource` must be identical to the URL requested (query and fragment aside);
 * with `match: "prefix"` it may also be a same-origin URL whose path is a
 * prefix of the request's, as draft-mcguinness-oauth-rfc9728bis proposes.
 * Without `resource_metadata`, the well-known URL of `requestUrl` is read.
 *
 * Fails like {@link discover}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-5.1
 * @since 0.1.0
 * @category constructors
 */
export const fromChallenge: (
  requestUrl: string,
  challenge: Challenge,
  options?: (Options & { readonly match?: "exact" | "prefix" | undefined }) | undefined
) => Effect.Effect<ResourceMetadata, ResourceMismatch | ConfigurationError | TransportError, HttpClient.HttpClient> =
  internal.fromChallenge
