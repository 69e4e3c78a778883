/**
 * The Graph API calls of the example: `debug_token` (is this token live, and
 * was it issued to this app?) and `me/accounts` (the Pages the user manages,
 * each with its Page access token), plus the reader of Graph error objects
 * that the provider's token responses use too.
 */
import { OAuthClient } from "@effect-oauth/core"
import type { OAuthError, Provider } from "@effect-oauth/core"
import type { AuthorizedHttpClient } from "@effect-oauth/session"
import type { HttpClient } from "@effect/platform"
import { HttpClientRequest } from "@effect/platform"
import { Data, Effect, Predicate, Redacted, Schema } from "effect"

/**
 * A Graph API error object, `{ "error": { "message", "type", "code",
 * "error_subcode", "fbtrace_id" } }`, as `OAuthError` fields: `error` is the
 * `type`, the numbers go to `details`. Code 190 (invalid or expired token) means
 * log in again; 1, 2, 4, 17 and 341 are transient or rate limits.
 *
 * @see https://developers.facebook.com/docs/graph-api/guides/error-handling/
 */
export const readError = (body: Readonly<Record<string, unknown>>): Provider.ProviderErrorFields | undefined => {
  const error = body["error"]
  if (!Predicate.isRecord(error) || typeof error["type"] !== "string") return undefined
  const code = typeof error["code"] === "number" ? error["code"] : undefined
  return {
    error: error["type"],
    ...(typeof error["message"] === "string" ? { description: error["message"] } : {}),
    details: {
      ...(code === undefined ? {} : { code }),
      ...(typeof error["error_subcode"] === "number" ? { error_subcode: error["error_subcode"] } : {}),
      ...(typeof error["fbtrace_id"] === "string" ? { fbtrace_id: error["fbtrace_id"] } : {})
    },
    remedy: code === 190 ? "reauthorize" : code !== undefined && [1, 2, 4, 17, 341].includes(code) ? "retry" : "fixConfiguration"
  }
}

/** A Graph API request failed: the error object's fields (no token, no secret). */
export class GraphError extends Data.TaggedError("GraphError")<{
  readonly endpoint: string
  readonly status: number
  readonly type: string | undefined
  readonly code: number | undefined
  readonly subcode: number | undefined
  readonly description: string | undefined
}> {
  override get message(): string {
    const code = this.code === undefined ? "" : ` ${this.code}${this.subcode === undefined ? "" : `/${this.subcode}`}`
    return `Graph API ${this.endpoint} answered HTTP ${this.status}: ${this.type ?? "error"}${code} ${this.description ?? ""}`.trim()
  }
}

/** `debug_token` says the token belongs to another app: never accept it. */
export class ForeignToken extends Data.TaggedError("ForeignToken")<{ readonly appId: string }> {
  override get message(): string {
    return `the token was issued to app ${this.appId}, not to this app`
  }
}

const graphError = (endpoint: string, status: number, body: unknown): GraphError => {
  const fields = Predicate.isRecord(body) ? readError(body) : undefined
  const details = fields?.details ?? {}
  const number = (name: string) => (typeof details[name] === "number" ? details[name] : undefined)
  return new GraphError({
    endpoint,
    status,
    type: fields?.error,
    code: number("code"),
    subcode: number("error_subcode"),
    description: fields?.description
  })
}

const DebugTokenBody = Schema.Struct({
  data: Schema.Struct({
    app_id: Schema.String,
    type: Schema.String,
    application: Schema.optional(Schema.String),
    expires_at: Schema.Number,
    data_access_expires_at: Schema.optional(Schema.Number),
    is_valid: Schema.Boolean,
    issued_at: Schema.optional(Schema.Number),
    scopes: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
    user_id: Schema.optional(Schema.String),
    error: Schema.optional(Schema.Struct({ code: Schema.Number, message: Schema.String, subcode: Schema.optional(Schema.Number) }))
  })
})

