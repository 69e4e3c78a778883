import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Duration, Effect, Either, Layer, Redacted } from "effect"
import { AuthorizationRequest } from "../Callback.js"
import type { AuthorizationResponse } from "../Callback.js"
import * as IdToken from "../IdToken.js"
import type * as OAuthClient from "../OAuthClient.js"
import { Introspection, OAuthClient as Tag } from "../OAuthClient.js"
import {
  classify,
  ConfigurationError,
  IdTokenInvalid,
  InvalidTokenResponse,
  OAuthError,
  type TokenEndpointError,
  type TransportError
} from "../OAuthError.js"
import * as Pkce from "../Pkce.js"
import type { ClientAuthMethod, Provider, TokenResponseQuirks } from "../Provider.js"
import * as TokenResponse from "../TokenResponse.js"
import * as TokenSet from "../TokenSet.js"
import * as WwwAuthenticate from "../WwwAuthenticate.js"
import * as Dpop from "../Dpop.js"
import * as JwtAssertion from "../JwtAssertion.js"
import { base64, utf8Bytes } from "./crypto.js"
import * as deviceFlow from "./deviceFlow.js"
import * as http from "./http.js"
import * as Mask from "./wire/mask.js"
import { keyOf, signWith } from "./jwtAssertion.js"

/** A form body; a parameter with several values (`resource`, `audience`) is repeated. */
type Form = Record<string, string | ReadonlyArray<string>>

const endpointFields = [
  ["authorizationEndpoint", "authorization_endpoint"],
  ["tokenEndpoint", "token_endpoint"],
  ["revocationEndpoint", "revocation_endpoint"],
  ["introspectionEndpoint", "introspection_endpoint"],
  ["userinfoEndpoint", "userinfo_endpoint"],
  ["deviceAuthorizationEndpoint", "device_authorization_endpoint"],
  ["pushedAuthorizationRequestEndpoint", "pushed_authorization_request_endpoint"],
  ["registrationEndpoint", "registration_endpoint"],
  ["jwksUri", "jwks_uri"]
] as const

// Parameters the client sets itself; `params` may not replace them, or the request
// and what is kept for the callback (state, verifier, nonce) would disagree.
const reservedAuthorizationParams: ReadonlySet<string> = new Set([
  "response_type",
  "client_id",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "nonce",
  "resource",
  "request_uri"
])

/** RFC 8707 §2: "an absolute URI ... MUST NOT include a fragment component." */
const resourcesOf = (
  resource: string | ReadonlyArray<string> | undefined
): Effect.Effect<ReadonlyArray<string>, ConfigurationError> => {
  const list = resource === undefined ? [] : typeof resource === "string" ? [resource] : resource
  for (const entry of list) {
    let url: URL
    try {
      url = new URL(entry)
    } catch {
      return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: "a resource indicator is not an absolute URI" }))
    }
    if (url.hash !== "" || entry.includes("#")) {
      return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: "a resource indicator must not have a fragment" }))
    }
  }
  return Effect.succeed(list)
}

const resourceParam = (resources: ReadonlyArray<string>): Form => resources.length === 0 ? {} : { resource: resources }

/** `application/x-www-form-urlencoded` serialisation of one value (RFC 6749 Appendix B). */
const formEncode = (value: string): string => new URLSearchParams([["", value]]).toString().slice(1)

/** @internal */
export const basicCredentials = (
  clientId: string,
  secret: string,
  encoding: "form-urlencoded" | "raw" = "form-urlencoded"
): string =>
  // RFC 6749 §2.3.1: "The client identifier is encoded using the
  // "application/x-www-form-urlencoded" encoding algorithm per Appendix B, and the
  // encoded value is used as the username; the client password is encoded using the
  // same algorithm and used as the password."
  encoding === "raw"
    ? base64(utf8Bytes(`${clientId}:${secret}`))
    : base64(utf8Bytes(`${formEncode(clientId)}:${formEncode(secret)}`))

