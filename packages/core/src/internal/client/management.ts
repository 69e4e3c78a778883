import { HttpClientRequest } from "@effect/platform"
import { Effect, Either, Redacted } from "effect"
import type * as OAuthClient from "../../OAuthClient.js"
import { Introspection } from "../../OAuthClient.js"
import {
  classify,
  ConfigurationError,
  IdTokenInvalid,
  InvalidTokenResponse,
  OAuthError,
} from "../../OAuthError.js"
import * as TokenSet from "../../TokenSet.js"
import * as WwwAuthenticate from "../../WwwAuthenticate.js"
import * as http from "../http.js"
import * as Mask from "../wire/mask.js"

import { type ClientContext } from "./context.js"
import { missingEndpoint } from "./context.js"
import type { TokenEndpoint } from "./tokenEndpoint.js"

/**
 * Token management: revocation (RFC 7009), introspection (RFC 7662), userinfo (OpenID Connect Core §5.3).
 *
 * @internal
 */
export const make = (ctx: ClientContext, tokenEndpoint: TokenEndpoint) => {
  const { provider, httpClient, limits, urls, baseHeaders } = ctx
  const { prepare } = tokenEndpoint
  /** A POST to revocation or introspection: client authentication, the same limits. */
  const tokenManagement = (
    url: URL,
    token: Redacted.Redacted<string>,
    hint: string | undefined
  ) =>
    Effect.gen(function*() {
      const prepared = yield* prepare(
        url,
        { token: Redacted.value(token), ...(hint === undefined ? {} : { token_type_hint: hint }) },
        "POST",
        [token]
      )
      const response = yield* http.send(httpClient, prepared.request, url, limits)
      return { response, context: { endpoint: http.where(url), quirks: provider.tokenResponse, secrets: prepared.secrets } }
    })

  const revoke = Effect.fn("OAuthClient.revoke")(function*(
    token: TokenSet.TokenSet | Redacted.Redacted<string>,
    revokeOptions?: { readonly hint?: "access_token" | "refresh_token" | undefined } | undefined
  ) {
    yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name })
    const url = urls.get("revocationEndpoint")
    if (url === undefined) return yield* missingEndpoint(provider, "revocation_endpoint")
    const [value, hint] = Redacted.isRedacted(token)
      ? [token, revokeOptions?.hint]
      : token.refreshToken === undefined
      ? [token.accessToken, revokeOptions?.hint ?? "access_token"]
      : [token.refreshToken, revokeOptions?.hint ?? "refresh_token"]
    const shape = ctx.quirks.revocation
    const { context, response } = shape === undefined
      ? yield* tokenManagement(url, value, hint)
      : yield* Effect.gen(function*() {
        // A provider whose revocation is not RFC 7009 (GitHub's DELETE with a JSON
        // body, Facebook's DELETE /me/permissions): its shape comes from its quirks.
        const target = new URL(url.href.replaceAll("%7Bclient_id%7D", encodeURIComponent(ctx.client.clientId)))
        const prepared = yield* prepare(
          target,
          { [shape.tokenParameter ?? "token"]: Redacted.value(value), ...(hint === undefined || shape.tokenParameter !== undefined ? {} : { token_type_hint: hint }) },
          shape.method ?? "POST",
          [value],
          { body: shape.tokenIn, authenticate: shape.clientAuthentication }
        )
        const response = yield* http.send(httpClient, prepared.request, target, limits, prepared.hideUrl)
        return { response, context: { endpoint: http.where(target), quirks: provider.tokenResponse, secrets: prepared.secrets } }
      })
    // RFC 7009 §2.2: "The authorization server responds with HTTP status code 200 if
    // the token has been revoked successfully or if the client submitted an invalid
    // token." The content of the body is ignored by the client.
    if (response.status >= 200 && response.status < 300) return
    const error = yield* Effect.flip(http.failure(response, context))
    // A provider that answers "this token is already invalid" with an error (Google:
    // 400 invalid_token) has done what RFC 7009 §2.2 asks: the token is gone.
    if (error._tag === "OAuthError" && (shape?.alreadyRevokedErrors ?? []).includes(error.error)) return
    return yield* error
  })

  const introspect = Effect.fn("OAuthClient.introspect")(function*(
    token: Redacted.Redacted<string>,
    introspectOptions?: { readonly hint?: "access_token" | "refresh_token" | undefined } | undefined
  ) {
    yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name })
    const url = urls.get("introspectionEndpoint")
    if (url === undefined) return yield* missingEndpoint(provider, "introspection_endpoint")
    const { context, response } = yield* tokenManagement(url, token, introspectOptions?.hint)
    if (response.status !== 200) return yield* http.failure(response, context)
    return yield* readIntrospection(response, context.endpoint)
  })

  const userinfo = Effect.fn("OAuthClient.userinfo")(function*(
    tokens: TokenSet.TokenSet,
    userinfoOptions?: { readonly subject?: string | undefined } | undefined
  ) {
    yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name })
    const url = urls.get("userinfoEndpoint")
    if (url === undefined) return yield* missingEndpoint(provider, "userinfo_endpoint")
    const subject = userinfoOptions?.subject ?? TokenSet.claims(tokens)?.sub
    if (subject === undefined) {
      return yield* new ConfigurationError({
        reason: "MissingCredential",
        detail: "no validated ID token (or subject) to match the userinfo sub against"
      })
    }
    const request = HttpClientRequest.get(url).pipe(
      HttpClientRequest.setHeaders({
        ...baseHeaders,
        // OpenID Connect Core §5.3.1: the access token as in RFC 6750.
        authorization: `${tokens.tokenType} ${Redacted.value(tokens.accessToken)}`
      })
    )
    const response = yield* http.send(httpClient, request, url, limits)
    const context = { endpoint: http.where(url), quirks: provider.tokenResponse, secrets: [tokens.accessToken] }
    if (response.status !== 200) {
      const challenge = Either.getOrElse(WwwAuthenticate.fromHeaders(response.headers), () => [])
        .find((entry) => entry.error !== undefined)
      if ((response.status === 400 || response.status === 401 || response.status === 403) && challenge?.error !== undefined) {
        const mask = (text: string) => Mask.mask(text, context.secrets)
        return yield* new OAuthError({
          error: mask(challenge.error),
          ...(challenge.errorDescription === undefined ? {} : { description: mask(challenge.errorDescription) }),
          ...(challenge.errorUri === undefined ? {} : { uri: mask(challenge.errorUri) }),
          status: response.status,
          endpoint: context.endpoint,
          // RFC 6750 §3.1: `invalid_token` from a resource means this access token
          // is expired or revoked: get a new one (refresh), the grant may be fine.
          remedy: challenge.error === "invalid_token"
            ? "retry"
            : classify(challenge.error, response.status, provider.tokenResponse?.errorRemedies)
        })
      }
      return yield* http.failure(response, context)
    }
    if (response.headers["content-type"]?.split(";")[0]?.trim().toLowerCase() === "application/jwt") {
      return yield* new ConfigurationError({ reason: "Unsupported", detail: "signed or encrypted userinfo responses" })
    }
    const body = http.jsonObject(response.body)
    const invalid = (reason: "NotJson" | "InvalidField", detail?: string) =>
      new InvalidTokenResponse({
        reason,
        status: response.status,
        endpoint: context.endpoint,
        ...(reason === "InvalidField" ? { field: "sub" } : {}),
        ...(detail === undefined ? {} : { detail }),
        ...http.excerptOf(response, body)
      })
    if (body === undefined) return yield* invalid("NotJson")
    const sub = body["sub"]
    if (typeof sub !== "string") return yield* invalid("InvalidField", "is missing or not a string")
    if (sub !== subject) {
      return yield* new IdTokenInvalid({
        reason: "SubjectMismatch",
        claim: "sub",
        detail: "the userinfo response names another subject than the ID token"
      })
    }
    const info: OAuthClient.UserInfo = { ...body, sub }
    return info
  })

  return { revoke, introspect, userinfo }
}

