/**
 * The Graph API call of the example beyond the preset's operations:
 * `me/accounts`, the Pages the user manages, each with its Page access token.
 */
import { Facebook } from "@effect-oauth/providers"
import type { AuthorizedHttpClient } from "@effect-oauth/session"
import { HttpClientRequest } from "@effect/platform"
import { Data, Effect, Predicate, Redacted, Schema } from "effect"

/** A Graph API request failed: the error object's fields (no token, no secret). */
export class GraphError extends Data.TaggedError("GraphError")<{
  readonly endpoint: string
  readonly status: number
  /** The error object's `type` (`OAuthException`). */
  readonly type: string | undefined
  readonly description: string | undefined
  /** `code`, `error_subcode`, `fbtrace_id`. */
  readonly details: Readonly<Record<string, unknown>>
}> {
  override get message(): string {
    return `Graph API ${this.endpoint} answered HTTP ${this.status}: ${this.type ?? "error"} ${this.description ?? ""}`.trim()
  }
}

// The preset reads Graph error objects for its token responses; the same reader
// serves the other Graph endpoints.
const graphError = (endpoint: string, status: number, body: unknown): GraphError => {
  const fields = Predicate.isRecord(body) ? Facebook.tokenResponse.readError?.(body) : undefined
  return new GraphError({
    endpoint,
    status,
    type: fields?.error,
    description: fields?.description,
    details: fields?.details ?? {}
  })
}

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
 * Fails with `GraphError`, and the authorized client's errors.
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
