/**
 * The temporary credentials ("request token") of one authorization (RFC 5849
 * §2.1): what `OAuth1Client.requestToken` returns and what a client keeps until
 * the callback, to check it (`Callback.parse`) and to sign the token request
 * (`OAuth1Client.accessToken`). Its `Schema` encoding lets a web app keep it in a
 * server-side session.
 *
 * @since 0.1.0
 */
import { Redacted, Schema } from "effect"

/**
 * Temporary credentials: `token` (sent to the user in the authorization URL) and
 * `tokenSecret` (never leaves the client), both `Redacted`, and the callback the
 * server confirmed (`oob` for out-of-band).
 *
 * @see https://www.rfc-editor.org/rfc/rfc5849#section-2.1
 * @since 0.1.0
 * @category models
 */
export class TemporaryCredentials extends Schema.Class<TemporaryCredentials>(
  "@effect-oauth/oauth1/TemporaryCredentials"
)({
  token: Schema.Redacted(Schema.String),
  tokenSecret: Schema.Redacted(Schema.String),
  callback: Schema.String
}) {}

/**
 * The JSON form of {@link TemporaryCredentials} (the secret in clear).
 *
 * @since 0.1.0
 * @category models
 */
export type Encoded = typeof TemporaryCredentials.Encoded

/**
 * Builds temporary credentials from plain values (strings are wrapped in `Redacted`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (fields: {
  readonly token: string | Redacted.Redacted<string>
  readonly tokenSecret: string | Redacted.Redacted<string>
  readonly callback?: string | undefined
}): TemporaryCredentials => {
  const redact = (value: string | Redacted.Redacted<string>) =>
    typeof value === "string" ? Redacted.make(value) : value
  return new TemporaryCredentials({
    token: redact(fields.token),
    tokenSecret: redact(fields.tokenSecret),
    callback: fields.callback ?? "oob"
  })
}
