/**
 * A small web app with "Sign in with GitHub", on @effect/platform's HTTP server:
 *
 * - `/` — the home page: a connect link, or who is signed in;
 * - `/connect` — gives the browser a session cookie, starts an authorization
 *   (state and PKCE kept by the session) and redirects to GitHub;
 * - `/callback` — GitHub's redirect back: `state` checked, code exchanged (JSON
 *   `Accept`; GitHub's errors inside HTTP 200 become typed errors), then on to `/user`;
 * - `/user` — the profile from GitHub's `GET /user`, with the session's token.
 *
 * One `OAuthSession` per browser, keyed by a random cookie value; the tokens stay
 * on the server.
 */
import { OAuthClient } from "@effect-oauth/core"
import type { OAuthError, Provider } from "@effect-oauth/core"
import { AuthorizedHttpClient, OAuthSession, TokenStore } from "@effect-oauth/session"
import type { SessionError } from "@effect-oauth/session"
import { HttpClient, HttpClientRequest, HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { HttpServerError } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Either, Option, Schema, Scope } from "effect"
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
    return { server, url, callbackUrl: `${url}/callback` }
  })

/** What the app needs to know about GitHub and its registration there. */
export interface Config {
  readonly provider: Provider.Provider
  /** The registration; `redirectUri` must be {@link Listening.callbackUrl}. */
  readonly client: OAuthClient.Client
  /** The REST API base (`https://api.github.com`). */
  readonly apiUrl: string
}

const cookieName = "sid"
// Lax: the cookie comes along on GitHub's top-level redirect back to /callback.
// A deployment on https adds `secure: true`.
const cookie = { httpOnly: true, sameSite: "lax", path: "/" } as const

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c] ?? c)

const page = (status: number, title: string, ...paragraphs: ReadonlyArray<string>) =>
  HttpServerResponse.text(
    `<!doctype html><title>${escape(title)}</title><h1>${escape(title)}</h1>\n` +
      paragraphs.map((p) => `<p>${p}</p>`).join("\n") + "\n",
    { status, contentType: "text/html; charset=utf-8" }
  )

const startAgain = `<a href="/connect">Sign in with GitHub again</a>`

