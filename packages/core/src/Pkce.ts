/**
 * Proof Key for Code Exchange (RFC 7636) and the other random values of an
 * authorization request: `state` (RFC 6749 §10.12) and the OpenID Connect `nonce`.
 * Every value comes from the platform CSPRNG (`crypto.getRandomValues`) and is
 * returned `Redacted`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636
 * @since 0.1.0
 */
import { Effect, Redacted } from "effect"
import * as crypto from "./internal/crypto.js"

/**
 * A PKCE pair: the `code_verifier` kept by the client and the `code_challenge`
 * sent in the authorization request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Pkce {
  readonly verifier: Redacted.Redacted<string>
  readonly challenge: string
  readonly method: "S256"
}

/**
 * A new `code_verifier`: 32 random octets, base64url-encoded without padding, which
 * gives the 43 characters RFC 7636 §4.1 recommends ("a 43-octet URL safe string").
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 * @since 0.1.0
 * @category constructors
 */
export const randomVerifier = (): Effect.Effect<Redacted.Redacted<string>> => crypto.randomToken()

/**
 * The `S256` code challenge of a verifier:
 * `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 * @since 0.1.0
 * @category constructors
 */
export const challengeS256 = (verifier: Redacted.Redacted<string>): Effect.Effect<string> =>
  Effect.map(crypto.sha256(Redacted.value(verifier)), crypto.base64url)

/**
 * A new verifier with its `S256` challenge. `plain` is never produced
 * (RFC 9700 §2.1.1).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (): Effect.Effect<Pkce> =>
  Effect.flatMap(randomVerifier(), (verifier) =>
    Effect.map(challengeS256(verifier), (challenge) => ({ verifier, challenge, method: "S256" as const })))

/**
 * A new `state` value: 32 random octets, base64url (RFC 6749 §10.12 asks for a
 * value bound to the user agent that an attacker cannot guess).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 * @since 0.1.0
 * @category constructors
 */
export const randomState = (): Effect.Effect<Redacted.Redacted<string>> => crypto.randomToken()

/**
 * A new OpenID Connect `nonce`: 32 random octets, base64url (OIDC Core §3.1.2.1).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 * @since 0.1.0
 * @category constructors
 */
export const randomNonce = (): Effect.Effect<Redacted.Redacted<string>> => crypto.randomToken()
