/**
 * The refresh styles of docs/refresh-styles.md. The document quotes the
 * regions between the `// #region` and `// #endregion` lines; the tests run
 * every function against the embedded authorization server.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpClientResponse } from "@effect/platform"
import { OAuthClient } from "@effect-oauth/core"
import type { TokenSet } from "@effect-oauth/core"
import { AuthorizedHttpClient, SessionRegistry } from "@effect-oauth/session"
import type { OAuthSession } from "@effect-oauth/session"
import { Effect, Layer, Stream } from "effect"

// #region explicit
/** Style 1: refresh when the application decides to, here after a 401 from the API. */
export const getWithExplicitRefresh = (session: OAuthSession.OAuthSession, url: string) =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const get = (tokens: TokenSet.TokenSet) =>
      http.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.bearerToken(tokens.accessToken)))
    const response = yield* get(yield* session.tokens)
    if (response.status !== 401) return response
    // Fails with RefreshFailed (see its remedy), Unauthorized or SessionRevoked.
    const refreshed = yield* session.refresh
    return yield* get(refreshed)
  })
// #endregion explicit

// #region automatic
/** Style 2: `accessToken` refreshes by itself when the token is due; concurrent callers share one refresh. */
export const getWithAutomaticRefresh = (session: OAuthSession.OAuthSession, url: string) =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const token = yield* session.accessToken
    return yield* http.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.bearerToken(token)))
  })
// #endregion automatic

// #region persist
/**
 * Style 3: every new token is already in the `TokenStore` before anyone gets
 * it; `changes` tells the application about each one (an audit log, a copy
 * elsewhere). Runs until interrupted.
 */
export const onEveryNewToken = <E>(
  session: OAuthSession.OAuthSession,
  saved: (tokens: TokenSet.TokenSet, version: number) => Effect.Effect<void, E>
) =>
  session.changes.pipe(
    Stream.runForEach((change) => change._tag === "TokensUpdated" ? saved(change.tokens, change.version) : Effect.void)
  )
// #endregion persist

// #region retry
/** Refresh and retry once on `401 invalid_token`, done by the client. */
export const getWithRetryOn401 = (session: OAuthSession.OAuthSession, url: string) =>
  Effect.gen(function*() {
    const api = AuthorizedHttpClient.make(session, yield* HttpClient.HttpClient)
    return yield* api.get(url)
  })
// #endregion retry

// #region registry
/** Many users: the registry starts each user's session from the store on demand and releases it when idle. */
export const getForUser = (account: string, url: string) =>
  Effect.gen(function*() {
    const registry = yield* SessionRegistry.SessionRegistry
    const http = yield* HttpClient.HttpClient
    const token = yield* registry.accessToken({ provider: "example", account })
    return yield* http.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.bearerToken(token)))
  })
// #endregion registry

// #region registryLayer
/** The registry as a layer: a client per provider, sessions out of memory after 5 idle minutes, at most 10,000 in it. */
export const registryLayer = (example: OAuthClient.Options) =>
  Layer.unwrapEffect(
    Effect.map(OAuthClient.make(example), (client) =>
      SessionRegistry.layer({ clients: { example: client }, idleTimeout: "5 minutes", maxLive: 10_000 }))
  )
// #endregion registryLayer

/** The response body as text (for the tests). */
export const text = (response: HttpClientResponse.HttpClientResponse) => response.text
