import { Headers, HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpClientError, HttpClientResponse } from "@effect/platform"
import { Redirects, WwwAuthenticate } from "@effect-oauth/core"
import type { TokenSet } from "@effect-oauth/core"
import { Effect, Either, FiberRef, Option, Redacted } from "effect"
import type * as AuthorizedHttpClient from "../AuthorizedHttpClient.js"
import type { OAuthSession } from "../OAuthSession.js"
import type { AccessTokenError } from "../SessionError.js"

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/** @internal */
export const defaultCredentialHeaders: ReadonlyArray<string> = ["cookie", "proxy-authorization", "x-api-key"]

// RFC 9110 §9.2.2: "the intended effect on the server of multiple identical
// requests with that method is the same as the effect for a single such request".
const idempotent: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"])

/** @internal */
export const currentReplayable: FiberRef.FiberRef<boolean> = FiberRef.unsafeMake(false)

/**
 * RFC 6750 §3.1: "invalid_token — The access token provided is expired, revoked,
 * malformed, or invalid for other reasons." Only this error code means a new
 * token may help; `insufficient_scope`, a bare challenge or a malformed header
 * does not.
 */
const isInvalidToken = (headers: Readonly<Record<string, string | undefined>>): boolean =>
  hasError(headers, "invalid_token")

const hasError = (headers: Readonly<Record<string, string | undefined>>, error: string): boolean =>
  Either.match(WwwAuthenticate.fromHeaders(headers), {
    onLeft: () => false,
    onRight: (challenges) => challenges.some((challenge) => challenge.error === error)
  })

/**
 * Sends `request` with redirects left to the caller and, when it carries a DPoP
 * proof, that header redacted on the platform's span (which redacts
 * `authorization` already).
 */
const sendManual = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Redirects.notFollowed(
    request.headers["dpop"] === undefined
      ? client.execute(request)
      : Effect.locallyWith(client.execute(request), Headers.currentRedactedNames, (names) => names.includes("dpop") ? names : [...names, "dpop"])
  )

/** The request with another URL, method, body and headers (query and hash come with the URL). */
const rebuild = (
  request: HttpClientRequest.HttpClientRequest,
  patch: {
    readonly url?: URL | undefined
    readonly method?: HttpClientRequest.HttpClientRequest["method"] | undefined
    readonly body?: HttpBody.HttpBody | undefined
    readonly headers?: Headers.Headers | undefined
  }
): HttpClientRequest.HttpClientRequest => {
  const next = HttpClientRequest.make(patch.method ?? request.method)(patch.url ?? request.url, {
    headers: patch.headers ?? request.headers,
    body: patch.body ?? request.body
  })
  return patch.url === undefined
    ? HttpClientRequest.modify(next, {
      urlParams: request.urlParams,
      ...(Option.isSome(request.hash) ? { hash: request.hash.value } : {})
    })
    : next
}

/**
 * The request a redirect leads to (Fetch standard §4.4 "HTTP-redirect fetch"):
 * 303, and 301/302 after a POST, become a GET without body; 307 and 308 keep
 * the method and body. `undefined` when the body cannot be sent again.
 */
const follow = (
  request: HttpClientRequest.HttpClientRequest,
  status: number,
  location: URL
): HttpClientRequest.HttpClientRequest | undefined => {
  const toGet = status === 303 ? request.method !== "HEAD" : (status === 301 || status === 302) && request.method === "POST"
  if (toGet) {
    return rebuild(request, {
      url: location,
      method: "GET",
      body: HttpBody.empty,
      headers: Headers.remove(request.headers, ["content-type", "content-length"])
    })
  }
  return request.body._tag === "Stream" ? undefined : rebuild(request, { url: location })
}