const validRedirectUri = (value: string): Effect.Effect<string, ConfigurationError> => {
  try {
    const url = new URL(value)
    // "The endpoint URI MUST NOT include a fragment component." (RFC 6749 §3.1.2)
    if (url.hash !== "") {
      return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: "redirect URI must not have a fragment" }))
    }
    return Effect.succeed(value)
  } catch {
    return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: "redirect URI is not an absolute URI" }))
  }
}

const missingEndpoint = (provider: Provider, name: string) =>
  new ConfigurationError({ reason: "MissingEndpoint", detail: `provider "${provider.name}" has no ${name}` })

// RFC 8414 §2: "If omitted, the default is "client_secret_basic"".
const defaultSecretMethod = (provider: Provider): "client_secret_basic" | "client_secret_post" => {
  const supported = provider.tokenEndpointAuthMethodsSupported
  return supported !== undefined && !supported.includes("client_secret_basic") && supported.includes("client_secret_post")
    ? "client_secret_post"
    : "client_secret_basic"
}

interface Prepared {
  readonly url: URL
  readonly request: HttpClientRequest.HttpClientRequest
  readonly secrets: ReadonlyArray<Redacted.Redacted<string>>
  /** Credentials are in the query string: keep the URL out of spans. */
  readonly hideUrl: boolean
}

