/**
 * The calendar sync as an app would run it for many users: a `SessionRegistry`
 * holds one session per connected user, started from the token store on demand
 * and released when idle; a push that survives an access token Google ended
 * early and stops cleanly when the user has disconnected the app.
 */
import { OAuthClient } from "@effect-oauth/core"
import type { OAuthError, Provider } from "@effect-oauth/core"
import { LocalServer, Print, UserAgent } from "@effect-oauth/example-shared"
import { Google } from "@effect-oauth/providers"
import { AuthorizedHttpClient, SessionRegistry, TokenStore } from "@effect-oauth/session"
import type { OAuthSession } from "@effect-oauth/session"
import type { SessionError } from "@effect-oauth/session"
import { HttpClient } from "@effect/platform"
import { Console, Effect, Either, Option, Redacted } from "effect"
import type { Scope } from "effect"
import type { CalendarEvent } from "./calendar.js"
import * as Calendar from "./calendar.js"
import * as GoogleServer from "./googleServer.js"

/** The scope the sync asks for: read and write calendar events. */
export const calendarScope = "https://www.googleapis.com/auth/calendar.events"

/**
 * The Google preset on the local server: `access_type=offline` asks for a
 * refresh token; `prompt=consent` makes Google issue one again when the user
 * reconnects (without it, a repeated consent may come back without one).
 *
 * @see https://developers.google.com/identity/protocols/oauth2/web-server#creatingclient
 */
export const provider = (server: GoogleServer.GoogleServer): Provider.Provider =>
  LocalServer.rehome(Google.make({ accessType: "offline", prompt: "consent", scopes: [calendarScope] }), server.url)

/** The registry key of a user of the sync: provider `google`, the app's account name. */
export const userKey = (account: string): SessionRegistry.Key => ({ provider: "google", account })

/** The store key of alice, the user the single-user steps follow. */
export const sessionKey = SessionRegistry.storeKey(userKey("alice"))

/** Everything the sync needs, against a local Google-shaped server. */
export interface Environment {
  readonly server: GoogleServer.GoogleServer
  /** The sessions of every connected user. */
  readonly registry: SessionRegistry.Service
  /** alice's session, held in memory for the environment's life. */
  readonly session: OAuthSession.OAuthSession
  readonly store: TokenStore.Service
  readonly http: HttpClient.HttpClient
  /** alice's authorized client. */
  readonly api: AuthorizedHttpClient.AuthorizedHttpClient
}

/**
 * Starts the server and a registry over an in-memory store. The sessions'
 * timers and the registry's idle release run on Effect's `Clock`
 * (`clock: "effect"`), so a test's `TestClock` moves them; an app left to the
 * wall clock may keep the default system timers.
 */
export const environment: Effect.Effect<
  Environment,
  OAuthError.ConfigurationError | SessionRegistry.StartError,
  HttpClient.HttpClient | Scope.Scope
> = Effect.gen(
  function*() {
    const server = yield* GoogleServer.make("http://127.0.0.1/oauth2callback")
    const store = yield* TokenStore.makeMemory
    const http = yield* HttpClient.HttpClient
    const client = yield* OAuthClient.make({
      provider: provider(server),
      client: {
        clientId: server.registration.clientId,
        clientSecret: Redacted.make(server.registration.clientSecret),
        redirectUri: server.registration.redirectUri,
        authMethod: "client_secret_post"
      }
    })
    const registry = yield* SessionRegistry.make({
      clients: { google: client },
      idleTimeout: "10 minutes",
      session: { clock: "effect" }
    }).pipe(Effect.provideService(TokenStore.TokenStore, store))
    const session = yield* registry.get(userKey("alice"))
    return { server, registry, session, store, http, api: AuthorizedHttpClient.make(session, http) }
  }
)

/**
 * Another user connects their calendar through the registry: the session of
 * their key authorizes (PKCE, state), the user consents, the redirect comes back.
 */
export const connectUser = (env: Environment, account: string) =>
  Effect.gen(function*() {
    const request = yield* env.registry.authorize(userKey(account))
    const callback = yield* UserAgent.redirectOf(request.url)
    return yield* env.registry.completeAuthorization(userKey(account), callback)
  })

/**
 * The nightly job: each user's events pushed to their own calendar with their
 * own token, a few users at a time. Only the sessions in use are in memory; a
 * user who must reconnect does not stop the others.
 */
export const syncAll = (
  env: Environment,
  accounts: ReadonlyArray<string>,
  eventsOf: (account: string) => ReadonlyArray<CalendarEvent>
) =>
  Effect.forEach(
    accounts,
    (account) =>
      env.registry.use(userKey(account), (session) =>
        Calendar.push(AuthorizedHttpClient.make(session, env.http), env.server.endpoints.calendar, calendarOf(account), eventsOf(account))
      ).pipe(Effect.either, Effect.map((outcome) => [account, outcome] as const)),
    { concurrency: 4 }
  )

