/**
 * Facebook Login for a Page tool: log in through `@effect-oauth/http`'s routes,
 * trade the short-lived user token for a long-lived one (`fb_exchange_token`)
 * before it is stored, check it with `debug_token`, read the
 * user's Pages and their Page tokens — and what happens 60 days later, when the
 * long-lived token expires: Facebook issues no refresh token, so the session
 * ends in `unauthorized` and the user logs in again.
 */
import { OAuthClient } from "@effect-oauth/core"
import type { OAuthError, Provider, TokenSet } from "@effect-oauth/core"
import { LocalServer, Print, UserAgent } from "@effect-oauth/example-shared"
import { WebSignIn } from "@effect-oauth/http"
import { Facebook } from "@effect-oauth/providers"
import type { ProviderError } from "@effect-oauth/providers"
import { AuthorizedHttpClient, OAuthSession, SessionRegistry, TokenStore } from "@effect-oauth/session"
import { HttpApp, HttpClient } from "@effect/platform"
import { Clock, Console, Duration, Effect, Either, Layer, Option, Redacted, Scope } from "effect"
import { randomBytes } from "node:crypto"
import * as FacebookServer from "./facebookServer.js"
import * as Graph from "./graph.js"

/** The permissions the Page tool asks for. */
export const scopes = ["pages_show_list", "pages_read_engagement"]

/**
 * The Facebook preset on the local server: GET token requests with the app
 * secret as a parameter (kept out of spans and messages), the dialog's
 * `redirect_uri` repeated on the exchange, comma-separated permissions, Graph
 * error objects read into `OAuthError`s.
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
 */
export const provider = (server: FacebookServer.FacebookServer): Provider.Provider =>
  LocalServer.rehome(Facebook.make({ version: FacebookServer.version, scopes }), server.url)

/** The user at the Facebook-shaped server (its `debug_token` answers with this `user_id`). */
export const userId = "10224309481201845"

/** The store key of the user's grant: the registry's key of provider `facebook` and the Facebook user id. */
export const sessionKey = SessionRegistry.storeKey({ provider: "facebook", account: userId })

/** The server, the app's client, store and sign-in routes, and the HTTP client. */
export interface Environment {
  readonly server: FacebookServer.FacebookServer
  readonly client: OAuthClient.Service
  readonly store: TokenStore.Service
  readonly http: HttpClient.HttpClient
  readonly signIn: WebSignIn.WebSignIn
  /** The short-lived tokens of the last sign-in, before the long-lived exchange. */
  readonly lastShortLived: () => TokenSet.TokenSet | undefined
}

/**
 * Exchanges a short-lived user token for a long-lived one (about 60 days, the
 * preset's `fb_exchange_token` operation).
 *
 * @see https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived
 */
export const exchange = (client: OAuthClient.Service, shortLived: TokenSet.TokenSet) =>
  Facebook.exchangeForLongLived(shortLived).pipe(Effect.provideService(OAuthClient.OAuthClient, client))

/**
 * Starts a Facebook-shaped server and the app: its client, store, a
 * `SessionRegistry`, and the sign-in routes under `/auth/facebook`, which
 * exchange the login's token for a long-lived one before storing it and key the
 * user by the `user_id` `debug_token` reports.
 */