/** @internal */
export const make = (
  options: OAuthClient.Options
): Effect.Effect<OAuthClient.Service, ConfigurationError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const { client, provider } = options
    const httpClient = yield* HttpClient.HttpClient
    const limits = http.limits(options)
    const urls = new Map<string, URL>()
    for (const [field, name] of endpointFields) {
      const value = provider[field]
      if (value !== undefined) urls.set(field, yield* http.endpointUrl(name, value))
    }
    const tokenUrl = urls.get("tokenEndpoint")
    if (tokenUrl === undefined) return yield* missingEndpoint(provider, "token_endpoint")
    if (client.redirectUri !== undefined) yield* validRedirectUri(client.redirectUri)
    const authMethod: ClientAuthMethod = client.authMethod ??
      (client.signingKey !== undefined
        ? "private_key_jwt"
        : client.clientSecret === undefined
        ? "none"
        : defaultSecretMethod(provider))
    // RFC 6749 §2.1: a public client is "incapable of maintaining the
    // confidentiality of its credentials"; a secret configured for it is a mistake
    // (it would never be sent), or a confidential client misdeclared.
    if (authMethod === "none" && client.clientSecret !== undefined) {
      return yield* new ConfigurationError({
        reason: "InvalidCredential",
        detail: "client authentication none (a public client, RFC 6749 §2.1) is configured with a client secret: " +
          "remove client.clientSecret, or choose client_secret_basic or client_secret_post"
      })
    }
    if (authMethod === "private_key_jwt" && client.signingKey === undefined) {
      return yield* new ConfigurationError({
        reason: "MissingCredential",
        detail: "client authentication private_key_jwt needs a signing key (client.signingKey)"
      })
    }
    if (authMethod !== "none" && authMethod !== "private_key_jwt" && client.clientSecret === undefined) {
      return yield* new ConfigurationError({
        reason: "MissingCredential",
        detail: `client authentication ${authMethod} needs a client secret`
      })
    }
    // Imported once: a JWK that cannot sign fails here, at configuration time.
    const assertionKey = authMethod === "private_key_jwt" && client.signingKey !== undefined
      ? { key: yield* keyOf(client.signingKey), alg: client.signingKey.alg, kid: client.signingKey.kid }
      : authMethod === "client_secret_jwt" && client.clientSecret !== undefined
      ? { key: utf8Bytes(Redacted.value(client.clientSecret)), alg: client.secretJwtAlg ?? "HS256", kid: undefined }
      : undefined
    const dpop = options.dpop === undefined ? undefined : Dpop.prover(options.dpop)
    const legacy: ReadonlySet<string> = new Set(options.legacyGrants ?? [])
    const requireLegacy = (grant: "password" | "implicit", section: string) =>
      legacy.has(grant)
        ? Effect.void
        : Effect.fail(
          new ConfigurationError({
            reason: "Unsupported",
            detail: `the ${grant} grant is disabled: RFC 9700 ${section} says it must not be used; ` +
              `enable it with legacyGrants: ["${grant}"] only to talk to a server that offers nothing else`
          })
        )
    const quirks = provider.requests ?? {}
    const baseHeaders: Record<string, string> = { accept: "application/json", ...quirks.headers }
    const clientSecrets = client.clientSecret === undefined ? [] : [client.clientSecret]

    const idTokenOptions = options.idToken ?? {}
    const keys = idTokenOptions.keys ?? (provider.jwksUri === undefined
      ? undefined
      : yield* IdToken.remoteKeySet(provider.jwksUri, {
        ...(idTokenOptions.jwksRefetchCooldown === undefined ? {} : { cooldown: idTokenOptions.jwksRefetchCooldown }),
        timeout: limits.timeout,
        maxResponseBytes: limits.maxResponseBytes
      }))
    const algorithms = idTokenOptions.algorithms ?? advertisedAlgorithms(provider) ?? ["RS256"]

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
        return new TokenSet.TokenSet({ ...tokens, idTokenClaims: Redacted.make(claims) })
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
      method: "POST" | "GET",
      secrets: ReadonlyArray<Redacted.Redacted<string>>
    ): Effect.Effect<Prepared, ConfigurationError> =>
      Effect.map(authenticate(url, params), ({ body, headers, secrets: credentials }) => {
        const base = method === "GET"
          ? HttpClientRequest.get(url).pipe(HttpClientRequest.appendUrlParams(body))
          : HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUrlParams(body))
        return {
          url,
          request: HttpClientRequest.setHeaders(base, { ...baseHeaders, ...headers }),
          secrets: [...clientSecrets, ...credentials, ...secrets],
          hideUrl: method === "GET" && Object.keys(body).some((name) => name !== "client_id")
        }
      })

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
        const prepared = yield* prepare(tokenUrl, params, quirks.tokenMethod ?? "POST", secrets)
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

    const grant = Effect.fn("OAuthClient.grant")(function*(
      params: Readonly<Record<string, string>>,
      grantOptions?: Parameters<OAuthClient.Service["grant"]>[1]
    ) {
      const grantType = params["grant_type"]
      if (grantType === undefined || grantType === "") {
        return yield* new ConfigurationError({ reason: "Unsupported", detail: "grant parameters need a grant_type" })
      }
      yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name, "oauth.grant_type": grantType })
      const scopes = grantOptions?.scopes
      const resources = yield* resourcesOf(grantOptions?.resource ?? client.resource)
      const body: Form = {
        ...grantOptions?.params,
        ...params,
        ...(scopes === undefined || scopes.length === 0 ? {} : { scope: scopes.join(" ") }),
        ...resourceParam(resources)
      }
      const requestedScopes = scopes ?? (params["scope"] === undefined ? [] : params["scope"].split(" ").filter((s) => s !== ""))
      return yield* tokenRequest(body, requestedScopes, grantOptions?.secrets ?? [])
    })

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
      })
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

    const exchangeCode = Effect.fn("OAuthClient.exchangeCode")(function*(response: AuthorizationResponse) {
      yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name, "oauth.grant_type": "authorization_code" })
      const request = response.request
      const params: Form = {
        grant_type: "authorization_code",
        code: Redacted.value(response.code),
        // RFC 6749 §4.1.3: REQUIRED when the authorization request had one (Facebook
        // refuses the exchange without it).
        ...(request.redirectUri === undefined ? {} : { redirect_uri: request.redirectUri }),
        ...(request.codeVerifier === undefined ? {} : { code_verifier: Redacted.value(request.codeVerifier) }),
        // RFC 8707 §2.2: the token request names the resources the token is for.
        ...resourceParam(request.resources ?? [])
      }
      const secrets = [response.code, ...(request.codeVerifier === undefined ? [] : [request.codeVerifier])]
      const tokens = yield* tokenRequest(params, request.scopes, secrets)
      // OpenID Connect Core §3.1.3.3: with openid requested, the response "MUST" hold an ID token.
      const maxAge = maxAgeOf(request.url)
      return yield* withIdTokenClaims(tokens, {
        required: request.scopes.includes("openid"),
        nonce: request.nonce,
        ...(maxAge === undefined ? {} : { maxAge })
      })
    })

    const refresh = Effect.fn("OAuthClient.refresh")(function*(
      tokens: TokenSet.TokenSet,
      grantOptions?: OAuthClient.GrantOptions | undefined
    ) {
      yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name, "oauth.grant_type": "refresh_token" })
      const refreshToken = tokens.refreshToken
      if (refreshToken === undefined) {
        return yield* new ConfigurationError({ reason: "MissingCredential", detail: "the token set has no refresh token" })
      }
      const scopes = grantOptions?.scopes
      const resources = yield* resourcesOf(grantOptions?.resource ?? client.resource)
      // Extra parameters first: they add to the grant, never replace its own fields.
      const params: Form = {
        ...grantOptions?.params,
        grant_type: "refresh_token",
        refresh_token: Redacted.value(refreshToken),
        // RFC 6749 §6: an omitted scope "is treated as equal to the scope originally granted".
        ...(scopes === undefined ? {} : { scope: scopes.join(" ") }),
        ...(quirks.redirectUriOnRefresh === true && client.redirectUri !== undefined
          ? { redirect_uri: client.redirectUri }
          : {}),
        ...resourceParam(resources)
      }
      const next = yield* tokenRequest(params, scopes ?? tokens.scopes, [refreshToken])
      // §12.2: the response "might not contain an id_token"; when it does, it is checked
      // against the first one. A refused ID token means the tokens may belong to
      // someone else: no access token of this response is handed out. The server may
      // already have rotated the refresh token, so the error carries the one this
      // response holds (DESIGN invariant 3): the caller keeps it.
      const checked = next.idToken === undefined ? next : yield* withIdTokenClaims(next, {
        required: tokens.idTokenClaims !== undefined,
        previous: TokenSet.claims(tokens)
      }).pipe(
        Effect.mapError((error) => {
          const kept = next.refreshToken ?? refreshToken
          return error._tag === "IdTokenInvalid"
            ? new IdTokenInvalid({ ...error, refreshToken: kept })
            : new IdTokenInvalid({
              reason: "UnknownKey",
              detail: `the refreshed ID token could not be checked: ${error.message}`,
              refreshToken: kept
            })
        })
      )
      return TokenSet.merge(tokens, checked)
    })

    const clientCredentials = Effect.fn("OAuthClient.clientCredentials")(function*(
      grantOptions?: OAuthClient.GrantOptions | undefined
    ) {
      yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name, "oauth.grant_type": "client_credentials" })
      const scopes = grantOptions?.scopes ?? client.scopes ?? provider.defaultScopes ?? []
      const resources = yield* resourcesOf(grantOptions?.resource ?? client.resource)
      const params: Form = {
        ...grantOptions?.params,
        grant_type: "client_credentials",
        ...(scopes.length === 0 ? {} : { scope: scopes.join(" ") }),
        ...resourceParam(resources)
      }
      return yield* tokenRequest(params, scopes, [])
    })

    const deviceAuthorization = Effect.fn("OAuthClient.deviceAuthorization")(function*(
      grantOptions?: OAuthClient.GrantOptions | undefined
    ) {
      yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name, "oauth.grant_type": deviceFlow.deviceCodeGrantType })
      const url = urls.get("deviceAuthorizationEndpoint")
      if (url === undefined) return yield* missingEndpoint(provider, "device_authorization_endpoint")
      const scopes = grantOptions?.scopes ?? client.scopes ?? provider.defaultScopes ?? []
      const params: Record<string, string> = {
        ...grantOptions?.params,
        ...(scopes.length === 0 ? {} : { scope: scopes.join(" ") })
      }
      const prepared = yield* prepare(url, params, "POST", [])
      const requestedAt = yield* Clock.currentTimeMillis
      const response = yield* http.send(httpClient, prepared.request, url, limits)
      return yield* deviceFlow.readAuthorization(response, {
        requestedAt,
        scopes,
        context: { endpoint: http.where(url), quirks: provider.tokenResponse, secrets: prepared.secrets }
      })
    })

    const pollDeviceToken = Effect.fn("OAuthClient.pollDeviceToken")(function*(
      authorization: OAuthClient.DeviceAuthorization,
      pollOptions?: OAuthClient.PollOptions | undefined
    ) {
      yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name, "oauth.grant_type": deviceFlow.deviceCodeGrantType })
      const tokens = yield* deviceFlow.poll(tokenRequest, authorization, pollOptions)
      return yield* withIdTokenClaims(tokens, { required: authorization.scopes.includes("openid") })
    })

    const jwtBearer = Effect.fn("OAuthClient.jwtBearer")(function*(
      assertion: Redacted.Redacted<string>,
      grantOptions?: OAuthClient.GrantOptions | undefined
    ) {
      yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name, "oauth.grant_type": "jwt-bearer" })
      const scopes = grantOptions?.scopes ?? client.scopes ?? provider.defaultScopes ?? []
      const params: Form = {
        ...grantOptions?.params,
        grant_type: JwtAssertion.jwtBearerGrantType,
        assertion: Redacted.value(assertion),
        ...(scopes.length === 0 ? {} : { scope: scopes.join(" ") })
      }
      return yield* tokenRequest(params, scopes, [assertion])
    })

    const exchangeToken = Effect.fn("OAuthClient.exchangeToken")(function*(request: OAuthClient.TokenExchangeRequest) {
      yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name, "oauth.grant_type": "token-exchange" })
      // "actor_token_type: … REQUIRED when the actor_token parameter is present in
      // the request but MUST NOT be included otherwise." (RFC 8693 §2.1)
      if ((request.actorToken === undefined) !== (request.actorTokenType === undefined)) {
        return yield* new ConfigurationError({
          reason: "Unsupported",
          detail: "actorToken and actorTokenType go together (RFC 8693 §2.1)"
        })
      }
      const scopes = request.scopes ?? []
      const params: Form = {
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: Redacted.value(request.subjectToken),
        subject_token_type: request.subjectTokenType,
        ...(request.actorToken === undefined || request.actorTokenType === undefined
          ? {}
          : { actor_token: Redacted.value(request.actorToken), actor_token_type: request.actorTokenType }),
        ...(request.requestedTokenType === undefined ? {} : { requested_token_type: request.requestedTokenType }),
        ...(request.resource === undefined ? {} : { resource: request.resource }),
        ...(request.audience === undefined ? {} : { audience: request.audience }),
        ...(scopes.length === 0 ? {} : { scope: scopes.join(" ") })
      }
      const secrets = [request.subjectToken, ...(request.actorToken === undefined ? [] : [request.actorToken])]
      // "token_type: … If the issued token is not an access token or usable as an
      // access token, then the token_type value N_A is used" (RFC 8693 §2.2.1).
      const tokens = yield* tokenRequest(params, scopes, secrets, {
        ...provider.tokenResponse,
        tokenTypes: { ...provider.tokenResponse?.tokenTypes, N_A: "N_A" }
      })
      // "issued_token_type: REQUIRED. An identifier … for the representation of the
      // issued security token." (RFC 8693 §2.2.1)
      const issuedTokenType = TokenSet.extraField(tokens, "issued_token_type")
      if (typeof issuedTokenType !== "string" || issuedTokenType === "") {
        return yield* new InvalidTokenResponse({
          reason: "InvalidField",
          status: 200,
          field: "issued_token_type",
          detail: "is missing (RFC 8693 §2.2.1 requires it)",
          endpoint: http.where(tokenUrl)
        })
      }
      return { tokens, issuedTokenType }
    })

    const password = Effect.fn("OAuthClient.password")(function*(
      credentials: OAuthClient.PasswordCredentials,
      grantOptions?: OAuthClient.GrantOptions | undefined
    ) {
      yield* requireLegacy("password", "§2.4")
      yield* Effect.annotateCurrentSpan({ "oauth.provider": provider.name, "oauth.grant_type": "password" })
      const scopes = grantOptions?.scopes ?? client.scopes ?? provider.defaultScopes ?? []
      const params: Form = {
        ...grantOptions?.params,
        grant_type: "password",
        username: credentials.username,
        password: Redacted.value(credentials.password),
        ...(scopes.length === 0 ? {} : { scope: scopes.join(" ") })
      }
      return yield* tokenRequest(params, scopes, [credentials.password])
    })

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
      const { context, response } = yield* tokenManagement(url, value, hint)
      // RFC 7009 §2.2: "The authorization server responds with HTTP status code 200 if
      // the token has been revoked successfully or if the client submitted an invalid
      // token." The content of the body is ignored by the client.
      if (response.status >= 200 && response.status < 300) return
      return yield* http.failure(response, context)
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

    const service: OAuthClient.Service = {
      provider,
      clientId: client.clientId,
      dpop,
      authorizationUrl,
      exchangeCode,
      refresh,
      clientCredentials,
      deviceAuthorization,
      pollDeviceToken,
      grant,
      jwtBearer,
      exchangeToken,
      password,
      implicitAuthorizationUrl,
      revoke,
      introspect,
      userinfo
    }
    return service
  })

