/**
 * A local stand-in for GitHub's OAuth app endpoints and the REST API's
 * `GET /user`, on 127.0.0.1: every response is a shape from GitHub's
 * documentation (the page is named beside each). The user approves every
 * authorization request at once.
 */
import { LocalServer } from "@effect-oauth/example-shared"
import { Clock, Effect } from "effect"
import type { Scope } from "effect"

const docs = {
  authorize: "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#2-users-are-redirected-back-to-your-site-by-github",
  token: "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#response",
  errors: "https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors",
  authorizeErrors: "https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-authorization-request-errors",
  user: "https://docs.github.com/en/rest/users/users#get-the-authenticated-user",
  unauthorized: "https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api"
} as const

/** The OAuth app registered at the server. */
export interface Registration {
  readonly clientId: string
  readonly clientSecret: string
  readonly callbackUrl: string
}

/** A running server. */
export interface GitHubServer {
  readonly url: string
  readonly registration: Registration
  readonly endpoints: { readonly authorization: string; readonly token: string; readonly api: string }
  /** The `Accept` header of each token request, in order. */
  readonly tokenRequests: () => ReadonlyArray<{ readonly accept: string | undefined; readonly pkce: boolean }>
  /** The user clicks "Cancel" on the next authorization request. */
  readonly denyNext: () => void
  /** The user revokes the app in their GitHub settings: every token issued so far stops working. */
  readonly revokeTokens: () => void
  /** Every code, token and secret issued, for leak checks. */
  readonly issued: () => ReadonlyArray<string>
  readonly served: LocalServer.LocalServer["served"]
}

/** "The temporary code will expire after 10 minutes." */
const codeLifetimeMillis = 10 * 60 * 1000

const user = {
  login: "octocat",
  id: 1,
  node_id: "MDQ6VXNlcjE=",
  avatar_url: "https://github.com/images/error/octocat_happy.gif",
  html_url: "https://github.com/octocat",
  type: "User",
  site_admin: false,
  name: "monalisa octocat",
  company: "GitHub",
  blog: "https://github.com/blog",
  location: "San Francisco",
  email: "octocat@github.com",
  bio: "There once was...",
  public_repos: 2,
  followers: 20,
  following: 0,
  created_at: "2008-01-14T04:33:35Z",
  updated_at: "2008-01-14T04:33:35Z"
}

/** Starts the server for an app whose callback is `callbackUrl`; it stops when the scope closes. */
export const make = (callbackUrl: string): Effect.Effect<GitHubServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const issued = LocalServer.issued()
    const registration: Registration = {
      clientId: "Iv1.8a61f9b3a7aba766",
      clientSecret: issued.mintHex(40),
      callbackUrl
    }
    const codes = new Map<string, { readonly expiresAt: number; readonly scope: string; readonly challenge: string | undefined }>()
    const tokens = new Set<string>()
    const tokenRequests: Array<{ readonly accept: string | undefined; readonly pkce: boolean }> = []
    let deny = false

    // Errors of the token endpoint come with HTTP 200.
    const error = (code: string, description: string, anchor: string): LocalServer.Reply => ({
      status: 200,
      body: {
        error: code,
        error_description: description,
        error_uri: `https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#${anchor}`
      },
      source: docs.errors
    })

    const authorize: LocalServer.Route = {
      method: "GET",
      path: "/login/oauth/authorize",
      handle: (request) =>
        Effect.gen(function*() {
          const query = request.query
          const redirectUri = query.get("redirect_uri") ?? callbackUrl
          // An authorization error goes back to `target` with GitHub's error fields.
          const errorRedirect = (target: string, error: string, description: string, anchor: string) => {
            const back = new URL(target)
            back.searchParams.set("error", error)
            back.searchParams.set("error_description", description)
            back.searchParams.set(
              "error_uri",
              `/apps/building-integrations/setting-up-and-registering-oauth-apps/troubleshooting-authorization-request-errors/#${anchor}`
            )
            back.searchParams.set("state", query.get("state") ?? "")
            return { status: 302, headers: { location: back.toString() }, source: docs.authorizeErrors }
          }
          if (query.get("client_id") !== registration.clientId || redirectUri !== callbackUrl) {
            // A wrong redirect_uri goes back to the registered callback with an error.
            return errorRedirect(
              callbackUrl,
              "redirect_uri_mismatch",
              "The redirect_uri MUST match the registered callback URL for this application.",
              "redirect-uri-mismatch"
            )
          }
          if (deny) {
            deny = false
            return errorRedirect(redirectUri, "access_denied", "The user has denied your application access.", "access-denied")
          }
          const code = issued.mintHex(20)
          codes.set(code, {
            expiresAt: (yield* Clock.currentTimeMillis) + codeLifetimeMillis,
            scope: (query.get("scope") ?? "").split(" ").filter((s) => s !== "").join(","),
            challenge: query.get("code_challenge") ?? undefined
          })
          const back = new URL(redirectUri)
          back.searchParams.set("code", code)
          back.searchParams.set("state", query.get("state") ?? "")
          return { status: 302, headers: { location: back.toString() }, source: docs.authorize }
        })
    }

    const accessToken: LocalServer.Route = {
      method: "POST",
      path: "/login/oauth/access_token",
      handle: (request) =>
        Effect.gen(function*() {
          const form = request.form
          const accept = request.headers.accept
          const verifier = form.get("code_verifier")
          tokenRequests.push({ accept, pkce: verifier !== null })
          if (form.get("client_id") !== registration.clientId || form.get("client_secret") !== registration.clientSecret) {
            return error("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.", "incorrect-client-credentials")
          }
          if (form.has("redirect_uri") && form.get("redirect_uri") !== callbackUrl) {
            return error("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.", "redirect-uri-mismatch")
          }
          const code = codes.get(form.get("code") ?? "")
          codes.delete(form.get("code") ?? "")
          const now = yield* Clock.currentTimeMillis
          if (
            code === undefined || code.expiresAt <= now ||
            (code.challenge !== undefined && (verifier === null || LocalServer.s256(verifier) !== code.challenge))
          ) {
            return error("bad_verification_code", "The code passed is incorrect or expired.", "bad-verification-code")
          }
          // An OAuth app's token does not expire: no expires_in, no refresh_token.
          const token = issued.mint("gho_")
          tokens.add(token)
          const fields = { access_token: token, scope: code.scope, token_type: "bearer" }
          return accept?.includes("application/json") === true
            ? { status: 200, body: fields, source: docs.token }
            : {
              status: 200,
              headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
              body: new URLSearchParams(fields).toString(),
              source: docs.token
            }
        })
    }

    const getUser: LocalServer.Route = {
      method: "GET",
      path: "/user",
      handle: (request) =>
        Effect.sync(() =>
          request.bearer !== undefined && tokens.has(request.bearer)
            ? { status: 200, body: user, source: docs.user }
            : {
              status: 401,
              body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" },
              source: docs.unauthorized
            }
        )
    }

    const server = yield* LocalServer.make([authorize, accessToken, getUser])
    return {
      url: server.url,
      registration,
      endpoints: {
        authorization: `${server.url}/login/oauth/authorize`,
        token: `${server.url}/login/oauth/access_token`,
        api: server.url
      },
      tokenRequests: () => [...tokenRequests],
      denyNext: () => {
        deny = true
      },
      revokeTokens: () => tokens.clear(),
      issued: issued.all,
      served: server.served
    }
  })
