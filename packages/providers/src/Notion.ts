/**
 * Notion public integrations, as data.
 *
 * Quirks: client credentials go in the Basic header; the token response carries
 * the workspace and bot (`bot_id`, `workspace_id`, `workspace_name`, `owner`, …,
 * kept in the token set's extra fields) and no `expires_in`; older integrations
 * get no refresh token at all. Notion's API errors
 * (`{ "object": "error", "status": 429, "code": "rate_limited", "message" }`)
 * read as the RFC code they mean.
 *
 * @see https://developers.notion.com/docs/authorization
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import * as vocabulary from "./internal/vocabulary.js"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks of Notion: its API error codes read as RFC 6749 codes.
 *
 * @see https://developers.notion.com/reference/status-codes#error-codes
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  readError: vocabulary.readError({
    code: "code",
    description: "message",
    codes: {
      rate_limited: ["temporarily_unavailable", "retry"],
      unauthorized: "invalid_client",
      restricted_resource: "invalid_scope",
      invalid_grant: "invalid_grant",
      internal_server_error: ["server_error", "retry"],
      service_unavailable: ["temporarily_unavailable", "retry"]
    }
  })
}

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `owner=user` (the only value Notion defines; sent always). */
  readonly owner?: "user" | undefined
}

/**
 * The Notion preset: authorization and token endpoints, secrets in the Basic
 * header, `owner=user`, and {@link tokenResponse}.
 *
 * @example
 * ```ts
 * import { Notion } from "@effect-oauth/providers"
 *
 * const provider = Notion.make()
 * ```
 *
 * @see https://developers.notion.com/reference/create-a-token
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => ({
  name: "notion",
  authorizationEndpoint: "https://api.notion.com/v1/oauth/authorize",
  tokenEndpoint: "https://api.notion.com/v1/oauth/token",
  tokenEndpointAuthMethodsSupported: ["client_secret_basic"],
  tokenResponse,
  requests: { authorizationParams: { owner: options.owner ?? "user" } }
})

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://developers.notion.com/reference/refresh-a-token
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Notion",
  docs: "https://developers.notion.com/reference/create-a-token",
  refresh: "no expiry; a refresh token only for newer integrations",
  quirks: "Basic auth; workspace and bot fields beside the token; API error `code`s read as RFC codes",
  provider: make()
}
