/**
 * The callback of the resource owner authorization step (RFC 5849 §2.2). `parse`
 * (or `outOfBand`, for a verifier the user types in) is the only way to obtain a
 * `Verifier`, and `OAuth1Client.accessToken` accepts nothing else: a verifier
 * reaches the token endpoint only after its `oauth_token` was checked against the
 * temporary credentials it belongs to.
 *
 * @since 0.1.0
 */
import type { Effect, Redacted } from "effect"
import * as internal from "./internal/callback.js"
import type { CallbackError } from "./OAuth1Error.js"
import type { TemporaryCredentials } from "./TemporaryCredentials.js"

/**
 * A checked verification code: the `oauth_verifier` received and the temporary
 * credentials identifier it was issued for, both `Redacted`. Only {@link parse}
 * and {@link outOfBand} make one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.2
 * @since 0.1.0
 * @category models
 */
export type Verifier = internal.Verifier

/**
 * Reads the redirect back from the provider: a full URL, a path with its query
 * (an incoming request's `url`), or its `URLSearchParams`.
 *
 * - `oauth_token` and `oauth_verifier` must each be present once (RFC 5849 §2.2);
 * - `oauth_token` must equal the temporary credentials' identifier, compared in
 *   constant time;
 * - a refusal (`oauth_problem`, or Twitter/X's `denied`) without a verifier is
 *   `AuthorizationDenied`.
 *
 * Fails with `MalformedCallback`, `TokenMismatch`, `AuthorizationDenied`
 * (from `@effect-oauth/core`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.2
 * @since 0.1.0
 * @category parsing
 */
export const parse: (
  url: string | URL | URLSearchParams,
  requestToken: TemporaryCredentials
) => Effect.Effect<Verifier, CallbackError> = internal.parse

/**
 * A verifier the user copied from the provider's page by hand, for out-of-band
 * (`oauth_callback=oob`) clients such as CLIs and devices ("PIN-based"
 * authorization). Surrounding whitespace is trimmed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.2
 * @since 0.1.0
 * @category constructors
 */
export const outOfBand: (
  requestToken: TemporaryCredentials,
  verifier: string | Redacted.Redacted<string>
) => Verifier = internal.outOfBand
