/**
 * The errors of a session: a small closed set, each wrapping the core or store
 * error that caused it. Messages are built from secret-free fields only; no
 * token, code or state value ever appears in a message, a `toString` or JSON.
 *
 * @since 0.1.0
 */
import { OAuthError } from "@effect-oauth/core"
import { Predicate, Schema } from "effect"
import { LeaseUnavailable, TokenStoreError, VersionConflict } from "./TokenStore.js"

const TokenEndpointError = Schema.Union(
  OAuthError.OAuthError,
  OAuthError.InvalidTokenResponse,
  OAuthError.TransportError,
  OAuthError.ConfigurationError,
  OAuthError.IdTokenInvalid
)

const StoreError = Schema.Union(TokenStoreError, VersionConflict, LeaseUnavailable)

const CallbackError = Schema.Union(
  OAuthError.AuthorizationDenied,
  OAuthError.DeviceCodeExpired,
  OAuthError.StateMismatch,
  OAuthError.IssuerMismatch,
  OAuthError.InvalidCallback
)

/**
 * The session has no usable grant: it was never authorized, the authorization
 * failed or is still pending, or the access token lapsed without a (live)
 * refresh token. Only a new authorization helps. `reason`:
 *
 * - `NoGrant`: nothing authorized yet (or the last authorization failed).
 * - `Authorizing`: an authorization is in progress.
 * - `NoRefreshToken`: the access token expired and the grant has no refresh token.
 * - `RefreshTokenExpired`: the refresh token itself lapsed (`refreshTokenExpiresAt`).
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@effect-oauth/session/Unauthorized")(
  "Unauthorized",
  { reason: Schema.Literal("NoGrant", "Authorizing", "NoRefreshToken", "RefreshTokenExpired") }
) {
  /** Always `reauthorize`. */
  get remedy(): OAuthError.Remedy {
    return "reauthorize"
  }

  override get message(): string {
    switch (this.reason) {
      case "NoGrant":
        return "the session has no grant: authorize first"
      case "Authorizing":
        return "the session is waiting for an authorization to complete"
      case "NoRefreshToken":
        return "the access token expired and the grant has no refresh token: authorize again"
      case "RefreshTokenExpired":
        return "the refresh token expired: authorize again"
    }
  }
}

/**
 * The grant is dead and was removed from the store. `reason`:
 *
 * - `Revoked`: the application revoked it (`OAuthSession.revoke`).
 * - `GrantRejected`: the authorization server refused the refresh token
 *   (`invalid_grant` and other `reauthorize` errors, kept as `cause`), and no
 *   other holder had rotated it (RFC 6749 §5.2).
 * - `GrantRemoved`: another holder of the same key removed it from the store.
 * - `IdTokenRejected`: a refreshed ID token failed validation for a reason other
 *   than an unknown key (`idTokenInvalid`): the tokens may belong to someone else, so the
 *   store was cleared and the refresh token it came with revoked.
 * - `ResponseLost`: as `GrantRejected`, after an earlier refresh's response was
 *   lost on the way back (`RefreshFailed.responseLost`): the server had likely
 *   rotated the refresh token, and refused the old one as reused.
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionRevoked extends Schema.TaggedError<SessionRevoked>("@effect-oauth/session/SessionRevoked")(
  "SessionRevoked",
  {
    reason: Schema.Literal("Revoked", "GrantRejected", "GrantRemoved", "ResponseLost", "IdTokenRejected"),
    cause: Schema.optional(OAuthError.OAuthError),
    /** With `IdTokenRejected`: why the refreshed ID token was refused. */
    idTokenInvalid: Schema.optional(OAuthError.IdTokenInvalid)
  }
) {
  /** Always `reauthorize`. */
  get remedy(): OAuthError.Remedy {
    return "reauthorize"
  }

  private get code(): string {
    return this.cause === undefined ? "" : ` (${this.cause.error})`
  }

  override get message(): string {
    switch (this.reason) {
      case "Revoked":
        return "the session was revoked: authorize again"
      case "GrantRejected":
        return `the authorization server rejected the grant${this.code}: authorize again`
      case "IdTokenRejected":
        return `the refreshed ID token was refused${
          this.idTokenInvalid === undefined ? "" : ` (${this.idTokenInvalid.reason})`
        }; the grant was dropped and its refresh token revoked: authorize again`
      case "GrantRemoved":
        return "the grant was removed from the token store by another holder: authorize again"
      case "ResponseLost":
        return `the authorization server rejected the refresh token${this.code} after an earlier refresh response ` +
          "was lost (the server had likely rotated it): authorize again"
    }
  }
}

/**
 * A refresh did not produce tokens: transient failures outlasted the retries,
 * the client is misconfigured, or the store failed. The stored grant is kept.
 * `remedy` is the cause's: `retry` (try again later, see `retryAfter` on the
 * cause) or `fixConfiguration` (fix the client, the grant then works again).
 *
 * @since 0.1.0
 * @category errors
 */
