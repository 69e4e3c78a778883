/**
 * The authorization request a client sends the user to, and the callback that
 * comes back (RFC 6749 §4.1). `parse` is the only way to obtain an
 * `AuthorizationResponse`, and `OAuthClient.exchangeCode` accepts nothing else:
 * a code reaches the token endpoint only after its state (and issuer) were checked.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import type { Effect } from "effect"
import * as internal from "./internal/callback.js"
import type { CallbackError, InvalidTokenResponse, OAuthError } from "./OAuthError.js"
import type { TokenResponseQuirks } from "./Provider.js"
import type { TokenSet } from "./TokenSet.js"

/**
 * What a client keeps between sending the user to the authorization endpoint and
 * receiving the callback: the URL, the `state`, the PKCE verifier, the `nonce`,
 * the redirect URI and scopes sent, and the issuer expected back (RFC 9207).
 * Its Schema encoding lets a web app keep it in a server-side session.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @since 0.1.0
 * @category models
 */
export class AuthorizationRequest extends Schema.Class<AuthorizationRequest>("@effect-oauth/core/AuthorizationRequest")({
  url: Schema.String,
  state: Schema.Redacted(Schema.String),
  codeVerifier: Schema.optional(Schema.Redacted(Schema.String)),
  nonce: Schema.optional(Schema.Redacted(Schema.String)),
  redirectUri: Schema.optional(Schema.String),
  scopes: Schema.Array(Schema.String),
  /** The resource indicators requested (RFC 8707 §2.1), sent again with the code exchange. */
  resources: Schema.optional(Schema.Array(Schema.String)),
  /** The issuer the callback must name in `iss` (RFC 9207), when known. */
  issuer: Schema.optional(Schema.String),
  /** `true` when the server advertises `authorization_response_iss_parameter_supported`. */
  issRequired: Schema.Boolean,
  /** `"token"` for an implicit-grant request (legacy, `OAuthClient.implicitAuthorizationUrl`); absent for `code`. */
  responseType: Schema.optional(Schema.Literal("token"))
}) {}

/**
 * A validated authorization response: the `code` (redacted), the `iss` received,
 * the request it answers, and the response's other `parameters` (a provider's
 * granted `scope`, OIDC `session_state`). Only {@link parse} makes one.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthorizationResponse = internal.AuthorizationResponse

/**
 * Reads the redirect back from the authorization server: a full URL (string or
 * `URL`), a request path such as Node's `request.url` (`/callback?code=…`), or the
 * query's `URLSearchParams`. For `response_mode=fragment` the parameters are read
 * from the fragment when the query has none.
 *
 * Checked in this order, so that an error response is believed only once it is
 * known to answer this request from the expected server (RFC 9207 §2.4):
 *
 * - no response parameter may appear twice (RFC 6749 §3.1) → `InvalidCallback`;
 * - `iss` (RFC 9207) must equal the expected issuer when the request names one;
 *   it must be present when the server advertises it → `IssuerMismatch`;
 * - `state` must be present and equal the request's, compared in constant time
 *   (both sides hashed, then compared without an early exit) → `StateMismatch`;
 * - a response carrying both `code` and `error` → `InvalidCallback`
 *   (`UnexpectedParameter`); parameters found only in the fragment of a request
 *   that did not ask for `response_mode=fragment` → `InvalidCallback`;
 * - `error=access_denied` (or any RFC 6749 §4.1.2.1 code) → `AuthorizationDenied`;
 * - a non-empty `code` must be present → `InvalidCallback` (`MissingCode`).
 *
 * Fails with `AuthorizationDenied`, `StateMismatch`, `IssuerMismatch`, `InvalidCallback`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 * @since 0.1.0
 * @category parsing
 */
export const parse: (
  url: string | URL | URLSearchParams,
  request: AuthorizationRequest
) => Effect.Effect<AuthorizationResponse, CallbackError> = internal.parse

/**
 * Reads the redirect of a legacy implicit-grant request (RFC 6749 §4.2.2) made by
 * `OAuthClient.implicitAuthorizationUrl`: the parameters come from the URL's
 * fragment (or are given as `URLSearchParams`), pass the same checks as
 * {@link parse} (duplicates, `iss`, `state` in constant time, an error response),
 * and the token goes through `TokenResponse.parse` with the provider's `quirks`.
 * `expires_in` is anchored at the moment the fragment is read.
 *
 * Fails with `InvalidCallback` (`UnexpectedParameter` when `request` is not an
 * implicit request, `MissingCode` without `access_token`), `StateMismatch`,
 * `IssuerMismatch`, `AuthorizationDenied`, and `InvalidTokenResponse` /
 * `OAuthError` as `TokenResponse.parse`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.2.2
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.2
 * @since 0.1.0
 * @category parsing
 */
export const parseImplicit: (
  url: string | URL | URLSearchParams,
  request: AuthorizationRequest,
  options?: { readonly quirks?: TokenResponseQuirks | undefined } | undefined
) => Effect.Effect<TokenSet, CallbackError | OAuthError | InvalidTokenResponse> = internal.parseImplicit
