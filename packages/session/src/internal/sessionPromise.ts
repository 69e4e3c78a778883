import type { OAuthClient } from "@effect-oauth/core"
import { TokenSet, WwwAuthenticate } from "@effect-oauth/core"
import { Cause, Effect, Either, Exit, Redacted, Runtime, Scope } from "effect"
import type { ManagedRuntime } from "effect"
import type { OAuthSession, Options as SessionOptions } from "../OAuthSession.js"
import { make as makeSession } from "../OAuthSession.js"
import type * as SessionPromise from "../SessionPromise.js"
import type { TokenStore } from "../TokenStore.js"
import { resolve } from "./config.js"
import { stateOf } from "./view.js"

/** A failure as the session's own error: the typed failure when there is one. */
const settle = <A, E>(exit: Exit.Exit<A, E>): Promise<A> =>
  Exit.isSuccess(exit) ? Promise.resolve(exit.value) : Promise.reject(Cause.squash(exit.cause))

/**
 * RFC 6750 §3.1: only `invalid_token` says a new token may help.
 */
const isInvalidToken = (response: Response): boolean => {
  const header = response.headers.get("www-authenticate")
  if (header === null) return false
  return Either.match(WwwAuthenticate.fromHeaders({ "www-authenticate": header }), {
    onLeft: () => false,
    onRight: (challenges) => challenges.some((challenge) => challenge.error === "invalid_token")
  })
}

/** A body `fetch` can send twice. */
const replayable = (body: RequestInit["body"]): boolean => body === undefined || body === null || typeof body === "string"

/** @internal */
export const fromSession = (
  session: OAuthSession,
  options?: SessionPromise.Options | undefined
): Effect.Effect<SessionPromise.SessionPromise> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    const clock = yield* Effect.clock
    const run = Runtime.runPromiseExit(runtime)
    const { margin } = resolve({ key: session.key, refresh: "lazy", refreshWindow: options?.refreshWindow })
    const send = options?.fetch ?? globalThis.fetch
    const actor = session.actor

    // The token handed out without asking the machine: held in `authorized`,
    // neither rejected nor lapsed, not expired and outside the refresh window.
    // Anything else (a refresh due or in flight, a failure kept) is the session's
    // to decide.
    const fresh = (): TokenSet.TokenSet | undefined => {
      const snapshot = actor.getSnapshot()
      if (snapshot.value !== "authorized") return undefined
      const { lapsed, rejected, tokens } = snapshot.context
      if (tokens === undefined || rejected || lapsed) return undefined
      return TokenSet.needsRefresh(tokens, clock.unsafeCurrentTimeMillis(), margin) ? undefined : tokens
    }

    const tokens = (): Promise<TokenSet.TokenSet> => {
      const held = fresh()
      return held === undefined ? run(session.tokens).then(settle) : Promise.resolve(held)
    }

    const accessToken = (): Promise<string> => {
      const held = fresh()
      return held === undefined
        ? run(session.accessToken).then(settle).then(Redacted.value)
        : Promise.resolve(Redacted.value(held.accessToken))
    }

    const authorized = async (url: URL, method: string, init: RequestInit | undefined) => {
      const held = await tokens()
      const headers = new Headers(init?.headers)
      headers.set("authorization", `${held.tokenType} ${Redacted.value(held.accessToken)}`)
      const dpop = session.dpop
      if (held.tokenType === "DPoP" && dpop !== undefined) {
        const proof = await run(dpop.proof({ method, url, accessToken: held.accessToken })).then(settle)
        headers.set("dpop", Redacted.value(proof))
      }
      const response = await send(url, { ...init, method, headers, redirect: "manual" })
      if (held.tokenType === "DPoP" && dpop !== undefined) {
        const nonce = response.headers.get("dpop-nonce")
        if (nonce !== null) await run(dpop.remember(url, { "dpop-nonce": nonce })).then(settle)
      }
      return { held, response }
    }

    const fetch = async (input: string | URL, init?: RequestInit | undefined): Promise<Response> => {
      const url = new URL(input)
      const method = (init?.method ?? "GET").toUpperCase()
      const first = await authorized(url, method, init)
      if (first.response.status !== 401 || !replayable(init?.body) || !isInvalidToken(first.response)) {
        return first.response
      }
      await first.response.body?.cancel()
      await run(session.tokenRejected(first.held.accessToken)).then(settle)
      return (await authorized(url, method, init)).response
    }

    return {
      key: session.key,
      accessToken,
      fetch,
      authorize: (authorizeOptions) => run(session.authorize(authorizeOptions)).then(settle),
      completeAuthorization: (callbackUrl) => run(session.completeAuthorization(callbackUrl)).then(settle),
      revoke: () => run(session.revoke).then(settle),
      state: () => stateOf(actor.getSnapshot()),
      session,
      close: () => Promise.resolve()
    }
  })

/** @internal */
export const start = async <E>(
  runtime: ManagedRuntime.ManagedRuntime<OAuthClient.OAuthClient | TokenStore, E>,
  options: SessionOptions & { readonly fetch?: typeof globalThis.fetch | undefined }
): Promise<SessionPromise.SessionPromise> => {
  const scope = await runtime.runPromise(Scope.make())
  const exit = await runtime.runPromiseExit(
    makeSession(options).pipe(
      Effect.flatMap((session) => fromSession(session, { refreshWindow: options.refreshWindow, fetch: options.fetch })),
      Scope.extend(scope)
    )
  )
  if (Exit.isFailure(exit)) {
    await runtime.runPromise(Scope.close(scope, exit))
    return settle(exit)
  }
  let closed: Promise<void> | undefined
  return {
    ...exit.value,
    close: () => (closed ??= runtime.runPromise(Scope.close(scope, Exit.void)))
  }
}
