/**
 * OpenID Connect with the embedded authorization server: sign in with code +
 * PKCE + nonce, the ID token validated against the issuer's keys, userinfo
 * matched to it, a refresh whose new ID token is checked against the first.
 */
import { Callback, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { TestServer } from "@effect-oauth/testing"
import { Console, Effect } from "effect"

export const program = Effect.gen(function*() {
  const server = yield* TestServer.TestServerTag
  const provider = yield* Provider.discover(server.issuer)
  yield* Console.log(`discovery: ${provider.issuer}, keys at ${provider.jwksUri}`)

  const oauth = yield* OAuthClient.make({
    provider,
    client: TestServer.clientConfig(server.clients.public, ["openid", "offline_access"])
  })
  const request = yield* oauth.authorizationUrl()
  yield* Console.log(`authorization request: nonce ${request.nonce === undefined ? "absent" : "sent"}`)

  // The user signs in; the browser comes back to the redirect URI.
  const callback = yield* server.approve(request.url)
  const tokens = yield* oauth.exchangeCode(yield* Callback.parse(callback, request))
  const claims = TokenSet.claims(tokens)
  if (claims === undefined) return yield* Effect.dieMessage("an openid request always yields validated claims")
  yield* Console.log(`ID token: sub ${claims.sub}, iss ${claims.iss}, aud ${String(claims.aud)}, nonce matched`)

  const info = yield* oauth.userinfo(tokens)
  yield* Console.log(`userinfo: sub ${info.sub} (same subject as the ID token)`)

  const refreshed = yield* oauth.refresh(tokens)
  yield* Console.log(`refresh: new ID token for sub ${TokenSet.claims(refreshed)?.sub} (iss, sub, aud unchanged)`)
  return { claims, info }
})