export const environment = Effect.gen(function*() {
  const server = yield* FacebookServer.make("http://127.0.0.1/auth/facebook/callback")
  const client = yield* OAuthClient.make({
    provider: provider(server),
    client: {
      clientId: server.registration.appId,
      clientSecret: Redacted.make(server.registration.appSecret),
      redirectUri: server.registration.redirectUri
    }
  })
  const store = yield* TokenStore.makeMemory
  const http = yield* HttpClient.HttpClient
  const registry = yield* SessionRegistry.make({
    clients: { facebook: client },
    session: { clock: "effect" },
    // The walk-through moves the clock by 61 days: a sweep a day, not one every 30 seconds.
    sweepInterval: "1 day"
  }).pipe(
    Effect.provideService(TokenStore.TokenStore, store)
  )
  let lastShortLived: TokenSet.TokenSet | undefined
  const signIn = yield* WebSignIn.make({
    provider: "facebook",
    client,
    secret: Redacted.make(randomBytes(32)),
    basePath: "/auth/facebook",
    scopes,
    onSignIn: (shortLived) => {
      lastShortLived = shortLived
      return exchange(client, shortLived)
    },
    userKey: (tokens) =>
      Effect.flatMap(check({ server, http }, tokens.accessToken), (result) =>
        Either.isRight(result) && result.right.userId !== undefined ? Effect.succeed(result.right.userId) : Effect.fail("unknown user"))
  }).pipe(Effect.provideService(SessionRegistry.SessionRegistry, registry), Effect.provideService(TokenStore.TokenStore, store))
  return { server, client, store, http, signIn, lastShortLived: () => lastShortLived } satisfies Environment
})

/** A session of {@link sessionKey}, from what the store holds; timers on Effect's `Clock`. */
export const openSession = (
  env: Pick<Environment, "client" | "store">
): Effect.Effect<OAuthSession.OAuthSession, TokenStore.TokenStoreError | OAuthError.ConfigurationError, Scope.Scope> =>
  OAuthSession.make({ key: sessionKey, refresh: "lazy", clock: "effect" }).pipe(
    Effect.provide(Layer.merge(Layer.succeed(OAuthClient.OAuthClient, env.client), Layer.succeed(TokenStore.TokenStore, env.store)))
  )

/** A signed-in user: the session holding the long-lived token, and the short-lived one it replaced. */
export interface SignedIn {
  readonly session: OAuthSession.OAuthSession
  readonly shortLived: TokenSet.TokenSet
  readonly longLived: TokenSet.TokenSet
}

/**
 * Exchanges a short-lived user token for a long-lived one and stores it over
 * the short-lived one (for a session that logged in on its own).
 */
export const extend = (env: Pick<Environment, "client" | "store">, shortLived: TokenSet.TokenSet) =>
  Effect.gen(function*() {
    const longLived = yield* exchange(env.client, shortLived)
    const entry = yield* env.store.get(sessionKey)
    yield* env.store.compareAndSet(sessionKey, Option.getOrUndefined(Option.map(entry, (e) => e.version)), longLived)
    return longLived
  })

/**
 * A browser goes through the app's sign-in routes (in process): `login` seals
 * the pending request in a cookie and sends it to the dialog (with `state`); the
 * dialog redirects back to `callback`, which exchanges the code (repeating its
 * `redirect_uri`), extends the token and stores it. A session is then opened on
 * the stored long-lived token in `scope`.
 */
export const signIn = (env: Environment, scope: Scope.Scope) =>
  Effect.gen(function*() {
    // On this fiber's runtime: the routes read the same Clock as the session and the server.
    const app = HttpApp.toWebHandlerRuntime(yield* Effect.runtime<never>())(env.signIn.routes)
    const login = yield* Effect.promise(() => app(new Request("http://127.0.0.1/auth/facebook/login")))
    const pending = login.headers.getSetCookie()[0]!.split(";")[0]!
    const back = yield* UserAgent.redirectOf(login.headers.get("location")!)
    const callback = yield* Effect.promise(() => app(new Request(back, { headers: { cookie: pending } })))
    if (callback.status !== 303) return yield* Effect.dieMessage(`sign-in failed: ${yield* Effect.promise(() => callback.text())}`)
    const session = yield* Scope.extend(openSession(env), scope)
    const stored = yield* env.store.get(sessionKey)
    const longLived = Option.getOrThrow(stored).tokens
    return { session, shortLived: env.lastShortLived()!, longLived } satisfies SignedIn
  })

/** `debug_token` for `token`, as this app: what it says, or why the token is unusable. */
export const check = (env: Pick<Environment, "server" | "http">, token: Redacted.Redacted<string>) =>
  Facebook.debugToken(token, {
    appId: env.server.registration.appId,
    appSecret: Redacted.make(env.server.registration.appSecret),
    url: env.server.endpoints.debugToken
  }).pipe(
    Effect.provideService(HttpClient.HttpClient, env.http),
    Effect.map(Either.right),
    Effect.catchTag("InvalidToken", (invalid) => Effect.succeed(Either.left(invalid)))
  )

