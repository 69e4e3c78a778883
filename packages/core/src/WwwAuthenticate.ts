/**
 * The `WWW-Authenticate` response header (RFC 9110 §11.6.1): the challenges a
 * resource server answers a request with, as RFC 6750 §3 (`Bearer`), RFC 9449 §7.1
 * (`DPoP`) and RFC 9728 §5.1 (`resource_metadata`) use them.
 *
 * ```ts
 * const challenges = yield* WwwAuthenticate.parse(
 *   `Bearer realm="api", error="invalid_token", resource_metadata="https://api.example/.well-known/oauth-protected-resource"`
 * )
 * challenges[0].error // "invalid_token"
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 * @since 0.1.0
 */
import type { Either, Option } from "effect"
import { Option as O, Schema } from "effect"
import * as internal from "./internal/wwwAuthenticate.js"

/**
 * One challenge: the auth-scheme as received (compare it case-insensitively, or
 * use {@link find}), its auth-params with lower-cased names (RFC 9110 §11.2:
 * parameter names are case-insensitive) and unescaped values, or its `token68`.
 * The getters read the parameters RFC 6750 §3 and RFC 9728 §5.1 define.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.2
 * @since 0.1.0
 * @category models
 */
export interface Challenge {
  readonly scheme: string
  readonly params: Readonly<Record<string, string>>
  readonly token68?: string | undefined
  /** `error` (RFC 6750 §3.1: `invalid_request`, `invalid_token`, `insufficient_scope`; RFC 9449: `use_dpop_nonce`, …). */
  readonly error: string | undefined
  /** `error_description`. */
  readonly errorDescription: string | undefined
  /** `error_uri`. */
  readonly errorUri: string | undefined
  /** `realm` (RFC 9110 §11.5). */
  readonly realm: string | undefined
  /** `scope`, split on spaces (RFC 6750 §3): the scopes the resource needs. */
  readonly scope: ReadonlyArray<string>
  /** `resource_metadata` (RFC 9728 §5.1): the URL of the resource's metadata document. */
  readonly resourceMetadata: string | undefined
}

/**
 * Why a header could not be read.
 *
 * @since 0.1.0
 * @category models
 */
export const InvalidChallengeReason = Schema.Literal(
  "UnexpectedCharacter",
  "UnterminatedString",
  "MissingValue",
  "MissingScheme",
  "DuplicateParameter"
)

/**
 * A `WWW-Authenticate` value that is not a list of challenges (RFC 9110
 * §11.6.1): `reason` and the 0-based `position` where reading stopped. The
 * message names neither parameter values nor the header itself.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidChallenge extends Schema.TaggedError<InvalidChallenge>("@effect-oauth/core/InvalidChallenge")(
  "InvalidChallenge",
  { reason: InvalidChallengeReason, position: Schema.Number }
) {
  override get message(): string {
    return `malformed WWW-Authenticate header: ${this.reason} at offset ${this.position} (RFC 9110 §11.6.1)`
  }
}

/**
 * Parses a `WWW-Authenticate` value into its challenges, in order. Strict: the
 * RFC 9110 grammar, with several challenges per header (as a client receives
 * several header lines joined by `", "`), token or quoted-string values (with
 * `\` escapes), a `token68` (`Negotiate abc==`), empty list elements skipped, and
 * an empty header giving no challenge.
 *
 * Fails with {@link InvalidChallenge} for anything else (an unterminated quoted
 * string, a parameter without a value, a parameter repeated within a challenge,
 * a stray character). The result is an `Either`, usable as an `Effect`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @since 0.1.0
 * @category parsing
 */
export const parse: (header: string) => Either.Either<ReadonlyArray<Challenge>, InvalidChallenge> = internal.parse

/**
 * The first challenge of `scheme` (compared case-insensitively: RFC 9110 §11.1).
 *
 * @since 0.1.0
 * @category combinators
 */
export const find = (challenges: ReadonlyArray<Challenge>, scheme: string): Option.Option<Challenge> => {
  const wanted = scheme.toLowerCase()
  return O.fromNullable(challenges.find((challenge) => challenge.scheme.toLowerCase() === wanted))
}

/**
 * The challenges of a response's headers (`@effect/platform` `Headers` or any
 * record with lower-case names): none when there is no `www-authenticate`.
 *
 * Fails with {@link InvalidChallenge} when the header is malformed.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromHeaders = (
  headers: Readonly<Record<string, string | undefined>>
): Either.Either<ReadonlyArray<Challenge>, InvalidChallenge> => internal.parse(headers["www-authenticate"] ?? "")
