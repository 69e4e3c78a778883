/**
 * A local stand-in for Facebook Login and the Graph API, on 127.0.0.1: the login
 * dialog, `GET /oauth/access_token` (code exchange and `fb_exchange_token`),
 * `GET /debug_token` and `GET /me/accounts`. Every response is a shape from
 * Meta's documentation (the page is named beside each). The user approves every
 * login at once; token lifetimes run on the server's `Clock`.
 */
import { LocalServer } from "@effect-oauth/example-shared"
import { Clock, Effect } from "effect"
import type { Scope } from "effect"

/** The Graph API version in every path. */
export const version = "v21.0"

const docs = {
  dialog: "https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#login",
  exchange: "https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow#confirm",
  longLived: "https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived#long-lived-user-token",
  pageToken: "https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived#long-lived-page-token",
  debug: "https://developers.facebook.com/docs/facebook-login/guides/access-tokens/debugging",
  errors: "https://developers.facebook.com/docs/graph-api/guides/error-handling/"
} as const

/** The app registered at the server. */
export interface Registration {
  readonly appId: string
  readonly appSecret: string
  readonly redirectUri: string
}

/** A running server. */
export interface FacebookServer {
  readonly url: string
  readonly registration: Registration
  /** `https://www.facebook.com/<version>/dialog/oauth` and `https://graph.facebook.com/<version>`, here. */
  readonly endpoints: { readonly dialog: string; readonly token: string; readonly graph: string; readonly debugToken: string }
  /** Requests to `/oauth/access_token` by `grant_type` (`authorization_code` when absent). */
  readonly tokenRequests: () => Readonly<Record<string, number>>
  /** Every code, token and secret issued, for leak checks. */
  readonly issued: () => ReadonlyArray<string>
  readonly served: LocalServer.LocalServer["served"]
}

/** "Short-lived tokens usually have a lifetime of about an hour or two." */
const shortLivedSeconds = 5400
/** The long-lived exchange answers `"expires_in": 5183944` (60 days). */
const longLivedSeconds = 5183944
/** Data access expires 90 days after the user last used the app. */
const dataAccessSeconds = 90 * 24 * 3600

interface Token {
  readonly type: "USER" | "PAGE"
  readonly issuedAt: number
  /** Epoch ms; `undefined`: never (a page token from a long-lived user token). */
  readonly expiresAt: number | undefined
  readonly scopes: ReadonlyArray<string>
  readonly lifetime: "short" | "long"
}

const userId = "10224309481201845"
const page = { id: "108834951987654", name: "Corner Bakery", category: "Bakery" }