/** The page for a failed callback: what happened, and what the user can do. */
const failurePage = (error: SessionError.AuthorizationFailed) => {
  const cause = error.cause
  switch (error.reason) {
    case "Callback":
      if (cause?._tag === "StateMismatch") {
        return page(
          403,
          "Sign-in refused",
          "This sign-in response does not belong to a sign-in started in this browser (the <code>state</code> does not match). Nothing was signed in.",
          startAgain
        )
      }
      if (cause?._tag === "AuthorizationDenied") {
        const said = `<code>${escape(cause.error)}</code>${cause.description === undefined ? "" : `: ${escape(cause.description)}`}`
        return page(403, "Sign-in cancelled", `GitHub did not authorize the app (${said}). Nothing was signed in.`, startAgain)
      }
      return page(400, "Sign-in refused", `The sign-in response is malformed: ${escape(cause?.message ?? error.reason)}.`, startAgain)
    case "Exchange":
      if (cause?._tag === "OAuthError") {
        // The preset reads GitHub's own code as the RFC 6749 code it means and keeps GitHub's beside it.
        const own = cause.details?.["provider_error"]
        const codes = `<code>${escape(cause.error)}</code>${typeof own === "string" ? ` (GitHub's <code>${escape(own)}</code>)` : ""}`
        const said = `${codes}${cause.description === undefined ? "" : `: ${escape(cause.description)}`}`
        return cause.remedy === "reauthorize"
          ? page(400, "Sign-in failed", `GitHub did not accept the sign-in code (${said}).`, startAgain)
          : page(500, "Sign-in is misconfigured", `GitHub rejected this app's settings (${said}). The site owner must fix them.`)
      }
      return page(502, "GitHub is unreachable", `The sign-in could not be completed: ${escape(cause?.message ?? "")}.`, startAgain)
    case "InvalidState":
    case "Superseded":
      return page(400, "No sign-in in progress", "This browser has no sign-in waiting for this response.", startAgain)
    case "Timeout":
      return page(400, "Sign-in expired", "The sign-in took too long.", startAgain)
    case "Denied":
      return page(403, "Sign-in cancelled", "GitHub did not authorize the app. Nothing was signed in.", startAgain)
    case "Configuration":
    case "Request":
    case "Storage":
      return page(500, "Sign-in is unavailable", escape(error.message))
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
): Effect.Effect<void, OAuthError.ConfigurationError, Scope.Scope | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const http = yield* HttpClient.HttpClient
    const client = yield* OAuthClient.make({ provider: config.provider, client: config.client })
    const store = yield* TokenStore.makeMemory
    const sessions = new Map<string, OAuthSession.OAuthSession>()

    const openSession = (id: string) =>
      OAuthSession.make({
        key: `github:${id}`,
        refresh: "lazy",
        // Timers on Effect's Clock: the tests move them with TestClock.
        clock: "effect",
        // A sign-in at GitHub (password, two-factor, SSO) may take a while.
        authorizationTimeout: "15 minutes"
      }).pipe(
        Effect.provideService(OAuthClient.OAuthClient, client),
        Effect.provideService(TokenStore.TokenStore, store),
        Scope.extend(scope),
        Effect.tap((session) => Effect.sync(() => sessions.set(id, session)))
      )

    const current = Effect.map(
      HttpServerRequest.HttpServerRequest,
      (request) => Option.fromNullable(sessions.get(request.cookies[cookieName] ?? ""))
    )

    /** `GET /user`: the profile; `Rejected` when GitHub no longer accepts the token. */
    const profile = (session: OAuthSession.OAuthSession) =>
      AuthorizedHttpClient.make(session, http).execute(
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

    const home = Effect.gen(function*() {
      const session = yield* current
      if (Option.isSome(session) && (yield* session.value.state) === "authorized") {
        return page(200, "Home", `You are signed in. <a href="/user">Your GitHub profile</a>`)
      }
      return page(200, "Home", `<a href="/connect">Sign in with GitHub</a>`)
    })

    const connect = Effect.gen(function*() {
      // A browser without a known cookie gets a new value: one it brings along is never adopted.
      type Opened = { readonly session: OAuthSession.OAuthSession; readonly id: string | undefined }
      const opened = yield* Effect.either(Option.match(yield* current, {
        onSome: (session): Effect.Effect<Opened, TokenStore.TokenStoreError> => Effect.succeed({ session, id: undefined }),
        onNone: () => {
          const id = randomBytes(32).toString("base64url")
          return Effect.map(openSession(id), (session) => ({ session, id }))
        }
      }))
      if (Either.isLeft(opened)) return page(500, "Sign-in is unavailable", escape(opened.left.message))
      const { id, session } = opened.right
      const request = yield* Effect.either(session.authorize())
      if (request._tag === "Left") {
        return (yield* session.state) === "authorized"
          ? HttpServerResponse.redirect("/user", { status: 302 })
          : page(500, "Sign-in is unavailable", escape(request.left.message))
      }
      const response = HttpServerResponse.redirect(request.right.url, { status: 302 })
      return id === undefined
        ? response
        : HttpServerResponse.unsafeSetCookie(response, cookieName, id, cookie)
    })

    const callback = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const session = yield* current
      if (Option.isNone(session)) {
        return page(400, "No sign-in in progress", "This browser has not started a sign-in.", startAgain)
      }
      const completed = yield* Effect.either(session.value.completeAuthorization(new URL(request.url, listening.url)))
      if (completed._tag === "Left") return failurePage(completed.left)
      // A new cookie value once signed in: a value planted in the browser before
      // the sign-in (session fixation) is worth nothing afterwards.
      const id = randomBytes(32).toString("base64url")
      sessions.delete(request.cookies[cookieName] ?? "")
      sessions.set(id, session.value)
      return HttpServerResponse.unsafeSetCookie(HttpServerResponse.redirect("/user", { status: 302 }), cookieName, id, cookie)
    })

    const user = Effect.gen(function*() {
      const session = yield* current
      if (Option.isNone(session) || (yield* session.value.state) !== "authorized") {
        return HttpServerResponse.redirect("/", { status: 302 })
      }
      const found = yield* profile(session.value)
      if (Option.isNone(found)) return page(502, "GitHub is unreachable", "Your profile could not be loaded.")
      if (found.value === "Rejected") {
        // An OAuth app's token has no expiry and no refresh token: a 401 means the
        // user revoked the app (or GitHub the token). The grant is dropped here;
        // GitHub has no RFC 7009 endpoint, so only the local revocation happens.
        yield* Effect.ignore(session.value.revoke)
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
    })

    const router = HttpRouter.empty.pipe(
      HttpRouter.get("/", home),
      HttpRouter.get("/connect", connect),
      HttpRouter.get("/callback", callback),
      HttpRouter.get("/user", user)
    )
    yield* HttpServer.serveEffect(router).pipe(Effect.provideService(HttpServer.HttpServer, listening.server))
  })