/** The tokens without their ID token (and its claims). */
// OpenID Connect Core §3.1.2.1 `max_age` of a request, when its URL carries it (a
// pushed request's parameters are not in the URL).
const maxAgeOf = (url: string): number | undefined => {
  try {
    const value = new URL(url).searchParams.get("max_age")
    return value === null || !/^\d{1,10}$/.test(value) ? undefined : Number(value)
  } catch {
    return undefined
  }
}


/** The advertised ID token algorithms this client can verify (never `none`, never `HS*`). */
const advertisedAlgorithms = (provider: Provider): ReadonlyArray<string> | undefined => {
  const advertised = provider.metadata?.["id_token_signing_alg_values_supported"]
  if (!Array.isArray(advertised)) return undefined
  const usable = advertised.filter((alg): alg is string =>
    typeof alg === "string" && /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/.test(alg)
  )
  return usable.length === 0 ? undefined : usable
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

/** @internal */
export const request = (
  options: OAuthClient.EndpointRequest
): Effect.Effect<OAuthClient.EndpointResponse, TransportError | ConfigurationError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const httpClient = yield* HttpClient.HttpClient
    const url = yield* http.endpointUrl("endpoint", options.url)
    const params = options.params ?? {}
    const base = options.method === "GET"
      ? HttpClientRequest.get(url).pipe(HttpClientRequest.appendUrlParams(params))
      : HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUrlParams(params))
    const hideUrl = options.method === "GET" && Object.keys(params).length > 0
    return yield* http.send(
      httpClient,
      HttpClientRequest.setHeaders(base, { accept: "application/json", ...options.headers }),
      url,
      http.limits(options),
      hideUrl
    ).pipe(Effect.withSpan("OAuthClient.request", { attributes: { "oauth.endpoint": http.where(url) } }))
  })

/** @internal */
export const layer = (
  options: OAuthClient.Options
): Layer.Layer<Tag, ConfigurationError, HttpClient.HttpClient> => Layer.effect(Tag, make(options))
