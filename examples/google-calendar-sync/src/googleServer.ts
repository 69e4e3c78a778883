/**
 * A local stand-in for Google's OAuth 2.0 endpoints and the Calendar API, on
 * 127.0.0.1: every response is a shape from Google's documentation (the page is
 * named beside each). It approves every authorization request at once (the
 * user's consent is not the point here) and lets the caller play what Google
 * does on its own: invalidate access tokens early, or revoke the grant when the
 * user removes the app from their account.
 */
import { LocalServer } from "@effect-oauth/example-shared"
import { Clock, Effect } from "effect"
import type { Scope } from "effect"
import { randomBytes } from "node:crypto"

const docs = {
  authorize: "https://developers.google.com/identity/protocols/oauth2/web-server#handlingresponse",
  exchange: "https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorization-code",
  refresh: "https://developers.google.com/identity/protocols/oauth2/web-server#offline",
  expiration: "https://developers.google.com/identity/protocols/oauth2#expiration",
  errors: "https://developers.google.com/identity/protocols/oauth2/web-server#authorization-errors",
  insert: "https://developers.google.com/calendar/api/v3/reference/events/insert",
  unauthorized: "https://developers.google.com/calendar/api/guides/errors#401_invalid_credentials",
  duplicate: "https://developers.google.com/calendar/api/guides/errors#409_the_requested_identifier_already_exists",
  revoke: "https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke"
} as const

/** The OAuth client registered at the server. */
export interface Registration {
  readonly clientId: string
  readonly clientSecret: string
  readonly redirectUri: string
}

/** A running server. */
export interface GoogleServer {
  readonly url: string
  readonly registration: Registration
  /** `authorization_endpoint`, `token_endpoint` and the Calendar API base. */
  readonly endpoints: { readonly authorization: string; readonly token: string; readonly calendar: string }
  /** Revocation requests answered (RFC 7009 at `/revoke`). */
  readonly revocations: () => number
  /** Token requests by `grant_type`. */
  readonly tokenRequests: () => Readonly<Record<string, number>>
  /** The events of a calendar, as stored. */
  readonly events: (calendarId: string) => ReadonlyArray<{ readonly id: string; readonly summary: string }>
  /** Google ends the current access tokens before their `expires_in` (a password change does this). */
  readonly invalidateAccessTokens: () => void
  /** The user removes the app at myaccount.google.com/permissions: every token of the grant dies. */
  readonly revokeGrant: () => void
  /** The user removes the app right after the next refresh succeeds (a race with the app). */
  readonly revokeGrantAfterNextRefresh: () => void
  /** Every code, token and secret issued, for leak checks. */
  readonly issued: () => ReadonlyArray<string>
  readonly served: LocalServer.LocalServer["served"]
}

const scope = "https://www.googleapis.com/auth/calendar.events"
const accessTokenLifetime = 3599