const knownIntrospectionFields: ReadonlySet<string> = new Set([
  "active",
  "scope",
  "client_id",
  "username",
  "token_type",
  "exp",
  "iat",
  "sub",
  "aud",
  "iss"
])

/** Reads an RFC 7662 §2.2 introspection response. @internal */
export const readIntrospection = (
  response: http.RawResponse,
  endpoint: string
): Effect.Effect<Introspection, InvalidTokenResponse> => {
  const invalid = (reason: "NotJson" | "InvalidField", field?: string, detail?: string) =>
    new InvalidTokenResponse({
      reason,
      status: response.status,
      endpoint,
      ...(field === undefined ? {} : { field }),
      ...(detail === undefined ? {} : { detail }),
      ...http.excerptOf(response)
    })
  const body = http.jsonObject(response.body)
  if (body === undefined) return Effect.fail(invalid("NotJson"))
  // "active: REQUIRED. Boolean indicator of whether or not the presented token is
  // currently active." (RFC 7662 §2.2)
  if (typeof body["active"] !== "boolean") return Effect.fail(invalid("InvalidField", "active", "is not a boolean"))
  const strings: Record<string, string> = {}
  for (const [field, name] of [
    ["client_id", "clientId"],
    ["username", "username"],
    ["token_type", "tokenType"],
    ["sub", "subject"],
    ["iss", "issuer"]
  ] as const) {
    const value = body[field]
    if (value === undefined) continue
    if (typeof value !== "string") return Effect.fail(invalid("InvalidField", field, "is not a string"))
    strings[name] = value
  }
  const times: Record<string, number> = {}
  for (const [field, name] of [["exp", "expiresAt"], ["iat", "issuedAt"]] as const) {
    const value = body[field]
    if (value === undefined) continue
    if (typeof value !== "number" || !Number.isFinite(value)) {
      return Effect.fail(invalid("InvalidField", field, "is not a number of seconds"))
    }
    times[name] = value * 1000
  }
  const scope = body["scope"]
  if (scope !== undefined && typeof scope !== "string") return Effect.fail(invalid("InvalidField", "scope", "is not a string"))
  const aud = body["aud"]
  const audience = aud === undefined
    ? []
    : typeof aud === "string"
    ? [aud]
    : Array.isArray(aud) && aud.every((entry): entry is string => typeof entry === "string")
    ? aud
    : undefined
  if (audience === undefined) return Effect.fail(invalid("InvalidField", "aud", "is neither a string nor an array of strings"))
  const extra: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(body)) {
    if (!knownIntrospectionFields.has(field)) extra[field] = value
  }
  return Effect.succeed(
    new Introspection({
      active: body["active"],
      scopes: scope === undefined ? [] : scope.split(" ").filter((entry) => entry !== ""),
      ...strings,
      ...times,
      audience,
      extra
    })
  )
}
