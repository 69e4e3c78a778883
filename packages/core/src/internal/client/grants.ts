import { Clock, Effect, Redacted } from "effect"
import type { AuthorizationResponse } from "../../Callback.js"
import type * as OAuthClient from "../../OAuthClient.js"
import {
  ConfigurationError,
  IdTokenInvalid,
  InvalidTokenResponse,
} from "../../OAuthError.js"
import * as TokenSet from "../../TokenSet.js"
import * as JwtAssertion from "../../JwtAssertion.js"
import * as deviceFlow from "../deviceFlow.js"
import * as http from "../http.js"

import { type ClientContext } from "./context.js"
import { type Form, resourcesOf, resourceParam, missingEndpoint, maxAgeOf } from "./context.js"
import type { TokenEndpoint } from "./tokenEndpoint.js"

/**
 * The grants: each builds its token request and sends it through the token endpoint.
 *
 * @internal
 */
export const make = (ctx: ClientContext, tokenEndpoint: TokenEndpoint) => {
  const { client, provider, httpClient, limits, urls, tokenUrl, requireLegacy, quirks } = ctx
  const { withIdTokenClaims, prepare, tokenRequest } = tokenEndpoint
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
    // against the first one. One that fails on whose it is (signature, iss, sub, aud,
    // azp, auth_time, nonce) means the tokens may belong to someone else: no access
    // token of this response is handed out, and since the server may already have
    // rotated the refresh token, the error carries the one this response holds
    // (DESIGN invariant 3). A failure that says nothing about whose the tokens are —
    // a clock disagreement on exp/iat/nbf, a key set that cannot be read now — drops
    // the new ID token with a warning and keeps the previous one, as before.
    const checked = next.idToken === undefined ? next : yield* withIdTokenClaims(next, {
      required: tokens.idTokenClaims !== undefined,
      previous: TokenSet.claims(tokens)
    }).pipe(
      Effect.catchAll((error) =>
        error._tag === "IdTokenInvalid" && !timeReasons.has(error.reason)
          ? Effect.fail(new IdTokenInvalid({ ...error, refreshToken: next.refreshToken ?? refreshToken }))
          : Effect.as(Effect.logWarning(`the refreshed ID token is dropped: ${error.message}`), withoutIdToken(next))
      )
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

  return { grant, exchangeCode, refresh, clientCredentials, deviceAuthorization, pollDeviceToken, jwtBearer, exchangeToken, password }
}

// Reasons that concern the token's validity period, not whose it is.
const timeReasons: ReadonlySet<string> = new Set(["Expired", "IssuedInFuture", "NotYetValid"])

/** The tokens without their ID token (and its claims). */
const withoutIdToken = (tokens: TokenSet.TokenSet): TokenSet.TokenSet => {
  const { idToken: _, idTokenClaims: __, ...rest } = tokens
  // Fields of a token set: nothing to validate again.
  return new TokenSet.TokenSet(rest, true)
}
