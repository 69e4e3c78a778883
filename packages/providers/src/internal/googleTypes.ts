/**
 * The models of the Google preset, re-exported by `Google`.
 */
import type { Duration } from "effect"
import { Schema } from "effect"

/**
 * Google's `prompt`: `none` (no screen at all, fails when one is needed), or any
 * of `consent` (ask again, which also yields a new refresh token) and
 * `select_account`.
 *
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#creatingclient
 * @since 0.1.0
 * @category models
 */
export type Prompt = "none" | "consent" | "select_account" | ReadonlyArray<"consent" | "select_account">

/**
 * Authorization request parameters Google defines beyond RFC 6749.
 *
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#creatingclient
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationOptions {
  /** `offline` asks for a refresh token (Google's default is `online`: none). */
  readonly accessType?: "online" | "offline" | undefined
  readonly prompt?: Prompt | undefined
  /** Incremental authorization: the new grant also covers scopes granted before. */
  readonly includeGrantedScopes?: boolean | undefined
  /** `login_hint`: an email address or `sub` to preselect the account. */
  readonly loginHint?: string | undefined
  /** `hd`: the Google Workspace domain to offer (check the `hd` claim afterwards, too). */
  readonly hostedDomain?: string | undefined
}

/**
 * What Google's `tokeninfo` endpoint says about a token. Times are epoch
 * milliseconds; `extra` keeps the other fields (an ID token's `name`, `picture`, …).
 *
 * @see https://developers.google.com/identity/sign-in/web/backend-auth#calling-the-tokeninfo-endpoint
 * @since 0.1.0
 * @category models
 */
export class TokenInfo extends Schema.Class<TokenInfo>("@effect-oauth/providers/Google/TokenInfo")({
  /** `aud`: the client the token was issued to. */
  audience: Schema.String,
  /** `azp`: the client that asked for it, when it differs or is reported. */
  authorizedParty: Schema.optional(Schema.String),
  /** `sub`: the user's stable id. */
  subject: Schema.optional(Schema.String),
  scopes: Schema.Array(Schema.String),
  /** When the token expires (epoch ms). */
  expiresAt: Schema.Number,
  email: Schema.optional(Schema.String),
  emailVerified: Schema.optional(Schema.Boolean),
  /** `online` or `offline` (access tokens). */
  accessType: Schema.optional(Schema.String),
  /** `iss` (ID tokens). */
  issuer: Schema.optional(Schema.String),
  extra: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * Options of `Google.tokenInfo`.
 *
 * @see https://developers.google.com/identity/sign-in/web/backend-auth#calling-the-tokeninfo-endpoint
 * @since 0.1.0
 * @category models
 */
export interface TokenInfoOptions {
  /** The client id(s) the token must have been issued to (`aud`). Required: a token of another app is refused. */
  readonly audience: string | ReadonlyArray<string>
  /** What the token is. Default `access_token`. */
  readonly tokenType?: "access_token" | "id_token" | undefined
  /** The endpoint. Default `Google.endpoints.tokenInfo`. */
  readonly url?: string | undefined
  readonly timeout?: Duration.DurationInput | undefined
}
