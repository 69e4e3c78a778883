/**
 * Sign in with Apple, as data plus the client-secret helper it needs.
 *
 * Quirks: the client secret is not a fixed string but an ES256 JWT the client
 * signs with its Apple key ({@link clientSecret}), valid at most six months; the
 * authorization request asks for `response_mode=form_post` (Apple requires it
 * when `name` or `email` is requested), so the callback is a POST form; the
 * user's name comes only on the first sign-in, as the `user` form member (read
 * it with {@link readUser}); a refresh returns no new refresh token.
 *
 * @see https://developer.apple.com/documentation/sign_in_with_apple/generate_and_validate_tokens
 * @since 0.1.0
 */
import { JwtAssertion } from "@effect-oauth/core"
import type { OAuthError, Provider } from "@effect-oauth/core"
import type { Duration, Effect, Redacted } from "effect"
import type * as Preset from "./Preset.js"

const issuer = "https://appleid.apple.com"

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Scopes requested when a call names none. Default `["name", "email"]`. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * The Apple preset: authorization, token, revocation (RFC 7009) and key-set
 * endpoints, secrets in the body, `response_mode=form_post`.
 *
 * @example
 * ```ts
 * import { Apple } from "@effect-oauth/providers"
 *
 * const provider = Apple.make({ scopes: ["name", "email"] })
 * ```
 *
 * @see https://developer.apple.com/documentation/sign_in_with_apple/request_an_authorization_to_the_sign_in_with_apple_server
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "apple",
  issuer,
  authorizationEndpoint: `${issuer}/auth/authorize`,
  tokenEndpoint: `${issuer}/auth/token`,
  revocationEndpoint: `${issuer}/auth/revoke`,
  jwksUri: `${issuer}/auth/keys`,
  tokenEndpointAuthMethodsSupported: ["client_secret_post"],
  codeChallengeMethodsSupported: ["S256"],
  defaultScopes: options.scopes ?? ["name", "email"],
  requests: { authorizationParams: { response_mode: "form_post" } }
})

/**
 * Options of {@link clientSecret}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientSecretOptions {
  /** The Apple Developer team id (`iss`). */
  readonly teamId: string
  /** The Services ID or App ID (`sub`, and the `client_id` sent). */
  readonly clientId: string
  /** The id of the Sign in with Apple key (`kid`). */
  readonly keyId: string
  /** The key's private half (the `.p8` file imported as a `CryptoKey`, or its JWK). */
  readonly privateKey: CryptoKey | Redacted.Redacted<JsonWebKey>
  /** How long the secret is valid. Apple accepts at most 15777000 seconds (six months); default one hour. */
  readonly lifetime?: Duration.DurationInput | undefined
}

/**
 * Signs the client secret Apple expects: an ES256 JWT with `iss` the team id,
 * `sub` the client id, `aud` `https://appleid.apple.com` and `kid` the key id.
 * Pass it as `client.clientSecret`; sign a new one before it expires.
 *
 * Fails with `ConfigurationError` (`InvalidCredential`) when the key cannot sign ES256.
 *
 * @see https://developer.apple.com/documentation/accountorganizationaldatasharing/creating-a-client-secret
 * @since 0.1.0
 * @category constructors
 */
export const clientSecret = (
  options: ClientSecretOptions
): Effect.Effect<Redacted.Redacted<string>, OAuthError.ConfigurationError> =>
  JwtAssertion.sign({
    key: { key: options.privateKey, alg: "ES256", kid: options.keyId },
    issuer: options.teamId,
    subject: options.clientId,
    audience: issuer,
    lifetime: options.lifetime ?? "1 hour"
  })

/**
 * The user Apple names on the first sign-in only (`name` is absent afterwards).
 *
 * @see https://developer.apple.com/documentation/sign_in_with_apple/request_an_authorization_to_the_sign_in_with_apple_server#Handle-the-response
 * @since 0.1.0
 * @category models
 */
export interface User {
  readonly email?: string | undefined
  readonly firstName?: string | undefined
  readonly lastName?: string | undefined
}

/**
 * Reads the `user` member of Apple's form-post callback (a JSON string), or
 * `undefined` when it is absent (every sign-in after the first) or malformed.
 * Its fields are the user's own words, not verified: trust the ID token's `email`.
 *
 * @see https://developer.apple.com/documentation/sign_in_with_apple/request_an_authorization_to_the_sign_in_with_apple_server#Handle-the-response
 * @since 0.1.0
 * @category parsing
 */
export const readUser = (form: URLSearchParams): User | undefined => {
  const raw = form.get("user")
  if (raw === null) return undefined
  let value: unknown = undefined
  try { value = JSON.parse(raw) } catch { return undefined }
  const text = (u: unknown) => (typeof u === "string" ? u : undefined)
  const { email, name } = (typeof value === "object" && value !== null ? value : {}) as {
    email?: unknown
    name?: { firstName?: unknown; lastName?: unknown }
  }
  return { email: text(email), firstName: text(name?.firstName), lastName: text(name?.lastName) }
}

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developer.apple.com/documentation/sign_in_with_apple/tokenresponse
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Apple",
  docs: "https://developer.apple.com/documentation/sign_in_with_apple/generate_and_validate_tokens",
  refresh: "not rotated: a refresh returns no refresh token, the first one is kept",
  quirks: "client secret is an ES256 JWT (`Apple.clientSecret`); `response_mode=form_post`; the name only on the first sign-in (`Apple.readUser`)",
  provider: make()
}