/** Starts the server; it stops when the scope closes. */
export const make = (redirectUri: string): Effect.Effect<GoogleServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const issued = LocalServer.issued()
    const registration: Registration = {
      clientId: "1234567890-sync.apps.googleusercontent.com",
      clientSecret: issued.mint("GOCSPX-"),
      redirectUri
    }
    const codes = new Map<string, { readonly challenge: string | undefined; readonly offline: boolean }>()
    const grants = { live: true, revokeAfterRefresh: false }
    const refreshTokens = new Set<string>()
    const accessTokens = new Map<string, number>()
    const calendars = new Map<string, Map<string, { readonly id: string; readonly summary: string }>>()
    const counts: Record<string, number> = {}

    const issueAccessToken = Effect.map(Clock.currentTimeMillis, (now) => {
      const token = issued.mint("ya29.a0")
      accessTokens.set(token, now + accessTokenLifetime * 1000)
      return token
    })

    const tokenError = (status: number, error: string, description: string, source: string): LocalServer.Reply => ({
      status,
      body: { error, error_description: description },
      source
    })

    const authorize: LocalServer.Route = {
      method: "GET",
      path: "/o/oauth2/v2/auth",
      handle: (request) =>
        Effect.sync(() => {
          const query = request.query
          if (query.get("client_id") !== registration.clientId || query.get("redirect_uri") !== redirectUri) {
            // Google shows the user an error page and does not redirect
            // ("Error 400: redirect_uri_mismatch").
            return { status: 400, body: "Error 400: redirect_uri_mismatch", source: docs.errors }
          }
          const code = issued.mint("4/0A")
          codes.set(code, {
            challenge: query.get("code_challenge") ?? undefined,
            offline: query.get("access_type") === "offline"
          })
          const back = new URL(redirectUri)
          back.searchParams.set("state", query.get("state") ?? "")
          back.searchParams.set("code", code)
          back.searchParams.set("scope", scope)
          return { status: 302, headers: { location: back.toString() }, source: docs.authorize }
        })
    }

    const token: LocalServer.Route = {
      method: "POST",
      path: "/token",
      handle: (request) =>
        Effect.gen(function*() {
          const form = request.form
          const grantType = form.get("grant_type") ?? ""
          counts[grantType] = (counts[grantType] ?? 0) + 1
          if (form.get("client_id") !== registration.clientId || form.get("client_secret") !== registration.clientSecret) {
            return tokenError(401, "invalid_client", "Unauthorized", docs.exchange)
          }
          if (grantType === "authorization_code") {
            const code = codes.get(form.get("code") ?? "")
            codes.delete(form.get("code") ?? "")
            const verifier = form.get("code_verifier")
            if (
              code === undefined || form.get("redirect_uri") !== redirectUri ||
              (code.challenge !== undefined && (verifier === null || LocalServer.s256(verifier) !== code.challenge))
            ) {
              return tokenError(400, "invalid_grant", "Bad Request", docs.exchange)
            }
            grants.live = true
            const accessToken = yield* issueAccessToken
            // A refresh token comes only with access_type=offline.
            const refreshToken = code.offline ? issued.mint("1//0g") : undefined
            if (refreshToken !== undefined) refreshTokens.add(refreshToken)
            return {
              status: 200,
              body: {
                access_token: accessToken,
                expires_in: accessTokenLifetime,
                token_type: "Bearer",
                scope,
                ...(refreshToken === undefined ? {} : { refresh_token: refreshToken })
              },
              source: docs.exchange
            }
          }
          if (grantType === "refresh_token") {
            if (!grants.live || !refreshTokens.has(form.get("refresh_token") ?? "")) {
              return tokenError(400, "invalid_grant", "Token has been expired or revoked.", docs.expiration)
            }
            const accessToken = yield* issueAccessToken
            if (grants.revokeAfterRefresh) revoke()
            // The refresh response has no refresh_token: the old one stays valid.
            return {
              status: 200,
              body: { access_token: accessToken, expires_in: accessTokenLifetime, scope, token_type: "Bearer" },
              source: docs.refresh
            }
          }
          return tokenError(400, "unsupported_grant_type", "Invalid grant_type: " + grantType, docs.exchange)
        })
    }

    // The Calendar API's answer to a missing, expired or revoked access token.
    const invalidCredentials: LocalServer.Reply = {
      status: 401,
      headers: { "www-authenticate": `Bearer realm="https://accounts.google.com/", error="invalid_token"` },
      body: {
        error: {
          errors: [{
            domain: "global",
            reason: "authError",
            message: "Invalid Credentials",
            locationType: "header",
            location: "Authorization"
          }],
          code: 401,
          message: "Invalid Credentials"
        }
      },
      source: docs.unauthorized
    }

    const insertEvent: LocalServer.Route = {
      method: "POST",
      path: "/calendar/v3/calendars/:calendarId/events",
      handle: (request, params) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const expiresAt = request.bearer === undefined ? undefined : accessTokens.get(request.bearer)
          if (expiresAt === undefined || expiresAt <= now || !grants.live) return invalidCredentials
          const input = (request.json ?? {}) as { readonly id?: unknown; readonly summary?: unknown }
          const calendarId = params["calendarId"] ?? "primary"
          const events = calendars.get(calendarId) ?? new Map()
          calendars.set(calendarId, events)
          const id = typeof input.id === "string" ? input.id : randomBytes(16).toString("hex")
          if (events.has(id)) {
            return {
              status: 409,
              body: {
                error: {
                  errors: [{ domain: "global", reason: "duplicate", message: "The requested identifier already exists." }],
                  code: 409,
                  message: "The requested identifier already exists."
                }
              },
              source: docs.duplicate
            }
          }
          const summary = typeof input.summary === "string" ? input.summary : ""
          events.set(id, { id, summary })
          return {
            status: 200,
            body: {
              ...(request.json as object),
              kind: "calendar#event",
              id,
              status: "confirmed",
              htmlLink: `https://www.google.com/calendar/event?eid=${id}`,
              created: new Date(now).toISOString(),
              updated: new Date(now).toISOString(),
              summary
            },
            source: docs.insert
          }
        })
    }

    const revoke = () => {
      grants.live = false
      grants.revokeAfterRefresh = false
      accessTokens.clear()
      refreshTokens.clear()
    }

    let revocations = 0
    // "If the revocation is successfully processed, then the HTTP status code of the
    // response is 200. For error conditions, an HTTP status code 400 is returned."
    const revokeRoute: LocalServer.Route = {
      method: "POST",
      path: "/revoke",
      handle: (request) =>
        Effect.sync(() => {
          revocations++
          const value = request.form.get("token") ?? request.query.get("token") ?? ""
          if (!refreshTokens.has(value) && !accessTokens.has(value)) {
            return tokenError(400, "invalid_token", "Token expired or revoked", docs.revoke)
          }
          revoke()
          return { status: 200, body: {}, source: docs.revoke }
        })
    }

    const server = yield* LocalServer.make([authorize, token, insertEvent, revokeRoute])
    return {
      url: server.url,
      registration,
      endpoints: {
        authorization: `${server.url}/o/oauth2/v2/auth`,
        token: `${server.url}/token`,
        calendar: `${server.url}/calendar/v3`
      },
      tokenRequests: () => ({ ...counts }),
      revocations: () => revocations,
      events: (calendarId) => [...(calendars.get(calendarId)?.values() ?? [])],
      invalidateAccessTokens: () => accessTokens.clear(),
      revokeGrant: revoke,
      revokeGrantAfterNextRefresh: () => {
        grants.revokeAfterRefresh = true
      },
      issued: issued.all,
      served: server.served
    }
  })