/** Starts the server for an app whose redirect URI is `redirectUri`; it stops when the scope closes. */
export const make = (redirectUri: string): Effect.Effect<FacebookServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const issued = LocalServer.issued()
    const registration: Registration = { appId: "1234567890123456", appSecret: issued.mintHex(32), redirectUri }
    const codes = new Map<string, ReadonlyArray<string>>()
    const tokens = new Map<string, Token>()
    const counts: Record<string, number> = {}
    const trace = () => issued.mint("").slice(0, 11)

    // A Graph API error object: `message`, `type`, `code`, `error_subcode`, `fbtrace_id`.
    const graphError = (status: number, code: number, message: string, subcode?: number): LocalServer.Reply => ({
      status,
      body: {
        error: {
          message,
          type: "OAuthException",
          code,
          ...(subcode === undefined ? {} : { error_subcode: subcode }),
          fbtrace_id: trace()
        }
      },
      source: docs.errors
    })
    const expiredMessage = (token: Token, now: number) =>
      `Error validating access token: Session has expired on ${new Date(token.expiresAt ?? 0).toUTCString()}. ` +
      `The current time is ${new Date(now).toUTCString()}.`
    // "Access token has expired": code 190, subcode 463.
    const expired = (token: Token, now: number) => ({ ...graphError(400, 190, expiredMessage(token, now), 463), source: docs.debug })
    const invalid = graphError(400, 190, "Invalid OAuth access token - Cannot parse access token")

    /** The token's record when it is live; else the Graph error to answer with. */
    const live = (value: string | undefined) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const token = value === undefined ? undefined : tokens.get(value)
        if (token === undefined) return { error: invalid } as const
        if (token.expiresAt !== undefined && token.expiresAt <= now) return { error: expired(token, now) } as const
        return { token } as const
      })

    const issue = (token: Token, prefix: string) => {
      const value = issued.mint(prefix)
      tokens.set(value, token)
      return value
    }

    const dialog: LocalServer.Route = {
      method: "GET",
      path: `/${version}/dialog/oauth`,
      handle: (request) =>
        Effect.sync(() => {
          const query = request.query
          if (query.get("client_id") !== registration.appId || query.get("redirect_uri") !== redirectUri) {
            return { status: 400, body: "URL blocked: this redirect failed because the redirect URI is not whitelisted", source: docs.dialog }
          }
          const code = issued.mint("AQ")
          codes.set(code, (query.get("scope") ?? "").split(/[ ,]+/).filter((s) => s !== ""))
          const back = new URL(redirectUri)
          back.searchParams.set("code", code)
          back.searchParams.set("state", query.get("state") ?? "")
          return { status: 302, headers: { location: back.toString() }, source: docs.dialog }
        })
    }

    const accessToken: LocalServer.Route = {
      method: "GET",
      path: `/${version}/oauth/access_token`,
      handle: (request) =>
        Effect.gen(function*() {
          const query = request.query
          const grantType = query.get("grant_type") ?? "authorization_code"
          counts[grantType] = (counts[grantType] ?? 0) + 1
          if (query.get("client_id") !== registration.appId || query.get("client_secret") !== registration.appSecret) {
            return graphError(400, 1, "Error validating client secret.")
          }
          const now = yield* Clock.currentTimeMillis
          if (grantType === "fb_exchange_token") {
            const found = yield* live(query.get("fb_exchange_token") ?? undefined)
            if (found.token === undefined) return found.error
            const token = issue(
              { type: "USER", issuedAt: now, expiresAt: now + longLivedSeconds * 1000, scopes: found.token.scopes, lifetime: "long" },
              "EAAB"
            )
            return {
              status: 200,
              body: { access_token: token, token_type: "bearer", expires_in: longLivedSeconds },
              source: docs.longLived
            }
          }
          const scopes = codes.get(query.get("code") ?? "")
          codes.delete(query.get("code") ?? "")
          // The exchange needs the redirect_uri of the dialog request.
          if (scopes === undefined || query.get("redirect_uri") !== redirectUri) {
            return graphError(
              400,
              100,
              "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request"
            )
          }
          const token = issue(
            { type: "USER", issuedAt: now, expiresAt: now + shortLivedSeconds * 1000, scopes, lifetime: "short" },
            "EAAB"
          )
          return {
            status: 200,
            body: { access_token: token, token_type: "bearer", expires_in: shortLivedSeconds },
            source: docs.exchange
          }
        })
    }

    const debugToken: LocalServer.Route = {
      method: "GET",
      path: "/debug_token",
      handle: (request) =>
        Effect.gen(function*() {
          // The caller proves it is the app with an app access token, "{app-id}|{app-secret}".
          if (request.query.get("access_token") !== `${registration.appId}|${registration.appSecret}`) {
            return graphError(400, 190, "Invalid OAuth access token signature.")
          }
          const input = request.query.get("input_token") ?? ""
          const token = tokens.get(input)
          if (token === undefined) return graphError(400, 190, "Invalid OAuth access token - Cannot parse access token")
          const now = yield* Clock.currentTimeMillis
          const seconds = (ms: number) => Math.floor(ms / 1000)
          const valid = token.expiresAt === undefined || token.expiresAt > now
          return {
            status: 200,
            body: {
              data: {
                app_id: registration.appId,
                type: token.type,
                application: "Bakery Insights",
                data_access_expires_at: seconds(token.issuedAt) + dataAccessSeconds,
                // 0: the token does not expire (a page token from a long-lived user token).
                expires_at: token.expiresAt === undefined ? 0 : seconds(token.expiresAt),
                is_valid: valid,
                ...(valid ? {} : { error: { code: 190, message: expiredMessage(token, now), subcode: 463 } }),
                // "For long-lived access tokens the issued_at field is also returned."
                ...(token.lifetime === "long" ? { issued_at: seconds(token.issuedAt) } : {}),
                scopes: token.scopes,
                granular_scopes: token.scopes.filter((scope) => scope.startsWith("pages_")).map((scope) => ({
                  scope,
                  target_ids: [page.id]
                })),
                ...(token.type === "PAGE" ? { profile_id: page.id } : {}),
                user_id: userId
              }
            },
            source: docs.debug
          }
        })
    }

    const accounts: LocalServer.Route = {
      method: "GET",
      path: `/${version}/me/accounts`,
      handle: (request) =>
        Effect.gen(function*() {
          const found = yield* live(request.bearer ?? request.query.get("access_token") ?? undefined)
          if (found.token === undefined) return found.error
          const now = yield* Clock.currentTimeMillis
          // A page token from a long-lived user token has no expiry; from a short-lived one, about an hour.
          const pageToken = issue(
            {
              type: "PAGE",
              issuedAt: now,
              expiresAt: found.token.lifetime === "long" ? undefined : now + 3600 * 1000,
              scopes: found.token.scopes,
              lifetime: found.token.lifetime
            },
            "EAAB"
          )
          return {
            status: 200,
            body: {
              data: [{
                access_token: pageToken,
                category: page.category,
                category_list: [{ id: "2500", name: page.category }],
                name: page.name,
                id: page.id,
                tasks: ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"]
              }],
              paging: { cursors: { before: "MTA4ODM0OTUxOTg3NjU0", after: "MTA4ODM0OTUxOTg3NjU0" } }
            },
            source: docs.pageToken
          }
        })
    }

    const server = yield* LocalServer.make([dialog, accessToken, debugToken, accounts])
    return {
      url: server.url,
      registration,
      endpoints: {
        dialog: `${server.url}/${version}/dialog/oauth`,
        token: `${server.url}/${version}/oauth/access_token`,
        graph: `${server.url}/${version}`,
        debugToken: `${server.url}/debug_token`
      },
      tokenRequests: () => ({ ...counts }),
      issued: issued.all,
      served: server.served
    }
  })
