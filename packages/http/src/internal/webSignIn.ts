import { Callback, OAuthError, TokenSet } from "@effect-oauth/core"
import { AuthorizedHttpClient, SessionRegistry, TokenStore } from "@effect-oauth/session"
import { HttpClient, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Duration, Effect, Either, Encoding, Option, Redacted, Schedule, Schema } from "effect"
import type { Scope } from "effect"
import type * as WebSignIn from "../WebSignIn.js"
import { CurrentUser, SignInFailed } from "../WebSignIn.js"
import { cookieKeeper, encodePending, storeKeeper } from "./pendingKeeper.js"
import * as SealedCookie from "./sealedCookie.js"

const SessionCookie = Schema.Struct({
  v: Schema.Literal(1),
  provider: Schema.String,
  account: Schema.String,
  sid: Schema.String,
  exp: Schema.Number
})

const decodeSession = Schema.decodeUnknownOption(SessionCookie)

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"])

/** @internal */
export const isLoopback = (origin: URL): boolean => loopbackHosts.has(origin.hostname)

/**
 * A return path the app may send the user to after sign-in: a path on the
 * app's own origin, never a URL that a browser would read as another host
 * (`//evil.example`, `/\evil.example`, `https://…`).
 *
 * @internal
 */
export const checkReturnTo = (returnTo: string, origin: URL): Option.Option<string> => {
  // Control characters and backslashes are refused before parsing: browsers
  // strip tabs and newlines and read `\` as `/`, which turns `/\x` into `//x`.
  if (!returnTo.startsWith("/") || returnTo.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(returnTo)) {
    return Option.none()
  }
  const resolved = new URL(returnTo, origin)
  // Dot segments can leave a path that starts with `//` (`/.//host`): a browser
  // reads that Location as another host.
  return resolved.origin === origin.origin && !resolved.pathname.startsWith("//")
    ? Option.some(`${resolved.pathname}${resolved.search}${resolved.hash}`)
    : Option.none()
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c] ?? c)

const noStore = { "cache-control": "no-store", "pragma": "no-cache" }

const statusOf = (error: SignInFailed): number => {
  switch (error.reason) {
    case "CrossOrigin":
      return 403
    case "Storage":
      return 503
    case "Exchange":
      return error.remedy === "retry" ? 503 : 400
    case "Configuration":
      return 500
    default:
      return 400
  }
}

/** @internal */
export const errorPage = (loginPath: string) => (error: SignInFailed): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.succeed(
    HttpServerResponse.text(
      `<!doctype html><html><head><meta charset="utf-8"><title>Sign-in failed</title></head><body>` +
        `<h1>Sign-in failed</h1><p id="error">${escapeHtml(error.message)}</p>` +
        (error.remedy === "fixConfiguration"
          ? `<p>The site's sign-in is misconfigured; try again later.</p>`
          : `<p><a id="retry" href="${escapeHtml(loginPath)}">Sign in again</a></p>`) +
        `</body></html>`,
      { status: statusOf(error), headers: noStore, contentType: "text/html; charset=utf-8" }
    )
  )