export class RefreshFailed extends Schema.TaggedError<RefreshFailed>("@effect-oauth/session/RefreshFailed")(
  "RefreshFailed",
  {
    cause: Schema.Union(TokenEndpointError, StoreError),
    /** Attempts made in this refresh, including the failing one. */
    attempts: Schema.Number
  }
) {
  /** What a caller can do about it. */
  get remedy(): OAuthError.Remedy {
    return this.cause.remedy
  }

  /**
   * The request may have reached the server and only its response was lost (a
   * timeout or a reset after sending: `TransportError.requestSent`). The
   * server may have rotated the refresh token: the stored one may be spent.
   */
  get responseLost(): boolean {
    return this.cause._tag === "TransportError" && this.cause.requestSent === true
  }

  /** `Retry-After` of the cause in seconds, when the server sent one. */
  get retryAfter(): number | undefined {
    return "retryAfter" in this.cause ? this.cause.retryAfter : undefined
  }

  override get message(): string {
    const attempts = this.attempts === 1 ? "1 attempt" : `${this.attempts} attempts`
    if (this.responseLost) {
      return `refresh failed after ${attempts}: the request may have reached the server and its response was lost, ` +
        `so the server may have rotated the refresh token (remedy: ${this.remedy}, but the grant may be spent): ${this.cause.message}`
    }
    return `refresh failed after ${attempts} (remedy: ${this.remedy}): ${this.cause.message}`
  }
}

/**
 * Completing an authorization failed; the session is `unauthorized` again (or
 * stays where it was for `InvalidState`). `reason`:
 *
 * - `InvalidState`: the session is not in a state that accepts this step
 *   (`authorize` while authorized, a callback while not authorizing).
 * - `Configuration`: the authorization URL could not be built.
 * - `Request`: the pushed authorization request (RFC 9126) failed (`cause`: the
 *   server's error or the transport failure).
 * - `Callback`: the callback was refused (denied, state or issuer mismatch, malformed).
 * - `Denied`: the user declined a device authorization (`access_denied`, RFC 8628 §3.5).
 * - `Exchange`: the token endpoint refused the code or failed (for a device: the
 *   device authorization request or a poll failed).
 * - `Storage`: the tokens could not be stored (they are not handed out).
 * - `Timeout`: no callback arrived in time, or the device code expired
 *   (`DeviceCodeExpired` as `cause`).
 * - `Superseded`: a newer authorization replaced this one.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthorizationFailed extends Schema.TaggedError<AuthorizationFailed>(
  "@effect-oauth/session/AuthorizationFailed"
)("AuthorizationFailed", {
  reason: Schema.Literal(
    "InvalidState",
    "Configuration",
    "Request",
    "Callback",
    "Denied",
    "Exchange",
    "Storage",
    "Timeout",
    "Superseded"
  ),
  cause: Schema.optional(Schema.Union(TokenEndpointError, CallbackError, StoreError)),
  /** The session state, for `InvalidState`. */
  state: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const cause = this.cause === undefined ? "" : `: ${this.cause.message}`
    switch (this.reason) {
      case "InvalidState":
        return `the session cannot do this while ${this.state ?? "in its current state"}`
      case "Timeout":
        return this.cause?._tag === "DeviceCodeExpired"
          ? `the device authorization expired: ${this.cause.message}`
          : "the authorization did not complete in time (no callback, or no approval of the device code): authorize again"
      case "Superseded":
        return "a newer authorization replaced this one"
      default:
        return `authorization failed (${this.reason})${cause}`
    }
  }
}

/**
 * The grant was removed locally (the session is `revoked`, the store entry
 * deleted), but revoking it at the authorization server (RFC 7009) failed, or the
 * store could not be cleared. The server may still honour the grant until it
 * expires.
 *
 * @since 0.1.0
 * @category errors
 */
export class RevocationFailed extends Schema.TaggedError<RevocationFailed>("@effect-oauth/session/RevocationFailed")(
  "RevocationFailed",
  { cause: Schema.Union(TokenEndpointError, StoreError) }
) {
  override get message(): string {
    return `revocation failed: ${this.cause.message}`
  }
}

/**
 * Every error of a session.
 *
 * @since 0.1.0
 * @category errors
 */
export type SessionError = Unauthorized | SessionRevoked | RefreshFailed | AuthorizationFailed | RevocationFailed

/**
 * The errors of `OAuthSession.accessToken`.
 *
 * @since 0.1.0
 * @category errors
 */
export type AccessTokenError = Unauthorized | SessionRevoked | RefreshFailed

const tags: ReadonlySet<string> = new Set([
  "Unauthorized",
  "SessionRevoked",
  "RefreshFailed",
  "AuthorizationFailed",
  "RevocationFailed"
])

/**
 * `true` for any {@link SessionError}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isSessionError = (u: unknown): u is SessionError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag)
