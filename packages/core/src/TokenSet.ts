/**
 * The tokens of one grant, normalised: what `TokenResponse.parse` returns for every
 * grant of every provider, what a session holds and what a `TokenStore` keeps.
 *
 * Times are epoch milliseconds on the local clock. `expiresAt` is anchored at the
 * moment the token request was *sent* (RFC 6749 §5.1: `expires_in` counts from
 * "the time the response was generated"), so a slow response can only make the SDK
 * refresh early, never late.
 *
 * @since 0.1.0
 */
import { Duration, Effect, ParseResult, Redacted, Schema } from "effect"
import * as IdToken from "./IdToken.js"

const tokenSetFields = {
  accessToken: Schema.Redacted(Schema.String),
  /** Normalised: `bearer` → `Bearer`, `dpop` → `DPoP`; other types as received. */
  tokenType: Schema.String,
  /** When the token request was sent (epoch ms, local clock). */
  issuedAt: Schema.Number,
  /** When the access token stops working (epoch ms, local clock); absent = no expiry known. */
  expiresAt: Schema.optional(Schema.Number),
  refreshToken: Schema.optional(Schema.Redacted(Schema.String)),
  /** When the refresh token itself lapses (`refresh_token_expires_in`, `refresh_expires_in`). */
  refreshTokenExpiresAt: Schema.optional(Schema.Number),
  /** Granted scopes; the requested ones when the response omitted `scope` (RFC 6749 §5.1). */
  scopes: Schema.Array(Schema.String),
  idToken: Schema.optional(Schema.Redacted(Schema.String)),
  /**
   * The claims of `idToken`, present only once it was validated (`IdToken.validate`,
   * OpenID Connect Core §3.1.3.7): `OAuthClient` sets them. Redacted as a whole:
   * they identify the user (`sub`, `email`, …) and carry the request's `nonce`;
   * read them with {@link claims}.
   */
  idTokenClaims: Schema.optional(Schema.Redacted(IdToken.Claims)),
  extra: Schema.Redacted(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
}

// The class constructor validates through `ParseResult.validateSync(schema)`, which
// derives the type-side AST afresh on each call and so misses the parser cache: about
// 40 µs a token set. Derived once here, validation is a walk over the fields.
const validateFields = ParseResult.validateSync(Schema.Struct(tokenSetFields))

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const redact = (value: string | Redacted.Redacted<string>) => typeof value === "string" ? Redacted.make(value) : value

// A response without extra fields (the common case) shares one empty record.
const noExtra = Redacted.make<Readonly<Record<string, unknown>>>(Object.freeze({}))

// A `TokenSet` from values already typed (decoded at the boundary, or built here
// from typed parts): what the class constructor leaves once validation is off
// (its instance is its fields on its prototype), without copying and re-checking
// each field for defaults it does not declare.
const trusted = (props: Schema.Struct.Type<typeof tokenSetFields>): TokenSet =>
  Object.assign(Object.create(TokenSet.prototype) as TokenSet, props)

/**
 * The tokens of one grant. Credentials are `Redacted`: printing, logging or
 * inspecting a `TokenSet` shows `<redacted>`. `extra` keeps the response's other
 * fields, redacted as a whole because providers put credentials there too (Slack's
 * `authed_user.access_token`); read them with {@link extraField}.
 *
 * Its `Schema` encoding is a plain JSON object that decodes back to an equal
 * `TokenSet` (see {@link toJson} / {@link fromJson}).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @since 0.1.0
 * @category models
 */
export class TokenSet extends Schema.Class<TokenSet>("@effect-oauth/core/TokenSet")(tokenSetFields) {
  constructor(props: Schema.Struct.Constructor<typeof tokenSetFields>, options?: Schema.MakeOptions) {
    super(options === true || (typeof options === "object" && options.disableValidation === true) ? props : validateFields(props), true)
  }
}

/**
 * The JSON form of a {@link TokenSet} (the "token blob"): credentials in clear.
 * Store it only where a credential may be stored.
 *
 * @since 0.1.0
 * @category models
 */
export type Encoded = typeof TokenSet.Encoded

/**
 * Builds a `TokenSet` from plain values (strings are wrapped in `Redacted`). The
 * values are trusted as typed and not validated again (under 1 µs): data from
 * outside comes in through `TokenResponse.parse` or {@link fromJson}, which decode it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (fields: {
  readonly accessToken: string | Redacted.Redacted<string>
  readonly tokenType?: string | undefined
  readonly issuedAt: number
  readonly expiresAt?: number | undefined
  readonly refreshToken?: string | Redacted.Redacted<string> | undefined
  readonly refreshTokenExpiresAt?: number | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly idToken?: string | Redacted.Redacted<string> | undefined
  readonly idTokenClaims?: IdToken.Claims | Redacted.Redacted<IdToken.Claims> | undefined
  readonly extra?: Readonly<Record<string, unknown>> | undefined
}): TokenSet => {
  const props: Mutable<Schema.Struct.Type<typeof tokenSetFields>> = {
    accessToken: redact(fields.accessToken),
    tokenType: fields.tokenType ?? "Bearer",
    issuedAt: fields.issuedAt,
    scopes: fields.scopes ?? [],
    extra: fields.extra === undefined ? noExtra : Redacted.make({ ...fields.extra })
  }
  if (fields.expiresAt !== undefined) props.expiresAt = fields.expiresAt
  if (fields.refreshToken !== undefined) props.refreshToken = redact(fields.refreshToken)
  if (fields.refreshTokenExpiresAt !== undefined) props.refreshTokenExpiresAt = fields.refreshTokenExpiresAt
  if (fields.idToken !== undefined) props.idToken = redact(fields.idToken)
  if (fields.idTokenClaims !== undefined) {
    props.idTokenClaims = Redacted.isRedacted(fields.idTokenClaims) ? fields.idTokenClaims : Redacted.make(fields.idTokenClaims)
  }
  return trusted(props)
}

/**
 * How early before `expiresAt` a token counts as due for refresh: a fraction of
 * its lifetime, capped. A fixed margin breaks short tokens (a 60 s margin makes a
 * 59 s token due the moment it arrives); a proportional one does not.
 *
 * @since 0.1.0
 * @category models
 */
export interface RefreshMargin {
  /** Fraction of the lifetime (`expiresAt - issuedAt`). Default 0.1. */
  readonly fraction?: number | undefined
  /** Upper bound. Default 60 seconds. */
  readonly max?: Duration.DurationInput | undefined
}

const defaultFraction = 0.1
const defaultMaxMs = 60_000

/**
 * The refresh margin of a token in milliseconds: `min(max, fraction × lifetime)`,
 * 0 for a token without expiry.
 *
 * @since 0.1.0
 * @category combinators
 */
export const refreshMarginMillis = (self: TokenSet, margin?: RefreshMargin | undefined): number => {
  if (self.expiresAt === undefined) return 0
  const lifetime = Math.max(0, self.expiresAt - self.issuedAt)
  const fraction = margin?.fraction ?? defaultFraction
  const max = margin?.max === undefined ? defaultMaxMs : Duration.toMillis(margin.max)
  return Math.min(max, Math.max(0, fraction) * lifetime)
}

/**
 * The moment (epoch ms) from which the token is due for refresh, or `undefined`
 * for a token without expiry.
 *
 * @since 0.1.0
 * @category combinators
 */
export const refreshAt = (self: TokenSet, margin?: RefreshMargin | undefined): number | undefined =>
  self.expiresAt === undefined ? undefined : self.expiresAt - refreshMarginMillis(self, margin)

/**
 * `true` when the access token has expired at `now` (epoch ms). A token without
 * expiry never expires by time (it can still be rejected by the resource server).
 *
 * @since 0.1.0
 * @category combinators
 */
export const isExpired = (self: TokenSet, now: number): boolean =>
  self.expiresAt !== undefined && now >= self.expiresAt

/**
 * `true` when the access token is within its refresh margin (or expired) at `now`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const needsRefresh = (self: TokenSet, now: number, margin?: RefreshMargin | undefined): boolean => {
  const at = refreshAt(self, margin)
  return at !== undefined && now >= at
}

/**
 * `true` when the refresh token is known to have lapsed at `now`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const isRefreshTokenExpired = (self: TokenSet, now: number): boolean =>
  self.refreshTokenExpiresAt !== undefined && now >= self.refreshTokenExpiresAt

/**
 * Combines the tokens held before a refresh with the refresh response: when the
 * response carries no refresh token, the previous one (and its expiry) is kept
 * (RFC 6749 §6: the server "MAY issue a new refresh token"); likewise a missing
 * ID token keeps the previous one, with its validated claims.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @since 0.1.0
 * @category combinators
 */
export const merge = (previous: TokenSet, next: TokenSet): TokenSet => {
  const keepRefreshToken = next.refreshToken === undefined && previous.refreshToken !== undefined
  const keepIdToken = next.idToken === undefined && previous.idToken !== undefined
  if (!keepRefreshToken && !keepIdToken) return next
  // A refresh-token lifetime belongs to the refresh token it came with.
  const { refreshTokenExpiresAt: _, ...rest } = next
  const refresh = keepRefreshToken ? previous : next
  return trusted({
    ...rest,
    ...(refresh.refreshToken === undefined ? {} : { refreshToken: refresh.refreshToken }),
    ...(refresh.refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt: refresh.refreshTokenExpiresAt }),
    ...(keepIdToken && previous.idToken !== undefined ? { idToken: previous.idToken } : {}),
    ...(keepIdToken && previous.idTokenClaims !== undefined ? { idTokenClaims: previous.idTokenClaims } : {})
  })
}

