import { Effect, Redacted } from "effect"
import { AuthorizationRequest } from "../../Callback.js"
import type * as OAuthClient from "../../OAuthClient.js"
import {
  ConfigurationError,
  InvalidTokenResponse,
} from "../../OAuthError.js"
import * as Pkce from "../../Pkce.js"
import * as http from "../http.js"

import { type ClientContext } from "./context.js"
import { type Form, reservedAuthorizationParams, resourcesOf, resourceParam, validRedirectUri, missingEndpoint } from "./context.js"
import type { TokenEndpoint } from "./tokenEndpoint.js"

/**
 * The authorization request (RFC 6749 §4.1.1), pushed when the server offers it (RFC 9126).
 *
 * @internal
 */
export const make = (ctx: ClientContext, tokenEndpoint: TokenEndpoint) => {
  const { client, provider, urls, requireLegacy, quirks } = ctx
  const { prepare, sendProven, retryWithNonce } = tokenEndpoint
  /**
   * RFC 9126 §2: the authorization parameters, with client authentication, as a
   * form POST; the answer is 201 with `request_uri` and `expires_in`.
   */
  const push = (url: URL, params: Form, secrets: ReadonlyArray<Redacted.Redacted<string>>) =>
    Effect.gen(function*() {
      const prepared = yield* prepare(url, params, "POST", secrets)
      const context = { endpoint: http.where(url), quirks: provider.tokenResponse, secrets: prepared.secrets }
      const attempt = Effect.gen(function*() {
        const response = yield* sendProven(prepared, url)
        if (response.status !== 201 && response.status !== 200) return yield* http.failure(response, context)
        return response
      })
      const response = yield* retryWithNonce(attempt)
      const body = http.jsonObject(response.body)
      const requestUri = body?.["request_uri"]
      if (typeof requestUri !== "string" || requestUri === "") {
        return yield* new InvalidTokenResponse({
          reason: body === undefined ? "NotJson" : "InvalidField",
          status: response.status,
          endpoint: context.endpoint,
          ...(body === undefined ? {} : { field: "request_uri", detail: "is missing or not a string" }),
          ...http.excerptOf(response, body)
        })
      }
      return requestUri
    })

  const authorizationRequest = (
    urlOptions: OAuthClient.AuthorizationUrlOptions | undefined,
    responseType: "code" | "token"
  ) => Effect.gen(function*() {
    yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name })
    const endpoint = urls.get("authorizationEndpoint")
    if (endpoint === undefined) return yield* missingEndpoint(provider, "authorization_endpoint")
    const redirectUri = urlOptions?.redirectUri ?? client.redirectUri
    if (redirectUri === undefined) {
      return yield* new ConfigurationError({
        reason: "MissingEndpoint",
        detail: "no redirect URI: set client.redirectUri or pass redirectUri"
      })
    }
    yield* validRedirectUri(redirectUri)
    const extra = { ...quirks.authorizationParams, ...urlOptions?.params }
    for (const name of Object.keys(extra)) {
      if (reservedAuthorizationParams.has(name)) {
        return yield* new ConfigurationError({
          reason: "Unsupported",
          detail: `"${name}" is set by the client and cannot be passed as an extra parameter`
        })
      }
    }
    const scopes = urlOptions?.scopes ?? client.scopes ?? provider.defaultScopes ?? []
    const resources = yield* resourcesOf(urlOptions?.resource ?? client.resource)
    const parEndpoint = urls.get("pushedAuthorizationRequestEndpoint")
    const pushed = urlOptions?.pushed ?? (parEndpoint !== undefined)
    if (pushed && parEndpoint === undefined) return yield* missingEndpoint(provider, "pushed_authorization_request_endpoint")
    if (!pushed && provider.requirePushedAuthorizationRequests === true) {
      return yield* new ConfigurationError({
        reason: "Unsupported",
        detail: `provider "${provider.name}" requires pushed authorization requests (RFC 9126 §5)`
      })
    }
    const state = yield* Pkce.randomState()
    // PKCE binds a code to its exchange; the implicit grant has no exchange.
    const pkce = quirks.pkce === false || responseType === "token" ? undefined : yield* Pkce.make()
    const nonce = (urlOptions?.nonce ?? scopes.includes("openid")) ? yield* Pkce.randomNonce() : undefined
    const params: Form = {
      response_type: responseType,
      client_id: client.clientId,
      redirect_uri: redirectUri,
      ...(scopes.length > 0 ? { scope: scopes.join(" ") } : {}),
      state: Redacted.value(state),
      ...(pkce === undefined ? {} : { code_challenge: pkce.challenge, code_challenge_method: pkce.method }),
      ...(nonce === undefined ? {} : { nonce: Redacted.value(nonce) }),
      ...resourceParam(resources),
      ...extra
    }
    const url = new URL(endpoint)
    if (pushed && parEndpoint !== undefined) {
      const requestUri = yield* push(parEndpoint, params, [state, ...(nonce === undefined ? [] : [nonce])])
      // RFC 9126 §4: the authorization request then carries only client_id and request_uri.
      url.searchParams.set("client_id", client.clientId)
      url.searchParams.set("request_uri", requestUri)
    } else {
      for (const [name, value] of Object.entries(params)) {
        url.searchParams.delete(name)
        for (const entry of typeof value === "string" ? [value] : value) url.searchParams.append(name, entry)
      }
    }
    // Built from values made and typed here: not validated again (`Callback.parse`
    // and the pending stores decode requests that come from outside).
    return new AuthorizationRequest({
      url: url.toString(),
      state,
      ...(pkce === undefined ? {} : { codeVerifier: pkce.verifier }),
      ...(nonce === undefined ? {} : { nonce }),
      redirectUri,
      scopes,
      ...(resources.length === 0 ? {} : { resources }),
      ...(provider.issuer === undefined ? {} : { issuer: provider.issuer }),
      issRequired: provider.authorizationResponseIssParameterSupported === true,
      ...(responseType === "token" ? { responseType } : {})
    }, { disableValidation: true })
  })

  const authorizationUrl = Effect.fn("OAuthClient.authorizationUrl")(
    (urlOptions?: OAuthClient.AuthorizationUrlOptions | undefined) => authorizationRequest(urlOptions, "code")
  )

  const implicitAuthorizationUrl = Effect.fn("OAuthClient.implicitAuthorizationUrl")(function*(
    urlOptions?: OAuthClient.AuthorizationUrlOptions | undefined
  ) {
    yield* requireLegacy("implicit", "§2.1.2")
    return yield* authorizationRequest(urlOptions, "token")
  })

  return { authorizationUrl, implicitAuthorizationUrl }
}