const describeCheck = (result: Either.Either<Facebook.DebugToken, ProviderError.InvalidToken>, now: number) =>
  Either.match(result, {
    onLeft: (invalid) => [`${invalid._tag} (${invalid.reason}): ${invalid.message}`],
    onRight: (token) => [
      `type ${token.type ?? "?"}, issued to this app`,
      `expires ${
        token.expiresAt === undefined ? "never" : `${Print.date(token.expiresAt)} (in ${Print.duration(token.expiresAt - now)})`
      }`,
      `scopes ${token.scopes.join(",")}`
    ]
  })

const expiry = (tokens: TokenSet.TokenSet) =>
  tokens.expiresAt === undefined ? "no expiry" : `expires in ${Print.duration(tokens.expiresAt - tokens.issuedAt)}`

/**
 * The walk-through `npm start` prints. `fastForward` moves the clock the
 * session's timers and the server's token lifetimes run on.
 */
export const program = (fastForward: (duration: Duration.Duration) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    const env = yield* environment
    const scope = yield* Effect.scope
    yield* Print.step("Facebook-shaped server", `${env.server.url} (login dialog, Graph API ${FacebookServer.version})`)

    const { longLived, session, shortLived } = yield* signIn(env, scope)
    yield* Print.step("log in (sign-in routes: dialog with state, code exchange with the same redirect_uri)", [
      `short-lived user token  ${Print.mask(shortLived.accessToken)}, ${expiry(shortLived)}`,
      `refresh token           ${Print.mask(shortLived.refreshToken)} (Facebook issues none)`
    ])
    yield* Print.step("exchanged for a long-lived token before it was stored (grant_type=fb_exchange_token)", [
      `long-lived user token   ${Print.mask(longLived.accessToken)}, ${expiry(longLived)}`,
      `session from the store  ${yield* session.state}; its expiry timer is longer than setTimeout's 24.8-day limit and is chained`
    ])

    const now = yield* Clock.currentTimeMillis
    yield* Print.step("debug_token (as the app)", describeCheck(yield* check(env, longLived.accessToken), now))

    const api = AuthorizedHttpClient.make(session, env.http)
    const [page] = yield* Graph.pages(api, env.server.endpoints.graph)
    if (page !== undefined) {
      yield* Print.step(`the user's Pages (me/accounts): ${page.name}`, [
        `Page token ${Print.mask(page.accessToken)}, tasks ${page.tasks.join(",")}`,
        ...describeCheck(yield* check(env, page.accessToken), now)
      ])
    }

    yield* fastForward(Duration.days(59))
    const stillValid = yield* Effect.either(session.accessToken)
    yield* Print.step("59 days later", [
      `session ${yield* session.state}; accessToken ${stillValid._tag === "Right" ? "served (no request)" : stillValid.left.message}`
    ])

    yield* fastForward(Duration.days(2))
    const lapsed = yield* Effect.either(session.accessToken)
    const later = yield* Clock.currentTimeMillis
    yield* Print.step("61 days later: the long-lived token has expired", [
      `session ${yield* session.state}; accessToken → ${lapsed._tag === "Left" ? `${lapsed.left._tag}: ${lapsed.left.message}` : "a token"}`,
      ...describeCheck(yield* check(env, longLived.accessToken), later),
      ...(page === undefined ? [] : [`the Page token: ${describeCheck(yield* check(env, page.accessToken), later).join("; ")}`])
    ])

    const again = yield* signIn(env, scope)
    yield* Print.step("log in again (no refresh token: only the user can renew the grant)", [
      `long-lived user token ${Print.mask(again.longLived.accessToken)}, ${expiry(again.longLived)}; session ${yield* again.session.state}`
    ])
    yield* Console.log(`\ndone: token requests ${JSON.stringify(env.server.tokenRequests())}`)
    return env
  })
