/**
 * Where `oauth_nonce` values come from (RFC 5849 §3.3). The default draws 32
 * bytes from Web Crypto's CSPRNG (`crypto.getRandomValues`, base64url, 43
 * characters). Tests replace it:
 * `Effect.provideService(NonceGenerator.NonceGenerator, { next: Effect.succeed("wIjqoS") })`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-3.3
 * @since 0.1.0
 */
import { Context, Effect, Encoding } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** A fresh nonce (RFC 5849 §3.3), made of unreserved characters. */
  readonly next: Effect.Effect<string>
}

/**
 * The default generator: 32 random bytes, base64url.
 *
 * @since 0.1.0
 * @category constructors
 */
export const random: Service = {
  next: Effect.sync(() => Encoding.encodeBase64Url(crypto.getRandomValues(new Uint8Array(32))))
}

/**
 * The nonce source, a `Context.Reference` with the CSPRNG as its default.
 *
 * @since 0.1.0
 * @category models
 */
export class NonceGenerator extends Context.Reference<NonceGenerator>()("@effect-oauth/oauth1/NonceGenerator", {
  defaultValue: (): Service => random
}) {}