/** The calendar the sync writes for `account`. */
export const calendarOf = (account: string): string => `${account}@example.com`

/**
 * The user connects the calendar: authorization URL (PKCE, state), consent at
 * the server, the redirect back, code exchange. The tokens are then stored.
 */
export const connect = (env: Environment) =>
  Effect.gen(function*() {
    const request = yield* env.session.authorize()
    const callback = yield* UserAgent.redirectOf(request.url)
    return yield* env.session.completeAuthorization(callback)
  })

/** `count` daily stand-ups from December `day`, with ids the app derives from its own records. */
export const events = (day: number, count: number): ReadonlyArray<CalendarEvent> =>
  Array.from({ length: count }, (_, i) => {
    const start = new Date(Date.UTC(2026, 11, day + i, 9, 0, 0))
    return {
      id: `standup${String(day + i).padStart(4, "0")}`,
      summary: `Stand-up, December ${day + i}`,
      start: start.toISOString(),
      end: new Date(start.getTime() + 15 * 60_000).toISOString()
    }
  })

const report = (env: Environment, outcome: Either.Either<Calendar.SyncReport, Calendar.ReconnectRequired | Calendar.SyncFailed>) =>
  Effect.gen(function*() {
    const counts = env.server.tokenRequests()
    const lines = Either.match(outcome, {
      onRight: (done) => [`inserted ${done.inserted.length}, already there ${done.existing.length}`],
      onLeft: (error) => {
        const refusal = error._tag === "ReconnectRequired" && error.cause._tag === "SessionRevoked"
          ? error.cause.cause
          : undefined
        return [
          `${error._tag}: ${error.message}`,
          ...(refusal === undefined ? [] : [`the token endpoint said: ${refusal.error} "${refusal.description ?? ""}"`])
        ]
      }
    })
    const stored = yield* env.store.get(sessionKey)
    return [
      ...lines,
      `session ${yield* env.session.state}; store ${Option.isSome(stored) ? "holds the grant" : "is empty"}`,
      `token requests at the server: ${JSON.stringify(counts)}`
    ]
  })

/** The walk-through `npm start` prints. */
export const program: Effect.Effect<
  Environment,
  UserAgent.NoRedirect | SessionError.AuthorizationFailed | OAuthError.ConfigurationError | SessionRegistry.StartError,
  HttpClient.HttpClient | Scope.Scope
> = Effect.gen(function*() {
  const env = yield* environment
  yield* Print.step("Google-shaped server", `${env.server.url} (authorization, token endpoint, Calendar API)`)

  const tokens = yield* connect(env)
  yield* Print.step("connect the calendar (authorization code + PKCE, access_type=offline)", [
    `access token   ${Print.mask(tokens.accessToken)}, expires in ${Print.duration((tokens.expiresAt ?? 0) - tokens.issuedAt)}`,
    `refresh token  ${Print.mask(tokens.refreshToken)}`,
    `scopes         ${tokens.scopes.join(" ")}`
  ])

  const calendar = env.server.endpoints.calendar
  const first = yield* Effect.either(Calendar.push(env.api, calendar, "primary", events(1, 3)))
  yield* Print.step("push 3 events", yield* report(env, first))

  env.server.invalidateAccessTokens()
  const second = yield* Effect.either(Calendar.push(env.api, calendar, "primary", events(4, 1)))
  yield* Print.step("Google ends the access token early: 401 → refresh → retry once", yield* report(env, second))

  const others = ["bob", "carol"]
  for (const account of others) yield* connectUser(env, account)
  const nightly = yield* syncAll(env, ["alice", ...others], (account) => events(account === "alice" ? 6 : 1, 2))
  yield* Print.step("bob and carol connect too; the nightly job syncs all three through the registry", [
    ...nightly.map(([account, outcome]) =>
      `${account}: ${Either.match(outcome, { onLeft: (e) => `${e._tag}: ${e.message}`, onRight: (r) => `inserted ${r.inserted.length}` })}`
    ),
    `sessions in memory: ${yield* env.registry.size}; token requests at the server: ${JSON.stringify(env.server.tokenRequests())}`
  ])

  env.server.revokeGrant()
  const third = yield* Effect.either(Calendar.push(env.api, calendar, "primary", events(5, 1)))
  yield* Print.step("the user removes the app from their Google Account", yield* report(env, third))

  const served = yield* env.server.served
  yield* Console.log(`\ndone: ${served.length} requests served, ${env.server.events("primary").length} events in the calendar`)
  return env
})
