/**
 * The token credentials of one OAuth 1.0a grant (RFC 5849 §2.3): what
 * `OAuth1Client.accessToken` returns, what signs API calls, and what an
 * application stores. OAuth 1.0a token credentials do not expire by time; they
 * last until the user or the provider revokes them.
 *
 * @since 0.1.0
 */
import { TokenSet } from "@effect-oauth/core"
import { Effect, ParseResult, Redacted, Schema } from "effect"

/**
 * Token credentials. `token` and `tokenSecret` are `Redacted`: printing, logging
 * or inspecting them shows `<redacted>`. `extra` keeps the response's other fields
 * (Twitter/X's `user_id` and `screen_name`, …), redacted as a whole; read them with
 * {@link extraField}. `issuedAt` is when the token request was sent (epoch ms,
 * local clock).
 *
 * Its `Schema` encoding is a plain JSON object that decodes back to an equal
 * value (see {@link toJson} / {@link fromJson}).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.3
 * @since 0.1.0
 * @category models
 */
export class TokenCredentials extends Schema.Class<TokenCredentials>("@effect-oauth/oauth1/TokenCredentials")({
  token: Schema.Redacted(Schema.String),
  tokenSecret: Schema.Redacted(Schema.String),
  issuedAt: Schema.Number,
  extra: Schema.Redacted(Schema.Record({ key: Schema.String, value: Schema.String }))
}) {}

/**
 * The JSON form of {@link TokenCredentials}: credentials in clear. Store it only
 * where a credential may be stored.
 *
 * @since 0.1.0
 * @category models
 */
export type Encoded = typeof TokenCredentials.Encoded

/**
 * Builds token credentials from plain values (strings are wrapped in `Redacted`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (fields: {
  readonly token: string | Redacted.Redacted<string>
  readonly tokenSecret: string | Redacted.Redacted<string>
  readonly issuedAt?: number | undefined
  readonly extra?: Readonly<Record<string, string>> | undefined
}): TokenCredentials => {
  const redact = (value: string | Redacted.Redacted<string>) =>
    typeof value === "string" ? Redacted.make(value) : value
  return new TokenCredentials({
    token: redact(fields.token),
    tokenSecret: redact(fields.tokenSecret),
    issuedAt: fields.issuedAt ?? 0,
    extra: Redacted.make({ ...fields.extra })
  })
}

/**
 * Reads one of the response's extra fields (for example Twitter/X's `screen_name`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const extraField = (self: TokenCredentials, name: string): string | undefined =>
  Object.hasOwn(Redacted.value(self.extra), name) ? Redacted.value(self.extra)[name] : undefined

const encodeSync = Schema.encodeSync(TokenCredentials)
const decodeJson = Schema.decodeUnknown(Schema.parseJson(TokenCredentials), {
  onExcessProperty: "ignore",
  errors: "all"
})

/**
 * Encodes token credentials as their plain JSON form (credentials in clear).
 *
 * @since 0.1.0
 * @category combinators
 */
export const encode = (self: TokenCredentials): Encoded => encodeSync(self)

/**
 * Serialises token credentials to a JSON string, readable by {@link fromJson}.
 * The string holds credentials in clear.
 *
 * @since 0.1.0
 * @category combinators
 */
export const toJson = (self: TokenCredentials): string => JSON.stringify(encodeSync(self))

/**
 * Reads token credentials written by {@link toJson} (or an {@link Encoded}
 * object). Fails with `@effect-oauth/core`'s `InvalidTokenBlob`, which names the
 * offending paths and never a value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromJson = (json: string | Encoded): Effect.Effect<TokenCredentials, TokenSet.InvalidTokenBlob> =>
  decodeJson(typeof json === "string" ? json : JSON.stringify(json)).pipe(
    Effect.mapError((error) =>
      new TokenSet.InvalidTokenBlob({
        paths: ParseResult.ArrayFormatter.formatErrorSync(error)
          .map((issue) => issue.path.join("."))
          .filter((path) => path.length > 0)
      })
    )
  )
