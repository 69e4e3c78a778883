/**
 * The whole OAuth 2.0 lifecycle against an embedded authorization server, through
 * the SDK: discovery → authorization URL with PKCE → consent → code exchange →
 * a protected resource → refresh (with rotation) → revocation. No network, no
 * configuration: `npm run demo`.
 */
import { Callback, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { TestServer } from "@effect-oauth/testing"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Console, Effect, Redacted } from "effect"
import { mask, step, when } from "./print.js"

const callResource = (server: TestServer.TestServer, tokens: TokenSet.TokenSet) =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const response = yield* http.execute(
      HttpClientRequest.get(server.resourceUrl).pipe(HttpClientRequest.bearerToken(Redacted.value(tokens.accessToken)))
    )
    const body = yield* response.text
    return { status: response.status, body, challenge: response.headers["www-authenticate"] }
  })

/** The demo, given a test server and an HTTP client. */
export const program = Effect.gen(function*() {
  const server = yield* TestServer.TestServerTag
  yield* step("authorization server", `oidc-provider at ${server.issuer} (refresh-token rotation on)`)

  const provider = yield* Provider.discover(server.issuer)
  yield* step("discovery", [
    `issuer          ${provider.issuer}`,
    `authorization   ${provider.authorizationEndpoint}`,
    `token           ${provider.tokenEndpoint}`,
    `revocation      ${provider.revocationEndpoint}`,
    `RFC 9207 iss    ${provider.authorizationResponseIssParameterSupported === true ? "advertised (checked on callback)" : "not advertised"}`
  ])

  const oauth = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
  const request = yield* oauth.authorizationUrl()
  const url = new URL(request.url)
  yield* step("authorization URL", [
    `${url.origin}${url.pathname}`,
    ...["response_type", "client_id", "redirect_uri", "scope", "code_challenge_method"].map(
      (name) => `  ${name.padEnd(22)}${url.searchParams.get(name)}`
    ),
    `  ${"state".padEnd(22)}${mask(request.state)}`,
    `  ${"code_challenge".padEnd(22)}${url.searchParams.get("code_challenge")?.slice(0, 8)}… (S256 of a ${mask(request.codeVerifier)} verifier)`
  ])

  const callbackUrl = yield* server.approve(request.url, { accountId: "alice" })
  const callback = new URL(callbackUrl)
  yield* step("user consents (unattended)", [
    `redirected to ${callback.origin}${callback.pathname}`,
    `  code ${mask(callback.searchParams.get("code") ?? "")}, state matches, iss ${callback.searchParams.get("iss")}`
  ])

  const response = yield* Callback.parse(callbackUrl, request)
  const tokens = yield* oauth.exchangeCode(response)
  yield* step("code exchange (with the PKCE verifier)", describe(tokens))

  const first = yield* callResource(server, tokens)
  yield* step("protected resource", `GET ${server.resourceUrl} → ${first.status} ${first.body}`)

  const refreshed = yield* oauth.refresh(tokens)
  const rotated = refreshed.refreshToken !== undefined && tokens.refreshToken !== undefined &&
    Redacted.value(refreshed.refreshToken) !== Redacted.value(tokens.refreshToken)
  yield* step("refresh", [
    ...describe(refreshed),
    `refresh token rotated: ${rotated ? "yes — the new one replaces the old" : "no — the previous one is kept"}`
  ])

  yield* oauth.revoke(refreshed)
  const after = yield* callResource(server, refreshed)
  const refusal = yield* Effect.either(oauth.refresh(refreshed))
  yield* step("revoke (RFC 7009)", [
    `GET ${server.resourceUrl} → ${after.status} (${after.challenge})`,
    refusal._tag === "Left"
      ? `refresh → ${refusal.left._tag}: ${refusal.left.message}`
      : "refresh → still accepted (the server ignored the revocation)"
  ])

  const counts = yield* server.tokenRequests
  yield* Console.log(`\ndone: ${counts.total} token requests at the server ${JSON.stringify(counts.byGrantType)}`)
})

const describe = (tokens: TokenSet.TokenSet): Array<string> => [
  `access token   ${mask(tokens.accessToken)} (${tokens.tokenType}, ${when(tokens.expiresAt, tokens.issuedAt)})`,
  `refresh token  ${mask(tokens.refreshToken)}`,
  `id token       ${mask(tokens.idToken)}`,
  `scopes         ${tokens.scopes.join(" ")}`
]

