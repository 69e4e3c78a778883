import { Callback } from "@effect-oauth/core"
import type { OAuthSession, SessionError } from "@effect-oauth/session"
import { Console, Deferred, Duration, Effect, Either, Runtime } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { Browser } from "../Browser.js"
import type * as Loopback from "../Loopback.js"
import { LoopbackError } from "../Loopback.js"

interface Received {
  /** The callback as the browser requested it, on the redirect URI. */
  readonly url: string
  readonly respond: (status: number, page: string) => Promise<void>
}

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** A page without scripts, styles from elsewhere, or anything of the callback in it. @internal */
export const page = (title: string, text: string): string =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
  `<body style="font-family:sans-serif;margin:3em"><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`

const headers = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
  "referrer-policy": "no-referrer",
  connection: "close"
}

const answer = (response: Http.ServerResponse, status: number, body: string) =>
  new Promise<void>((resolve) => {
    response.writeHead(status, headers)
    response.end(body, () => resolve())
  })

const listen = (port: number, handler: Http.RequestListener) =>
  Effect.acquireRelease(
    Effect.async<Http.Server, LoopbackError>((resume) => {
      const server = Http.createServer(handler)
      server.once("error", (error: NodeJS.ErrnoException) =>
        resume(Effect.fail(new LoopbackError({ reason: "Listen", detail: error.code ?? error.name }))))
      server.listen(port, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
  )

const failureText = (error: SessionError.AuthorizationFailed | LoopbackError): string => {
  if (error._tag === "LoopbackError") return "The program stopped waiting for this sign-in."
  const cause = error.cause
  const code = cause?._tag === "AuthorizationDenied" || cause?._tag === "OAuthError" ? ` (${cause.error})` : ""
  return `Sign-in failed: ${error.reason}${code}. Return to the program for details.`
}

const printUrl = (url: string, opened: boolean) =>
  Console.error(
    opened
      ? `Opened the browser to sign in. If it did not open, visit:\n  ${url}`
      : `Open this URL in a browser to sign in:\n  ${url}`
  )

/** @internal */
export const authorize = (
  session: OAuthSession.OAuthSession,
  options: Loopback.Options = {}
) =>
  Effect.scoped(Effect.gen(function*() {
    const browser = yield* Browser
    const runtime = yield* Effect.runtime<never>()
    const path = options.path ?? "/callback"
    const received = yield* Deferred.make<Received>()
    let request: Callback.AuthorizationRequest | undefined
    let accepted = false

    const handler: Http.RequestListener = (incoming, response) => {
      const url = new URL(incoming.url ?? "/", "http://127.0.0.1")
      if (url.pathname !== path || accepted || request === undefined) {
        void answer(response, 404, page("Not found", "Nothing is waiting here."))
        return
      }
      if (incoming.method !== "GET") {
        void answer(response, 405, page("Method not allowed", "The sign-in callback is a GET request."))
        return
      }
      // Only the state decides whether this request answers our authorization
      // (the issuer and the rest are the session's to check): a request with a
      // wrong state, from a page that guessed the port, must not end the flow.
      const stateOnly = new Callback.AuthorizationRequest({ ...request, issuer: undefined, issRequired: false })
      void Runtime.runPromise(runtime)(Effect.either(Callback.parse(url.searchParams, stateOnly))).then((parsed) => {
        if (Either.isLeft(parsed) && parsed.left._tag === "StateMismatch") {
          return answer(response, 400, page("Unexpected sign-in response", "This response does not belong to the sign-in in progress."))
        }
        if (accepted) return answer(response, 404, page("Not found", "Nothing is waiting here."))
        accepted = true
        Deferred.unsafeDone(
          received,
          Effect.succeed({
            url: `${redirectUri}${url.search}`,
            respond: (status, body) => answer(response, status, body)
          })
        )
      })
    }

    const server = yield* listen(options.port ?? 0, handler)
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`
    request = yield* session.authorize({
      redirectUri,
      ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
      ...(options.params === undefined ? {} : { params: options.params })
    })
    const opened = yield* Effect.either(browser.open(request.url))
    yield* (options.onAuthorizationUrl ?? printUrl)(request.url, Either.isRight(opened))

    const timeout = options.timeout === undefined ? Duration.minutes(5) : Duration.decode(options.timeout)
    const callback = yield* Deferred.await(received).pipe(
      // The session's own authorization may end first (its timeout, a newer one).
      Effect.raceFirst(Effect.flatMap(session.awaitAuthorization, () => Effect.never)),
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => new LoopbackError({ reason: "Timeout", detail: `after ${Duration.format(timeout)}` })
      })
    )
    const result = yield* Effect.either(session.completeAuthorization(callback.url))
    yield* Effect.promise(() =>
      Either.isRight(result)
        ? callback.respond(200, page("Signed in", "You can close this window and return to the program."))
        : callback.respond(400, page("Sign-in failed", failureText(result.left)))
    )
    return yield* result
  }))