/**
 * The validated claims of the ID token (OpenID Connect Core §2), or `undefined`
 * when the tokens carry none or it was not validated.
 *
 * @since 0.1.0
 * @category combinators
 */
export const claims = (self: TokenSet): IdToken.Claims | undefined =>
  self.idTokenClaims === undefined ? undefined : Redacted.value(self.idTokenClaims)

/**
 * Reads one of the response's extra fields (for example Salesforce's
 * `instance_url` or Slack's `team`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const extraField = (self: TokenSet, name: string): unknown => Redacted.value(self.extra)[name]

/**
 * A token blob that does not decode to a `TokenSet`. Names the offending paths,
 * never a value (a blob holds credentials).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidTokenBlob extends Schema.TaggedError<InvalidTokenBlob>("@effect-oauth/core/InvalidTokenBlob")(
  "InvalidTokenBlob",
  { paths: Schema.Array(Schema.String) }
) {
  override get message(): string {
    return this.paths.length === 0
      ? "token blob is not valid JSON"
      : `token blob is invalid at ${this.paths.map((path) => `"${path}"`).join(", ")}`
  }
}

const encodeSync = Schema.encodeSync(TokenSet)
const decodeJson = Schema.decodeUnknown(Schema.parseJson(TokenSet), { onExcessProperty: "ignore", errors: "all" })

/**
 * Encodes a `TokenSet` as its plain JSON form (credentials in clear).
 *
 * @since 0.1.0
 * @category combinators
 */
export const encode = (self: TokenSet): Encoded => encodeSync(self)

/**
 * Serialises a `TokenSet` to a JSON string (the "token blob"), readable by
 * {@link fromJson}. The string holds credentials in clear.
 *
 * @since 0.1.0
 * @category combinators
 */
export const toJson = (self: TokenSet): string => JSON.stringify(encodeSync(self))

/**
 * Reads a token blob written by {@link toJson} (or an {@link Encoded} object).
 * Fails with {@link InvalidTokenBlob} when it is not one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromJson = (json: string | Encoded): Effect.Effect<TokenSet, InvalidTokenBlob> =>
  decodeJson(typeof json === "string" ? json : JSON.stringify(json)).pipe(
    Effect.mapError((error) =>
      new InvalidTokenBlob({
        paths: ParseResult.ArrayFormatter.formatErrorSync(error)
          .map((issue) => issue.path.join("."))
          .filter((path) => path.length > 0)
      })
    )
  )
