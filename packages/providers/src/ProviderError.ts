/**
 * The errors of the provider operations (token validation at Google's `tokeninfo`
 * or the Graph API's `debug_token`). Token endpoint failures stay the core's
 * errors (`OAuthError`, `InvalidTokenResponse`, `TransportError`,
 * `ConfigurationError`); this module adds what only a validation can find out.
 *
 * @since 0.1.0
 */
import type { OAuthError } from "@effect-oauth/core"
import { Predicate, Schema } from "effect"

/**
 * A token a provider checked and found unusable for this client. `reason`:
 *
 * - `Rejected`: the provider says the token is not valid (unknown, revoked,
 *   malformed); `code` and `description` are the provider's, as received.
 * - `Expired`: the token's lifetime is over.
 * - `AudienceMismatch`: the token was issued to another client or app (a token
 *   substitution attempt, or the wrong credentials configured); `expected` and
 *   `received` name the two client ids.
 *
 * Never holds the token. `remedy` is always `reauthorize`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @since 0.1.0
 * @category errors
 */
export class InvalidToken extends Schema.TaggedError<InvalidToken>("@effect-oauth/providers/InvalidToken")(
  "InvalidToken",
  {
    provider: Schema.String,
    reason: Schema.Literal("Rejected", "Expired", "AudienceMismatch"),
    /** The provider's error code (`invalid_token`; Graph `190/463`). */
    code: Schema.optional(Schema.String),
    description: Schema.optional(Schema.String),
    expected: Schema.optional(Schema.String),
    received: Schema.optional(Schema.String)
  }
) {
  /** Always `reauthorize`: only a new authorization yields a usable token. */
  get remedy(): OAuthError.Remedy {
    return "reauthorize"
  }

  override get message(): string {
    const code = this.code === undefined ? "" : ` ${this.code}`
    const description = this.description === undefined ? "" : `: ${this.description}`
    switch (this.reason) {
      case "Rejected":
        return `${this.provider} rejected the token${code}${description} (remedy: reauthorize)`
      case "Expired":
        return `${this.provider} reports the token expired${code}${description} (remedy: reauthorize)`
      case "AudienceMismatch":
        return `the token was issued to "${this.received ?? "another client"}", not "${this.expected ?? "this client"}" (${this.provider}; remedy: reauthorize)`
    }
  }
}

/**
 * Every error of `@effect-oauth/providers`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @since 0.1.0
 * @category errors
 */
export type ProviderError = InvalidToken

/**
 * `true` for any {@link ProviderError}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 * @since 0.1.0
 * @category guards
 */
export const isProviderError = (u: unknown): u is ProviderError =>
  Predicate.hasProperty(u, "_tag") && u._tag === "InvalidToken"
