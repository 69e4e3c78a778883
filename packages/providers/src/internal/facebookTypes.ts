/**
 * The models of the Facebook preset, re-exported by `Facebook`.
 */
import type { Duration, Redacted } from "effect"
import { Schema } from "effect"
import type { GraphVersion } from "../Facebook.js"

/**
 * Authorization request parameters Facebook Login defines beyond RFC 6749.
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#login
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationOptions {
  /**
   * `auth_type`: `rerequest` asks again for declined permissions,
   * `reauthenticate` asks for the password again, `reauthorize` renews data access.
   */
  readonly authType?: "rerequest" | "reauthenticate" | "reauthorize" | undefined
  /** `config_id` of a Facebook Login for Business configuration (replaces `scope`). */
  readonly configId?: string | undefined
}

/**
 * A permission with the objects it was granted for (`granular_scopes`).
 *
 * @see https://developers.facebook.com/docs/graph-api/reference/debug_token
 * @since 0.1.0
 * @category models
 */
export class GranularScope extends Schema.Class<GranularScope>("@effect-oauth/providers/Facebook/GranularScope")({
  scope: Schema.String,
  targetIds: Schema.Array(Schema.String)
}) {}

/**
 * What `debug_token` says about a valid token. Times are epoch milliseconds;
 * `expiresAt` is absent for a token that does not expire (Graph `expires_at: 0`).
 *
 * @see https://developers.facebook.com/docs/graph-api/reference/debug_token
 * @since 0.1.0
 * @category models
 */
export class DebugToken extends Schema.Class<DebugToken>("@effect-oauth/providers/Facebook/DebugToken")({
  appId: Schema.String,
  /** `USER`, `PAGE`, `APP`, … */
  type: Schema.optional(Schema.String),
  application: Schema.optional(Schema.String),
  userId: Schema.optional(Schema.String),
  expiresAt: Schema.optional(Schema.Number),
  /** When the app's access to the user's data ends (re-authorization renews it). */
  dataAccessExpiresAt: Schema.optional(Schema.Number),
  issuedAt: Schema.optional(Schema.Number),
  scopes: Schema.Array(Schema.String),
  granularScopes: Schema.Array(GranularScope),
  extra: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * Options of `Facebook.debugToken`: the app the token must belong to, and how to
 * authenticate the call (the app token `{app-id}|{app-secret}`, built from
 * `appSecret`, or another access token of the app's developers).
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/access-tokens#apptokens
 * @since 0.1.0
 * @category models
 */
export interface DebugTokenOptions {
  readonly appId: string
  readonly appSecret: Redacted.Redacted<string>
  readonly version?: GraphVersion | undefined
  /** The endpoint. Default: `Facebook.endpoints(version).debugToken`. */
  readonly url?: string | undefined
  readonly timeout?: Duration.DurationInput | undefined
}
