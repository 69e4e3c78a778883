/**
 * OAuth 1.0a request signing (RFC 5849 §3.4–§3.6), byte for byte: percent-encoding,
 * parameter normalisation, the signature base string, the HMAC-SHA1, RSA-SHA1 and
 * PLAINTEXT signature methods (and HMAC-SHA256, a widely deployed extension), the
 * nonce and timestamp, and the `Authorization: OAuth …` header.
 *
 * Most applications never call this module: `OAuth1Client` signs its own
 * requests, and `OAuth1Client.signed` signs every request of an `HttpClient`.
 *
 * @since 0.1.0
 */
import type { Effect, Redacted } from "effect"
import * as internal from "./internal/signature.js"
import type { SigningError } from "./OAuth1Error.js"

/**
 * A decoded name/value pair. Order and duplicates are kept, as RFC 5849
 * §3.4.1.3.1 requires ("a3=a" and "a3=2 q" are two parameters).
 *
 * @since 0.1.0
 * @category models
 */
export type Parameter = readonly [name: string, value: string]

/**
 * The signature methods: the three of RFC 5849 §3.4 and `HMAC-SHA256` (the same
 * construction as HMAC-SHA1 with SHA-256, used by NetSuite, Magento and others).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4
 * @since 0.1.0
 * @category models
 */
export type Method = "HMAC-SHA1" | "HMAC-SHA256" | "PLAINTEXT" | "RSA-SHA1"

/**
 * The client credentials (RFC 5849 §1.1, the "consumer"). `secret` is needed by
 * the HMAC methods and PLAINTEXT; `privateKey` (a PEM private key, PKCS#1 or
 * PKCS#8, unencrypted) by RSA-SHA1.
 *
 * @since 0.1.0
 * @category models
 */
export interface Consumer {
  readonly key: Redacted.Redacted<string>
  readonly secret?: Redacted.Redacted<string> | undefined
  readonly privateKey?: Redacted.Redacted<string> | undefined
}

/**
 * Temporary or token credentials: the identifier sent as `oauth_token` and the
 * shared secret that signs with it. `TemporaryCredentials` and `TokenCredentials`
 * are both one.
 *
 * @since 0.1.0
 * @category models
 */
export interface Token {
  readonly token: Redacted.Redacted<string>
  readonly tokenSecret: Redacted.Redacted<string>
}

/**
 * What the signature covers (RFC 5849 §3.4.1): the method, the absolute URL
 * (its query parameters are collected from it), and the decoded parameters of an
 * `application/x-www-form-urlencoded` body, if the request has one.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  readonly method: string
  readonly url: string | URL
  readonly body?: ReadonlyArray<Parameter> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface SignOptions {
  readonly consumer: Consumer
  /** Omitted for the temporary credentials request (RFC 5849 §2.1). */
  readonly token?: Token | undefined
  /** Default `HMAC-SHA1`. */
  readonly method?: Method | undefined
  /** The `realm` of the header; never part of the signature. */
  readonly realm?: string | undefined
  /** `oauth_callback` (RFC 5849 §2.1): an absolute URI or `oob`. */
  readonly callback?: string | undefined
  /** `oauth_verifier` (RFC 5849 §2.3). */
  readonly verifier?: Redacted.Redacted<string> | undefined
  /** Further protocol parameters for the header (`oauth_body_hash`, `xoauth_…`). */
  readonly extraProtocolParameters?: Readonly<Record<string, string>> | undefined
  /** Send `oauth_version="1.0"` (OPTIONAL per RFC 5849 §3.1). Default `true`. */
  readonly version?: boolean | undefined
  /** A fixed `oauth_nonce`; by default one from `NonceGenerator.NonceGenerator`. */
  readonly nonce?: string | undefined
  /** A fixed `oauth_timestamp`; by default {@link timestamp}. */
  readonly timestamp?: string | undefined
}

/**
 * Percent-encodes a string per RFC 5849 §3.6: UTF-8 octets; the unreserved
 * characters `A-Z a-z 0-9 - . _ ~` kept; everything else `%XX` with uppercase hex.
 * A space is `%20` (never `+`), and `!*'()` are encoded. A lone UTF-16 surrogate
 * is encoded as U+FFFD, as `fetch` and `URLSearchParams` send it.
 *
 * @example
 * ```ts
 * import { Signature } from "@effect-oauth/oauth1"
 *
 * Signature.percentEncode("Ladies + Gentlemen!") // "Ladies%20%2B%20Gentlemen%21"
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.6
 * @since 0.1.0
 * @category combinators
 */
