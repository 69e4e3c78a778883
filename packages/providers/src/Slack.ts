/**
 * Slack apps (OAuth v2, `oauth.v2.access`), as data plus quirk options.
 *
 * Quirks: the token response wraps the bot token at the top level
 * (`token_type: "bot"`) and the user token under `authed_user`
 * (`token_type: "user"`), both Bearer tokens ({@link tokenResponse} maps the
 * types); `scope` is comma-separated; errors come inside HTTP 200 as
 * `{ "ok": false, "error": "invalid_code" }`, read as the RFC 6749 code they
 * mean; with token rotation on, access tokens expire after 12 hours and each
 * refresh returns a new refresh token. Revocation is Slack's `auth.revoke`
 * method (the token as Bearer), not RFC 7009.
 *
 * @see https://api.slack.com/methods/oauth.v2.access
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import * as vocabulary from "./internal/vocabulary.js"
import type * as Preset from "./Preset.js"

/**
 * The token-response quirks of Slack: `bot` and `user` token types as Bearer,
 * comma-separated scopes, and its error codes read as RFC 6749 codes.
 *
 * @see https://api.slack.com/methods/oauth.v2.access#errors
 * @since 0.1.0
 * @category models
 */
export const tokenResponse: Provider.TokenResponseQuirks = {
  scopeSeparator: ",",
  tokenTypes: { bot: "Bearer", user: "Bearer" },
  readError: vocabulary.readError({
    codes: {
      invalid_code: "invalid_grant",
      invalid_grant_type: "unsupported_grant_type",
      invalid_client_id: "invalid_client",
      bad_client_secret: "invalid_client",
      bad_redirect_uri: "invalid_request",
      oauth_authorization_url_mismatch: "invalid_request",
      ratelimited: ["temporarily_unavailable", "retry"],
      service_unavailable: ["temporarily_unavailable", "retry"],
      fatal_error: ["server_error", "retry"],
      internal_error: ["server_error", "retry"]
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
  /** Bot scopes requested when a call names none. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** `user_scope`: scopes of the user token, comma-separated on the wire. */
  readonly userScopes?: ReadonlyArray<string> | undefined
  /** `team`: the workspace to install into. */
  readonly team?: string | undefined
}

/**
 * The Slack preset: authorization and `oauth.v2.access` endpoints, secrets in
 * the body, and {@link tokenResponse}.
 *
 * @example
 * ```ts
 * import { Slack } from "@effect-oauth/providers"
 *
 * const provider = Slack.make({ scopes: ["chat:write"], userScopes: ["identity.basic"] })
 * ```
 *
 * @see https://api.slack.com/authentication/oauth-v2
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Provider.Provider => {
  const params = {
    ...(options.userScopes === undefined ? {} : { user_scope: options.userScopes.join(",") }),
    ...(options.team === undefined ? {} : { team: options.team })
  }
  return {
    name: "slack",
    authorizationEndpoint: "https://slack.com/oauth/v2/authorize",
    tokenEndpoint: "https://slack.com/api/oauth.v2.access",
    tokenEndpointAuthMethodsSupported: ["client_secret_post", "client_secret_basic"],
    ...(options.scopes === undefined ? {} : { defaultScopes: options.scopes }),
    tokenResponse,
    ...(Object.keys(params).length === 0 ? {} : { requests: { authorizationParams: params } })
  }
}

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://api.slack.com/authentication/rotation
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Slack",
  docs: "https://api.slack.com/methods/oauth.v2.access",
  refresh: "only with token rotation: 12-hour tokens, rotating refresh tokens",
  quirks: "`bot`/`user` token types; user token under `authed_user`; errors in HTTP 200 read as RFC codes; comma-separated `scope`",
  provider: make()
}
