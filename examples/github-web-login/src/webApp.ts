/**
 * A small web app with "Sign in with GitHub", on @effect/platform's HTTP server
 * and `@effect-oauth/http`'s routes:
 *
 * - `/` — the home page: a sign-in link, or who is signed in;
 * - `/auth/login` — seals the pending request (state, PKCE verifier) in a cookie
 *   and redirects to GitHub;
 * - `/auth/callback` — GitHub's redirect back: `state` checked against the
 *   cookie, code exchanged (JSON `Accept`; GitHub's errors inside HTTP 200 become
 *   typed errors), the user named by `GET /user`, then on to `/user`;
 * - `/user` — the profile from GitHub's `GET /user`, with the user's token.
 *
 * The users' sessions live in a `SessionRegistry`, keyed by GitHub login; the
 * tokens stay on the server, the browser holds only sealed cookies.
 */
import { OAuthClient } from "@effect-oauth/core"
import type { OAuthError, Provider } from "@effect-oauth/core"
import { WebSignIn } from "@effect-oauth/http"
import { SessionRegistry, TokenStore } from "@effect-oauth/session"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import type { HttpClientResponse } from "@effect/platform"
import type { HttpServerError } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Option, Redacted, Schema, Scope } from "effect"
import { randomBytes } from "node:crypto"
import { createServer } from "node:http"

/** The app listening, before it serves: its address decides the callback URL. */
export interface Listening {
  readonly server: HttpServer.HttpServer
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** The URL to register as the OAuth app's callback. */
  readonly callbackUrl: string
}

/** Opens the app's port (127.0.0.1, `port` or an ephemeral one). */
export const listen = (port = 0): Effect.Effect<Listening, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const server = yield* NodeHttpServer.make(() => createServer(), { host: "127.0.0.1", port })
    const address = server.address
    const url = address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : "http://127.0.0.1"
    return { server, url, callbackUrl: `${url}/auth/callback` }
  })

/** What the app needs to know about GitHub and its registration there. */
export interface Config {
  readonly provider: Provider.Provider
  /** The registration; `redirectUri` must be {@link Listening.callbackUrl}. */
  readonly client: OAuthClient.Client
  /** The REST API base (`https://api.github.com`). */
  readonly apiUrl: string
}

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c] ?? c)

const page = (status: number, title: string, ...paragraphs: ReadonlyArray<string>) =>
  HttpServerResponse.text(
    `<!doctype html><title>${escape(title)}</title><h1>${escape(title)}</h1>\n` +
      paragraphs.map((p) => `<p>${p}</p>`).join("\n") + "\n",
    { status, contentType: "text/html; charset=utf-8" }
  )

const startAgain = `<a href="/auth/login">Sign in with GitHub again</a>`

