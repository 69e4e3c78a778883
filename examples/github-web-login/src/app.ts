/**
 * The web app wired to a local GitHub-shaped server, and a walk-through that
 * plays the browser: a sign-in, a forged callback, a misconfigured deployment.
 */
import type { OAuthError, Provider } from "@effect-oauth/core"
import type { WebSignIn } from "@effect-oauth/http"
import { LocalServer, Print, UserAgent } from "@effect-oauth/example-shared"
import { GitHub } from "@effect-oauth/providers"
import type { HttpServerError } from "@effect/platform"
import type { HttpClient } from "@effect/platform"
import { Effect, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import type { Scope } from "effect"
import * as GitHubServer from "./githubServer.js"
import * as WebApp from "./webApp.js"

/**
 * The GitHub preset on the local server: token responses as JSON
 * (`Accept: application/json`; the default answer is form-encoded), scopes
 * separated by commas, GitHub's error codes (answered with HTTP 200) with their
 * remedies, client credentials in the request body.
 *
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 */
export const provider = (server: GitHubServer.GitHubServer): Provider.Provider =>
  LocalServer.rehome(GitHub.make({ scopes: ["read:user"] }), server.url)

/** The app and the GitHub-shaped server, both running. */
export interface Running {
  readonly app: WebApp.Listening
  readonly github: GitHubServer.GitHubServer
}

/**
 * Starts a GitHub-shaped server and the app registered there (on `port`, or an
 * ephemeral one). `clientSecret` replaces the registered secret, to play a
 * misconfigured deployment.
 */
export const start = (
  options: { readonly port?: number | undefined; readonly clientSecret?: string | undefined } = {}
): Effect.Effect<
  Running,
  HttpServerError.ServeError | OAuthError.ConfigurationError | WebSignIn.SignInFailed,
  Scope.Scope | HttpClient.HttpClient
> =>
  Effect.gen(function*() {
    const app = yield* WebApp.listen(options.port)
    const github = yield* GitHubServer.make(app.callbackUrl)
    yield* WebApp.serve(app, {
      provider: provider(github),
      client: {
        clientId: github.registration.clientId,
        clientSecret: Redacted.make(options.clientSecret ?? github.registration.clientSecret),
        redirectUri: app.callbackUrl
      },
      apiUrl: github.endpoints.api
    })
    return { app, github }
  })

const shown: ReadonlySet<string> = new Set(["response_type", "client_id", "redirect_uri", "scope", "code_challenge_method"])

/** A URL as the walk-through prints it: credentials (`code`, `state`, …) masked. */
export const describeUrl = (url: string): string => {
  const parsed = new URL(url)
  const params = [...parsed.searchParams].map(([name, value]) => `${name}=${shown.has(name) ? value : Print.mask(value)}`)
  return `${parsed.origin}${parsed.pathname}${params.length === 0 ? "" : `?${params.join("&")}`}`
}

/** The title and first paragraph of a page of the app, without markup. */
export const describePage = (page: UserAgent.Page): string => {
  const text = (pattern: RegExp) => (page.body.match(pattern)?.[1] ?? "").replace(/<[^>]*>/g, "").trim()
  return `${page.status} "${text(/<h1>(.*?)<\/h1>/s)}" — ${text(/<p>(.*?)<\/p>/s)}`
}

const hops = (page: UserAgent.Page) =>
  page.hops.map((hop) => `GET ${describeUrl(hop.url)} → ${hop.status}`)

/** The walk-through `npm start` prints. */
export const program = Effect.gen(function*() {
  const running = yield* start()
  const { app, github } = running
  yield* Print.step("servers", [`app     ${app.url} (callback ${app.callbackUrl})`, `GitHub  ${github.url} (OAuth app, REST API)`])

  const alice = UserAgent.browser()
  const home = yield* alice.open(`${app.url}/`)
  yield* Print.step("a browser opens the app", describePage(home))
  const signedIn = yield* alice.open(`${app.url}/auth/login`)
  yield* Print.step("sign in with GitHub (state + PKCE; the user approves)", [...hops(signedIn), describePage(signedIn)])
  const requests = github.tokenRequests()
  yield* Print.step("the token request", `Accept: ${requests[0]?.accept}; PKCE verifier sent: ${requests[0]?.pkce}`)

  const mallory = UserAgent.browser()
  const started = yield* mallory.open(`${app.url}/auth/login`, { follow: false })
  const approved = yield* mallory.open(started.hops[0]?.location ?? "", { follow: false })
  const forged = new URL(approved.hops[0]?.location ?? app.callbackUrl)
  forged.searchParams.set("state", randomBytes(32).toString("base64url"))
  const refused = yield* mallory.open(forged.toString())
  yield* Print.step("a callback with a state this browser did not send", [...hops(refused), describePage(refused)])

  const misconfigured = yield* start({ clientSecret: "not-the-registered-secret" })
  const bob = UserAgent.browser()
  const failed = yield* bob.open(`${misconfigured.app.url}/auth/login`)
  yield* Print.step("a deployment with the wrong client secret (GitHub answers HTTP 200 with an error)", [
    ...hops(failed),
    describePage(failed)
  ])
  return running
})