/** @internal */
export const make = (
  options: WebSignIn.Options
): Effect.Effect<WebSignIn.WebSignIn, SignInFailed, SessionRegistry.SessionRegistry | TokenStore.TokenStore | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const registry = yield* SessionRegistry.SessionRegistry
    const store = yield* TokenStore.TokenStore
    const httpClient = yield* HttpClient.HttpClient
    const secret = Redacted.value(options.secret)
    const secretLength = typeof secret === "string" ? new TextEncoder().encode(secret).length : secret.length
    if (secretLength < 32) {
      return yield* new SignInFailed({ reason: "Configuration", detail: "the cookie secret must be at least 32 bytes" })
    }
    const sealer = yield* SealedCookie.make(options.secret)
    const client = options.client
    const base = (options.basePath ?? "/auth").replace(/\/+$/, "")
    const paths = {
      login: `${base}/login` as HttpRouter.PathInput,
      callback: `${base}/callback` as HttpRouter.PathInput,
      logout: `${base}/logout` as HttpRouter.PathInput
    }
    const prefix = options.cookieName ?? "effect-oauth"
    const names = { pending: `${prefix}.pending`, session: `${prefix}.session` }
    const pendingTtl = Duration.toMillis(options.pendingTtl ?? "10 minutes")
    const sessionTtl = Duration.toMillis(options.sessionTtl ?? "7 days")
    const afterSignIn = options.afterSignIn ?? "/"
    const afterSignOut = options.afterSignOut ?? "/"
    const toStoreKey = options.storeKey ?? SessionRegistry.storeKey
    const fixedOrigin = options.origin === undefined ? undefined : new URL(options.origin)
    const onError = options.onError ?? errorPage(paths.login)

    const originOf = (request: HttpServerRequest.HttpServerRequest): URL => {
      if (fixedOrigin !== undefined) return fixedOrigin
      // A web-standard request carries its absolute URL; Node's carries a path and a Host header.
      if (URL.canParse(request.originalUrl)) return new URL(new URL(request.originalUrl).origin)
      const host = request.headers["host"] ?? "localhost"
      const guess = new URL(`http://${host}`)
      return isLoopback(guess) ? guess : new URL(`https://${host}`)
    }
    const cookieOptions = (origin: URL, path: string, maxAge: number) => ({
      httpOnly: true,
      secure: options.secureCookies ?? !isLoopback(origin),
      sameSite: "lax" as const,
      path,
      maxAge: Duration.millis(maxAge)
    })
    const expire = (response: HttpServerResponse.HttpServerResponse, origin: URL, name: string, path: string) =>
      HttpServerResponse.unsafeSetCookie(response, name, "", { ...cookieOptions(origin, path, 0), maxAge: Duration.zero })
    const redirect = (location: string) => HttpServerResponse.redirect(location, { status: 303, headers: noStore })

    const fail = (reason: SignInFailed["reason"], detail?: string) =>
      new SignInFailed({ reason, ...(detail === undefined ? {} : { detail }) })

    const pending = options.pendingStore === undefined
      ? cookieKeeper(sealer, names.pending)
      : storeKeeper(sealer, options.pendingStore, names.pending)

    const readUser = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function*() {
        const value = request.cookies[names.session]
        if (value === undefined || value === "") return Option.none<SessionRegistry.Key>()
        const opened = yield* sealer.open(names.session, value)
        const cookie = Option.flatMap(opened, decodeSession)
        const now = yield* Clock.currentTimeMillis
        return Option.flatMap(
          cookie,
          (c) => c.exp > now && c.provider === options.provider ? Option.some({ provider: c.provider, account: c.account }) : Option.none()
        )
      })

    const persist = (key: SessionRegistry.Key, tokens: TokenSet.TokenSet) => {
      const id = toStoreKey(key)
      return store.get(id).pipe(
        Effect.flatMap((entry) => store.compareAndSet(id, Option.getOrUndefined(Option.map(entry, (e) => e.version)), tokens)),
        // Another instance may write the same user's entry between our read and write.
        Effect.retry({ while: (error) => error._tag === "VersionConflict", schedule: Schedule.recurs(3) }),
        Effect.mapError((error) => fail("Storage", error.message))
      )
    }

    const defaultUserKey = (tokens: TokenSet.TokenSet): Effect.Effect<string, SignInFailed> => {
      const sub = TokenSet.claims(tokens)?.sub
      return sub === undefined
        ? Effect.fail(fail("UserKey", "the token response has no validated ID token (request the openid scope, or give userKey)"))
        : Effect.succeed(sub)
    }
    const userKey = (tokens: TokenSet.TokenSet): Effect.Effect<string, SignInFailed> =>
      options.userKey === undefined
        ? defaultUserKey(tokens)
        : options.userKey(tokens).pipe(
          Effect.mapError(() => fail("UserKey", "the app could not name the signed-in user")),
          Effect.filterOrFail((account) => account.length > 0, () => fail("UserKey", "the app named the user with an empty key"))
        )

    const login = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const origin = originOf(request)
      const asked = new URL(request.url, origin).searchParams.get("returnTo")
      const returnTo = asked === null ? afterSignIn : yield* checkReturnTo(asked, origin).pipe(
        Effect.mapError(() => fail("InvalidReturnTo", "returnTo must be a path on this site"))
      )
      const authorization = yield* client.authorizationUrl(options.scopes === undefined ? undefined : { scopes: options.scopes }).pipe(
        Effect.mapError((error) =>
          new SignInFailed({ reason: error._tag === "ConfigurationError" ? "Configuration" : "Exchange", detail: error.message, error })
        )
      )
      const now = yield* Clock.currentTimeMillis
      const value = yield* pending.put(encodePending({ v: 1, request: authorization, returnTo, exp: now + pendingTtl }), now)
      return HttpServerResponse.unsafeSetCookie(
        HttpServerResponse.redirect(authorization.url, { status: 302, headers: noStore }),
        names.pending,
        value,
        cookieOptions(origin, base === "" ? "/" : base, pendingTtl)
      )
    }).pipe(Effect.catchAll(onError), Effect.withSpan("WebSignIn.login"))

    const completeSignIn = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function*() {
        const value = request.cookies[names.pending]
        if (value === undefined || value === "") return yield* fail("MissingPendingRequest")
        const taken = yield* pending.take(value)
        if (taken.exp <= (yield* Clock.currentTimeMillis)) return yield* fail("PendingRequestExpired")
        const response = yield* Callback.parse(request.url, taken.request).pipe(
          Effect.mapError((error) => new SignInFailed({ reason: "Callback", detail: error.message, error }))
        )
        const tokens = yield* client.exchangeCode(response).pipe(
          Effect.mapError((error) => new SignInFailed({ reason: "Exchange", detail: error.message, error }))
        )
        const kept = options.onSignIn === undefined ? tokens : yield* options.onSignIn(tokens).pipe(
          Effect.mapError((error) =>
            OAuthError.isCoreError(error)
              ? new SignInFailed({ reason: "Exchange", detail: error.message, error })
              : fail("Exchange", "the app's onSignIn failed")
          )
        )
        const key = { provider: options.provider, account: yield* userKey(kept) }
        yield* persist(key, kept)
        // A session of this user still in memory (revoked at sign-out, or holding an
        // older grant) would not see the new entry: the next use starts from the store.
        yield* registry.release(key)
        return { key, returnTo: taken.returnTo }
      })

    const callback = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const origin = originOf(request)
      // The pending request is good for one callback, whatever its outcome.
      const done = (response: HttpServerResponse.HttpServerResponse) =>
        expire(response, origin, names.pending, base === "" ? "/" : base)
      return yield* completeSignIn(request).pipe(
        Effect.flatMap(({ key, returnTo }) =>
          Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            // A new value on every sign-in (fresh `sid`, fresh IV): a cookie planted before sign-in is replaced.
            const sid = Encoding.encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)))
            const value = yield* sealer.seal(names.session, { v: 1, ...key, sid, exp: now + sessionTtl })
            return HttpServerResponse.unsafeSetCookie(
              redirect(returnTo),
              names.session,
              value,
              cookieOptions(origin, "/", sessionTtl)
            )
          })
        ),
        Effect.catchAll(onError),
        Effect.map(done)
      )
    }).pipe(Effect.withSpan("WebSignIn.callback"))

    const endSessionUrl = (): string | undefined => {
      if (options.endSession === undefined || options.endSession === false) return undefined
      const endpoint = client.provider.metadata?.["end_session_endpoint"]
      if (typeof endpoint !== "string") return undefined
      const url = new URL(endpoint)
      url.searchParams.set("client_id", client.clientId)
      url.searchParams.set("post_logout_redirect_uri", options.endSession.postLogoutRedirectUri)
      return url.toString()
    }

    const logout = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const origin = originOf(request)
      // A cross-site form post carries no Lax cookie; the Origin check refuses it even so.
      const from = request.headers["origin"]
      if (from !== undefined && from !== origin.origin) return yield* onError(fail("CrossOrigin"))
      const user = yield* readUser(request)
      if (Option.isSome(user)) {
        yield* registry.revoke(user.value).pipe(
          Effect.catchAll((error) => Effect.logWarning(`sign-out: ${error.message}`))
        )
        yield* registry.release(user.value)
      }
      const response = redirect(Option.isSome(user) ? endSessionUrl() ?? afterSignOut : afterSignOut)
      return expire(response, origin, names.session, "/")
    }).pipe(Effect.withSpan("WebSignIn.logout"))

    const routes = HttpRouter.empty.pipe(
      HttpRouter.get(paths.login, login),
      HttpRouter.get(paths.callback, callback),
      HttpRouter.post(paths.logout, logout)
    )

    const signedIn = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function*() {
        const key = yield* readUser(request)
        if (Option.isNone(key)) return Option.none<WebSignIn.User>()
        // A store that cannot be read is a failure, not a sign-out: the cookie stays.
        const session = yield* registry.get(key.value)
        const state = yield* session.state
        if (state === "unauthorized" || state === "revoked") return Option.none<WebSignIn.User>()
        return Option.some<WebSignIn.User>({
          key: key.value,
          session,
          httpClient: AuthorizedHttpClient.make(session, httpClient)
        })
      })

    const user: Effect.Effect<
      Option.Option<WebSignIn.User>,
      SessionRegistry.StartError,
      HttpServerRequest.HttpServerRequest | Scope.Scope
    > = Effect.flatMap(HttpServerRequest.HttpServerRequest, signedIn)

    const requireUser = (onMissing?: WebSignIn.OnMissing) =>
    <E, R>(handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const found = yield* signedIn(request).pipe(Effect.either)
        if (Either.isLeft(found)) {
          yield* Effect.logWarning(`sign-in check: ${found.left.message}`)
          return HttpServerResponse.text("sign-in is unavailable, try again", { status: 503, headers: noStore })
        }
        if (Option.isSome(found.right)) return yield* Effect.provideService(handler, CurrentUser, found.right.value)
        const origin = originOf(request)
        const here = new URL(request.url, origin)
        const missing = onMissing === "unauthorized" || request.method !== "GET"
          ? HttpServerResponse.text("sign-in required", { status: 401, headers: noStore })
          : typeof onMissing === "object"
          ? redirect(onMissing.redirect)
          : redirect(`${paths.login}?returnTo=${encodeURIComponent(here.pathname + here.search)}`)
        return request.cookies[names.session] === undefined ? missing : expire(missing, origin, names.session, "/")
      })

    return { paths, cookieNames: names, routes, login, callback, logout, user, requireUser }
  })

