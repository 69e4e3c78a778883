import { HttpClientRequest } from "@effect/platform"
import { Clock, Duration, Effect, Redacted } from "effect"
import * as IdToken from "../../IdToken.js"
import {
  ConfigurationError,
  IdTokenInvalid,
  type TokenEndpointError,
} from "../../OAuthError.js"
import type { TokenResponseQuirks } from "../../Provider.js"
import * as TokenResponse from "../../TokenResponse.js"
import * as TokenSet from "../../TokenSet.js"
import * as JwtAssertion from "../../JwtAssertion.js"
import * as http from "../http.js"
import { signWith } from "../jwtAssertion.js"

import { type ClientContext } from "./context.js"
import { type Form, basicCredentials, type Prepared } from "./context.js"

/**
 * Client authentication, the token-endpoint send (with the DPoP nonce retry) and ID token validation of a token response.
 *
 * @internal
 */
export const make = (ctx: ClientContext) => {
  const { algorithms, assertionKey, authMethod, baseHeaders, client, clientSecrets, dpop } = ctx
  const { httpClient, idTokenOptions, keys, limits, provider, quirks, tokenUrl } = ctx
  /**
   * Validates the ID token of `tokens` and sets its claims. Without an ID token,
   * or without the means to validate one, `tokens` pass unchanged unless an ID
   * token is `required` (an `openid` request, or a refresh of a validated grant).
   */
  const withIdTokenClaims = (
    tokens: TokenSet.TokenSet,
    context: {
      readonly required: boolean
      readonly nonce?: Redacted.Redacted<string> | undefined
      readonly previous?: IdToken.Claims | undefined
      readonly maxAge?: number | undefined
    }
  ) =>
    Effect.gen(function*() {
      if (tokens.idToken === undefined) {
        if (!context.required) return tokens
        return yield* new IdTokenInvalid({ reason: "Missing", detail: "the token response has no id_token" })
      }
      if (provider.issuer === undefined || keys === undefined) {
        if (!context.required) return tokens
        return yield* new ConfigurationError({
          reason: "MissingEndpoint",
          detail: `provider "${provider.name}" needs an issuer and a jwks_uri to validate ID tokens`
        })
      }
      const claims = yield* IdToken.validate(tokens.idToken, {
        issuer: provider.issuer,
        clientId: client.clientId,
        keys,
        algorithms,
        ...(idTokenOptions.clockSkew === undefined ? {} : { clockSkew: idTokenOptions.clockSkew }),
        ...(context.nonce === undefined ? {} : { nonce: context.nonce }),
        ...(context.previous === undefined ? {} : { previous: context.previous }),
        ...(idTokenOptions.trustedAudiences === undefined ? {} : { trustedAudiences: idTokenOptions.trustedAudiences }),
        ...(context.maxAge === undefined ? {} : { maxAge: Duration.seconds(context.maxAge) })
      })
      // A token set and claims just decoded: nothing to validate again.
      return new TokenSet.TokenSet({ ...tokens, idTokenClaims: Redacted.make(claims) }, true)
    })

  /**
   * Adds client authentication (RFC 6749 §2.3.1, RFC 7523 §2.2, OIDC Core §9) to a
   * form. A JWT assertion is signed afresh for each request: its `jti` is single
   * use (servers keep a replay cache), its `aud` the issuer when known, else the
   * endpoint it is sent to (both are accepted by RFC 7523 §3 and OIDC Core §9).
   */
  const authenticate = (
    url: URL,
    params: Form
  ): Effect.Effect<
    {
      readonly body: Form
      readonly headers: Record<string, string>
      readonly secrets: ReadonlyArray<Redacted.Redacted<string>>
    },
    ConfigurationError
  > => {
    const secret = client.clientSecret === undefined ? "" : Redacted.value(client.clientSecret)
    switch (authMethod) {
      case "client_secret_basic": {
        const credentials = basicCredentials(client.clientId, secret, quirks.basicAuthEncoding)
        return Effect.succeed({
          body: params,
          headers: { authorization: `Basic ${credentials}` },
          // A server that echoes the header echoes its base64 value.
          secrets: [Redacted.make(credentials)]
        })
      }
      case "client_secret_post":
        return Effect.succeed({
          body: { ...params, client_id: client.clientId, client_secret: secret },
          headers: {},
          secrets: []
        })
      case "none":
        return Effect.succeed({ body: { ...params, client_id: client.clientId }, headers: {}, secrets: [] })
      case "private_key_jwt":
      case "client_secret_jwt":
        if (assertionKey === undefined) return Effect.die("unreachable: the assertion key is checked by make")
        return Effect.map(
          signWith(assertionKey.key, assertionKey.alg, assertionKey.kid, {
            issuer: client.clientId,
            subject: client.clientId,
            audience: provider.issuer ?? http.where(url)
          }),
          (assertion) => ({
            body: {
              ...params,
              client_id: client.clientId,
              client_assertion_type: JwtAssertion.clientAssertionType,
              client_assertion: Redacted.value(assertion)
            },
            headers: {},
            secrets: [assertion]
          })
        )
    }
  }

  const prepare = (
    url: URL,
    params: Form,
    method: "POST" | "GET" | "DELETE",
    secrets: ReadonlyArray<Redacted.Redacted<string>>,
    shape: {
      /** Where the parameters go; default a form body (a query for GET). */
      readonly body?: "form" | "json" | "query" | undefined
      /** Add client authentication; default true. */
      readonly authenticate?: boolean | undefined
    } = {}
  ): Effect.Effect<Prepared, ConfigurationError> =>
    Effect.map(
      shape.authenticate === false ? Effect.succeed({ body: params, headers: {}, secrets: [] }) : authenticate(url, params),
      ({ body, headers, secrets: credentials }) => {
        const where = shape.body ?? (method === "GET" ? "query" : "form")
        const bare = method === "GET"
          ? HttpClientRequest.get(url)
          : method === "DELETE"
          ? HttpClientRequest.del(url)
          : HttpClientRequest.post(url)
        const base = where === "query"
          ? HttpClientRequest.appendUrlParams(bare, body)
          : where === "json"
          ? HttpClientRequest.bodyUnsafeJson(bare, body)
          : HttpClientRequest.bodyUrlParams(bare, body)
        return {
          url,
          request: HttpClientRequest.setHeaders(base, { ...baseHeaders, ...headers }),
          secrets: [...clientSecrets, ...credentials, ...secrets],
          hideUrl: where === "query" && Object.keys(body).some((name) => name !== "client_id")
        }
      }
    )

  /**
   * Sends a prepared request, with a DPoP proof of it when the client has a key
   * (RFC 9449 §5 at the token endpoint, §10.1 at the PAR endpoint), and records
   * the server's next nonce.
   */
  const sendProven = (prepared: Prepared, url: URL) =>
    Effect.gen(function*() {
      const request = dpop === undefined
        ? prepared.request
        : HttpClientRequest.setHeader(
          prepared.request,
          "dpop",
          Redacted.value(yield* dpop.proof({ method: prepared.request.method, url }))
        )
      const response = yield* http.send(httpClient, request, url, limits, prepared.hideUrl)
      if (dpop !== undefined) yield* dpop.remember(url, response.headers)
      return response
    })

  // RFC 9449 §8: a server that wants a nonce answers `use_dpop_nonce` with a
  // `DPoP-Nonce` header; the request is sent once more with a proof carrying it.
  const retryWithNonce = <A, E extends { readonly _tag: string }>(attempt: Effect.Effect<A, E>): Effect.Effect<A, E> =>
    dpop === undefined ? attempt : Effect.catchIf(
      attempt,
      (error) => error._tag === "OAuthError" && "error" in error && error.error === "use_dpop_nonce",
      () => attempt
    )

  const tokenRequest = (
    params: Form,
    requestedScopes: ReadonlyArray<string>,
    secrets: ReadonlyArray<Redacted.Redacted<string>>,
    responseQuirks: TokenResponseQuirks | undefined = provider.tokenResponse
  ): Effect.Effect<TokenSet.TokenSet, TokenEndpointError> =>
    Effect.gen(function*() {
      const prepared = yield* prepare(tokenUrl, { ...quirks.tokenParams, ...params }, quirks.tokenMethod ?? "POST", secrets)
      // expires_in counts from when the response was generated: anchor it at the
      // send time so a slow response can only make the token look older.
      const attempt = Effect.gen(function*() {
        const requestedAt = yield* Clock.currentTimeMillis
        const response = yield* sendProven(prepared, tokenUrl)
        return yield* TokenResponse.parse(response, {
          requestedAt,
          requestedScopes,
          quirks: responseQuirks,
          endpoint: http.where(tokenUrl),
          secrets: prepared.secrets
        })
      })
      return yield* retryWithNonce(attempt)
    })

  return { withIdTokenClaims, authenticate, prepare, sendProven, retryWithNonce, tokenRequest }
}

/** @internal */
export type TokenEndpoint = ReturnType<typeof make>