/** @internal */
export const make = (
  session: OAuthSession,
  client: HttpClient.HttpClient,
  options?: AuthorizedHttpClient.Options | undefined
): AuthorizedHttpClient.AuthorizedHttpClient => {
  const maxRedirects = Math.max(0, options?.maxRedirects ?? 5)
  // The session's own credentials always; the caller's (cookies, API keys) as configured.
  const stripped = [
    "authorization",
    "dpop",
    ...(options?.credentialHeaders ?? defaultCredentialHeaders).map((name) => name.toLowerCase())
  ]

  const execute = (
    original: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError | AccessTokenError> =>
    Effect.gen(function*() {
      // The origin the caller addressed is the only one that sees the token.
      // The original URL is parsed once: it is the URL of every attempt until a redirect.
      const originalUrl = HttpClientRequest.toUrl(original)
      const origin = Option.map(originalUrl, (url) => url.origin)
      let request = original
      let redirects = 0
      let retried = false
      let nonceRetried = false
      while (true) {
        const url = request === original ? originalUrl : HttpClientRequest.toUrl(request)
        // A relative URL (resolved by the underlying client) is trusted for the
        // first hop only: no redirect target can be compared with it.
        const trusted = Option.isNone(origin)
          ? redirects === 0
          : Option.isSome(url) && url.value.origin === origin.value
        let sent: TokenSet.TokenSet | undefined
        let outgoing: HttpClientRequest.HttpClientRequest
        const dpop = session.dpop
        if (trusted) {
          sent = yield* session.tokens
          outgoing = HttpClientRequest.setHeader(
            request,
            "authorization",
            `${sent.tokenType} ${Redacted.value(sent.accessToken)}`
          )
          // RFC 9449 §7.1: a DPoP-bound token goes with a proof of this request,
          // its `ath` the hash of the token.
          if (sent.tokenType === "DPoP" && dpop !== undefined && Option.isSome(url)) {
            const proof = yield* dpop.proof({ method: request.method, url: url.value, accessToken: sent.accessToken })
            outgoing = HttpClientRequest.setHeader(outgoing, "dpop", Redacted.value(proof))
          }
        } else {
          outgoing = rebuild(request, { headers: Headers.remove(request.headers, stripped) })
        }
        const response = yield* sendManual(client, outgoing)
        // The platform builds the headers record anew on each read.
        const headers = response.headers
        if (sent?.tokenType === "DPoP" && dpop !== undefined && Option.isSome(url)) {
          yield* dpop.remember(url.value, headers)
          // RFC 9449 §9: the resource asks for a nonce with a 401 `use_dpop_nonce`
          // challenge and a `DPoP-Nonce` header; the request goes once more with it.
          if (
            response.status === 401 && !nonceRetried && request.body._tag !== "Stream" &&
            headers["dpop-nonce"] !== undefined && hasError(headers, "use_dpop_nonce")
          ) {
            nonceRetried = true
            continue
          }
        }

        if (response.status === 401 && sent !== undefined && !retried && isInvalidToken(headers)) {
          retried = true
          yield* session.tokenRejected(sent.accessToken)
          // A request that may have taken effect is not sent twice: only an
          // idempotent one, or a body the caller marked replayable, goes again.
          const replayable = request.body._tag !== "Stream" &&
            (idempotent.has(request.method) || (yield* FiberRef.get(currentReplayable)))
          if (replayable) continue
          return response
        }

        const location = headers["location"]
        if (redirectStatuses.has(response.status) && location !== undefined && redirects < maxRedirects) {
          let target: URL | undefined
          try {
            target = Option.isSome(url) ? new URL(location, url.value) : new URL(location)
          } catch {
            target = undefined
          }
          // Never from https down to http: the request (and its cookies) would travel in clear.
          const downgrade = target !== undefined && Option.isSome(url) && url.value.protocol === "https:" &&
            target.protocol !== "https:"
          const next = target === undefined || downgrade ? undefined : follow(request, response.status, target)
          if (next !== undefined) {
            redirects++
            request = next
            continue
          }
        }
        return response
      }
    })

  return HttpClient.makeWith<never, never, HttpClientError.HttpClientError | AccessTokenError, never>(
    (request) => Effect.flatMap(request, execute),
    Effect.succeed
  )
}