/** What `debug_token` says about a token. Times are epoch ms. */
export interface TokenCheck {
  readonly type: string
  readonly valid: boolean
  /** `undefined`: the token does not expire (`expires_at: 0`). */
  readonly expiresAt: number | undefined
  readonly dataAccessExpiresAt: number | undefined
  readonly scopes: ReadonlyArray<string>
  /** Why the token is not valid (`190`/`463`: expired). */
  readonly error: { readonly code: number; readonly subcode: number | undefined } | undefined
}

const decodeJson = (bytes: Uint8Array): unknown => {
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return undefined
  }
}

/**
 * Inspects `token` with `GET /debug_token`, authenticated by the app access token
 * (`{app-id}|{app-secret}`), and checks that it was issued to `appId`. Both travel
 * in the query string, as Meta documents; `OAuthClient.request` keeps that URL out
 * of spans and error messages.
 *
 * Fails with `GraphError`, `ForeignToken`, and the transport's `TransportError` /
 * `ConfigurationError`.
 *
 * @see https://developers.facebook.com/docs/graph-api/reference/debug_token/
 */
export const debugToken = (options: {
  readonly url: string
  readonly appId: string
  readonly appSecret: Redacted.Redacted<string>
  readonly token: Redacted.Redacted<string>
}): Effect.Effect<
  TokenCheck,
  GraphError | ForeignToken | OAuthError.TransportError | OAuthError.ConfigurationError,
  HttpClient.HttpClient
> =>
  Effect.gen(function*() {
    const response = yield* OAuthClient.request({
      method: "GET",
      url: options.url,
      params: {
        input_token: Redacted.value(options.token),
        access_token: `${options.appId}|${Redacted.value(options.appSecret)}`
      }
    })
    const body = decodeJson(response.body)
    if (response.status !== 200) return yield* graphError("debug_token", response.status, body)
    const { data } = yield* Schema.decodeUnknown(DebugTokenBody)(body).pipe(
      Effect.mapError(() => graphError("debug_token", response.status, body))
    )
    if (data.app_id !== options.appId) return yield* new ForeignToken({ appId: data.app_id })
    return {
      type: data.type,
      valid: data.is_valid,
      expiresAt: data.expires_at === 0 ? undefined : data.expires_at * 1000,
      dataAccessExpiresAt: data.data_access_expires_at === undefined ? undefined : data.data_access_expires_at * 1000,
      scopes: data.scopes,
      error: data.error === undefined ? undefined : { code: data.error.code, subcode: data.error.subcode }
    }
  })

const AccountsBody = Schema.Struct({
  data: Schema.Array(Schema.Struct({
    access_token: Schema.String,
    id: Schema.String,
    name: Schema.String,
    category: Schema.optional(Schema.String),
    tasks: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
  }))
})

/** A Page the user manages, with its Page access token. */
export interface Page {
  readonly id: string
  readonly name: string
  readonly tasks: ReadonlyArray<string>
  readonly accessToken: Redacted.Redacted<string>
}

/**
 * The user's Pages (`GET /me/accounts`), with the session's user token. Page
 * tokens got with a long-lived user token do not expire.
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived#long-lived-page-token
 */
export const pages = (api: AuthorizedHttpClient.AuthorizedHttpClient, graphUrl: string) =>
  Effect.gen(function*() {
    const response = yield* api.execute(HttpClientRequest.get(`${graphUrl}/me/accounts`))
    const body = yield* Effect.orElseSucceed(response.json, () => undefined)
    if (response.status !== 200) return yield* graphError("me/accounts", response.status, body)
    const { data } = yield* Schema.decodeUnknown(AccountsBody)(body).pipe(
      Effect.mapError(() => graphError("me/accounts", response.status, body))
    )
    return data.map((page): Page => ({
      id: page.id,
      name: page.name,
      tasks: page.tasks,
      accessToken: Redacted.make(page.access_token)
    }))
  })
