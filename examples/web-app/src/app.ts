/**
 * A web app with "Sign in", on `@effect/platform`'s HTTP server, against the
 * embedded authorization server (oidc-provider on 127.0.0.1):
 *
 * - `/` — who is signed in, or a "Sign in" link;
 * - `/profile` — calls the authorization server's protected API (`/api/me`) on
 *   the user's behalf, with the access token refreshed when it has expired;
 * - `/auth/login`, `/auth/callback`, `/auth/logout` — `@effect-oauth/http`'s routes.
 */
import { WebSignIn } from "@effect-oauth/http"
import { TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { HttpClientRequest, HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Encoding, Option, Redacted } from "effect"
import { createServer } from "node:http"
import * as SignIn from "./signIn.js"

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c] ?? c)

/** A page; `no-store`, so that the back button after sign-out asks the server again. */
const page = (title: string, body: string, status = 200) =>
  HttpServerResponse.text(
    `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body>${body}</body></html>`,
    { status, contentType: "text/html; charset=utf-8", headers: { "cache-control": "no-store" } }
  )

const signOutForm = `<form method="post" action="/auth/logout"><button id="sign-out" type="submit">Sign out</button></form>`

/** The app's routes around the sign-in routes. */
export const router = (signIn: WebSignIn.WebSignIn, apiUrl: string) =>
  signIn.routes.pipe(
    HttpRouter.get(
      "/",
      Effect.gen(function*() {
        const user = yield* signIn.user
        return Option.isNone(user)
          ? page("Signed out", `<h1 id="status">You are signed out</h1><a id="sign-in" href="/auth/login?returnTo=/">Sign in</a>`)
          : page(
            "Home",
            `<h1 id="status">Signed in as <span id="name">${escape(user.value.key.account)}</span></h1>` +
              `<p><a id="profile" href="/profile">Your profile from the API</a></p>${signOutForm}`
          )
      })
    ),
    HttpRouter.get(
      "/profile",
      signIn.requireUser({ redirect: "/" })(Effect.gen(function*() {
        const user = yield* WebSignIn.CurrentUser
        const response = yield* user.httpClient.execute(HttpClientRequest.get(apiUrl))
        const me = (yield* response.json) as { readonly sub?: string; readonly scope?: string }
        return page(
          "Profile",
          `<h1>Profile</h1><p>API says: <span id="sub">${escape(String(me.sub))}</span>, scopes ` +
            `<span id="scope">${escape(String(me.scope))}</span></p><p><a href="/">Home</a></p>${signOutForm}`
        )
      }).pipe(
        Effect.catchAll((error) => page("Profile unavailable", `<h1>Profile unavailable</h1><p>${escape(error.message)}</p>`, 502))
      ))
    )
  )

/** The app and its authorization server, running. */
export interface Running {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly server: TestServer.TestServer
  readonly app: Effect.Effect.Success<ReturnType<typeof SignIn.make>>
}

/**
 * Starts the authorization server and the app on 127.0.0.1 (`port`, or an
 * ephemeral one); both stop with the scope. With `endSession`, signing out also
 * ends the session at the authorization server, which sends the browser back to `/`.
 */
export const start = (
  options: { readonly port?: number; readonly accessTokenTtl?: number; readonly endSession?: boolean } = {}
) =>
  Effect.gen(function*() {
    const http = yield* NodeHttpServer.make(() => createServer(), { host: "127.0.0.1", port: options.port ?? 0 })
    const url = http.address._tag === "TcpAddress" ? `http://127.0.0.1:${http.address.port}` : "http://127.0.0.1"
    const server = yield* TestServer.make({
      redirectUri: `${url}/auth/callback`,
      postLogoutRedirectUris: [`${url}/`],
      ...(options.accessTokenTtl === undefined ? {} : { accessTokenTtl: options.accessTokenTtl })
    })
    const secret = Redacted.make(Encoding.encodeBase64Url(crypto.getRandomValues(new Uint8Array(32))))
    const app = yield* SignIn.make({
      issuer: server.issuer,
      client: TestServer.clientConfig(server.clients.web),
      secret,
      postLogoutRedirectUri: options.endSession === true ? `${url}/` : undefined
    })
    yield* HttpServer.serveEffect(router(app.signIn, server.resourceUrl)).pipe(
      Effect.provideService(HttpServer.HttpServer, http)
    )
    return { url, server, app } satisfies Running
  }).pipe(Effect.provide(TokenStore.layerMemory))