export const percentEncode: (value: string) => string = internal.percentEncode

/**
 * Normalises request parameters (RFC 5849 §3.4.1.3.2): each name and value
 * encoded, sorted by encoded name then encoded value in byte order, joined as
 * `name=value` pairs with `&`. Duplicates are kept; `oauth_signature` is left out.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.2
 * @since 0.1.0
 * @category combinators
 */
export const normalizeParameters: (parameters: ReadonlyArray<Parameter>) => string = internal.normalizeParameters

/**
 * The base string URI (RFC 5849 §3.4.1.2): scheme and host in lowercase, the port
 * only when it is not the scheme's default, the path; no query, no fragment.
 *
 * Fails with `SigningError` (`InvalidUrl`) for a relative URL or a scheme other
 * than `http:` and `https:`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.2
 * @since 0.1.0
 * @category combinators
 */
export const baseStringUri: (url: string | URL) => Effect.Effect<string, SigningError> = internal.baseStringUri

/**
 * The signature base string (RFC 5849 §3.4.1.1): the uppercase method, the
 * encoded base string URI and the encoded normalised parameters, joined by `&`.
 * The parameters are the URL's query, the body parameters and the given protocol
 * parameters (`realm` and `oauth_signature` excluded, RFC 5849 §3.4.1.3.1).
 *
 * Fails with `SigningError` (`InvalidUrl`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.1
 * @since 0.1.0
 * @category combinators
 */
export const baseString: (
  request: Request,
  protocolParameters: ReadonlyArray<Parameter>
) => Effect.Effect<string, SigningError> = internal.baseString

/**
 * The value of `oauth_signature` for a base string:
 *
 * - `HMAC-SHA1` (§3.4.2) / `HMAC-SHA256`: base64 of the HMAC keyed with
 *   `encode(consumer secret) & encode(token secret)` (the `&` always present);
 * - `PLAINTEXT` (§3.4.4): that key itself (the base string is ignored);
 * - `RSA-SHA1` (§3.4.3): base64 of RSASSA-PKCS1-v1_5 with SHA-1 under the
 *   consumer's private key.
 *
 * The result is `Redacted`: a PLAINTEXT signature *is* the secrets.
 * Fails with `SigningError` (`MissingCredential`, `InvalidPrivateKey`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.4.2
 * @since 0.1.0
 * @category combinators
 */
export const signature: (
  method: Method,
  baseString: string,
  consumer: Consumer,
  token?: Token | undefined
) => Effect.Effect<Redacted.Redacted<string>, SigningError> = internal.signature

/**
 * Formats protocol parameters as an `Authorization` header value (RFC 5849
 * §3.5.1): `OAuth realm="…", name="value", …`, names and values percent-encoded
 * (§3.6), separated by `", "`. The realm is a quoted string, not percent-encoded.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1
 * @since 0.1.0
 * @category combinators
 */
export const authorizationHeader: (parameters: ReadonlyArray<Parameter>, realm?: string | undefined) => string =
  internal.authorizationHeader

/**
 * Signs a request: builds the protocol parameters (`oauth_consumer_key`,
 * `oauth_token`, `oauth_signature_method`, `oauth_timestamp`, `oauth_nonce`,
 * `oauth_callback`, `oauth_verifier`, `oauth_version`), computes the signature and
 * returns the whole `Authorization` header value, redacted.
 *
 * Reads the nonce from `NonceGenerator.NonceGenerator` and the time from `Clock` unless
 * `options` fixes them; with PLAINTEXT, which does not use them (§3.4.4), they
 * are sent only when `options` gives them. Fails with `SigningError`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.1
 * @since 0.1.0
 * @category constructors
 */
export const sign: (
  request: Request,
  options: SignOptions
) => Effect.Effect<Redacted.Redacted<string>, SigningError> = internal.sign

/**
 * A fresh nonce from the current `NonceGenerator.NonceGenerator` (see the
 * `NonceGenerator` module).
 *
 * @since 0.1.0
 * @category constructors
 */
export const nonce: Effect.Effect<string> = internal.nonce

/**
 * The current `oauth_timestamp` (RFC 5849 §3.3): whole seconds since the epoch,
 * read from Effect's `Clock` (so `TestClock` sets it in tests).
 *
 * @since 0.1.0
 * @category constructors
 */
export const timestamp: Effect.Effect<string> = internal.timestamp