/** The page for a failed sign-in: what happened, and what the user can do. */
const failurePage = (failed: WebSignIn.SignInFailed) => {
  const error = failed.error
  // The preset reads GitHub's own code as the RFC 6749 code it means and keeps GitHub's beside it.
  const said = (e: {
    readonly error: string
    readonly description?: string | undefined
    readonly details?: Readonly<Record<string, unknown>> | undefined
  }) => {
    const own = e.details?.["provider_error"]
    const codes = `<code>${escape(e.error)}</code>${typeof own === "string" ? ` (GitHub's <code>${escape(own)}</code>)` : ""}`
    return `${codes}${e.description === undefined ? "" : `: ${escape(e.description)}`}`
  }
  switch (failed.reason) {
    case "Callback":
      if (error?._tag === "StateMismatch") {
        return page(
          403,
          "Sign-in refused",
          "This sign-in response does not belong to a sign-in started in this browser (the <code>state</code> does not match). Nothing was signed in.",
          startAgain
        )
      }
      if (error?._tag === "AuthorizationDenied") {
        return page(403, "Sign-in cancelled", `GitHub did not authorize the app (${said(error)}). Nothing was signed in.`, startAgain)
      }
      return page(400, "Sign-in refused", `The sign-in response is malformed: ${escape(failed.message)}.`, startAgain)
    case "Exchange":
      if (error?._tag === "OAuthError") {
        return error.remedy === "reauthorize"
          ? page(400, "Sign-in failed", `GitHub did not accept the sign-in code (${said(error)}).`, startAgain)
          : page(500, "Sign-in is misconfigured", `GitHub rejected this app's settings (${said(error)}). The site owner must fix them.`)
      }
      return page(502, "GitHub is unreachable", `The sign-in could not be completed: ${escape(failed.message)}.`, startAgain)
    case "MissingPendingRequest":
    case "UnknownPendingRequest":
    case "InvalidCookie":
      return page(400, "No sign-in in progress", "This browser has not started a sign-in that this response answers.", startAgain)
    case "PendingRequestExpired":
      return page(400, "Sign-in expired", "The sign-in took too long.", startAgain)
    default:
      return page(500, "Sign-in is unavailable", escape(failed.message))
  }
}

const GitHubUser = Schema.Struct({
  login: Schema.String,
  name: Schema.NullOr(Schema.String),
  html_url: Schema.String
})

/** Serves the app on `listening` until the scope closes. */
export const serve = (
  listening: Listening,
  config: Config
): Effect.Effect<void, OAuthError.ConfigurationError | WebSignIn.SignInFailed, Scope.Scope | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const client = yield* OAuthClient.make({ provider: config.provider, client: config.client })
    const store = yield* TokenStore.makeMemory
    // Timers on Effect's Clock: the tests move them with TestClock.
    const registry = yield* SessionRegistry.make({ clients: { github: client }, session: { clock: "effect" } }).pipe(
      Effect.provideService(TokenStore.TokenStore, store)
    )

    /** `GET /user` through `execute`: the profile, `Rejected` when GitHub no longer accepts the token. */
    const profile = <E>(execute: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientResponse.HttpClientResponse, E>) =>
      execute(
        HttpClientRequest.get(`${config.apiUrl}/user`).pipe(
          HttpClientRequest.setHeaders({ accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" })
        )
      ).pipe(
        Effect.flatMap((response): Effect.Effect<typeof GitHubUser.Type | "Rejected", unknown> =>
          response.status === 200
            ? Effect.flatMap(response.json, Schema.decodeUnknown(GitHubUser))
            : response.status === 401
            ? Effect.succeed("Rejected")
            : Effect.fail(`HTTP ${response.status}`)
        ),
        Effect.option
      )

    const signIn = yield* WebSignIn.make({
      provider: "github",
      client,
      secret: Redacted.make(randomBytes(32)),
      afterSignIn: "/user",
      // A sign-in at GitHub (password, two-factor, SSO) may take a while.
      pendingTtl: "15 minutes",
      // GitHub issues no ID token: the user is whoever `GET /user` says the token belongs to.
      userKey: (tokens) =>
        profile((request) => http.execute(HttpClientRequest.bearerToken(request, Redacted.value(tokens.accessToken)))).pipe(
          Effect.flatMap((found) => Option.isSome(found) && found.value !== "Rejected" ? Effect.succeed(found.value.login) : Effect.fail("no user"))
        ),
      onError: (failed) => Effect.succeed(failurePage(failed))
    }).pipe(
      Effect.provideService(SessionRegistry.SessionRegistry, registry),
      Effect.provideService(TokenStore.TokenStore, store)
    )

    const home = Effect.gen(function*() {
      const user = yield* signIn.user
      return Option.isSome(user)
        ? page(200, "Home", `You are signed in. <a href="/user">Your GitHub profile</a>`)
        : page(200, "Home", `<a href="/auth/login">Sign in with GitHub</a>`)
    })

    const user = signIn.requireUser({ redirect: "/" })(Effect.gen(function*() {
      const current = yield* WebSignIn.CurrentUser
      const found = yield* profile((request) => current.httpClient.execute(request))
      if (Option.isNone(found)) return page(502, "GitHub is unreachable", "Your profile could not be loaded.")
      if (found.value === "Rejected") {
        // An OAuth app's token has no expiry and no refresh token: a 401 means the
        // user revoked the app (or GitHub the token). The grant is dropped here;
        // GitHub has no RFC 7009 endpoint, so only the local revocation happens.
        yield* Effect.ignore(current.session.revoke)
        return page(
          401,
          "Signed out",
          "GitHub no longer accepts this app's authorization (it was revoked at GitHub).",
          startAgain
        )
      }
      const { html_url, login, name } = found.value
      return page(
        200,
        `Signed in as ${login}`,
        `${escape(name ?? login)} — <a href="${escape(html_url)}">${escape(html_url)}</a>`
      )
    }))

    const router = signIn.routes.pipe(
      HttpRouter.get("/", home),
      HttpRouter.get("/user", user)
    )
    yield* HttpServer.serveEffect(router).pipe(Effect.provideService(HttpServer.HttpServer, listening.server))
  })
