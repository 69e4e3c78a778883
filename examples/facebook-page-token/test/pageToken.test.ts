import { Print, UserAgent } from "@effect-oauth/example-shared"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { AuthorizedHttpClient } from "@effect-oauth/session"
import { Effect, Either, Option, Redacted, TestClock } from "effect"
import * as App from "../src/app.js"
import * as Graph from "../src/graph.js"

const day = 24 * 3600 * 1000

describe("facebook-page-token", () => {
  it.scoped("exchanges the short-lived user token for a 60-day one, stores it, and debug_token confirms it", () =>
    Effect.gen(function*() {
      const env = yield* App.environment
      const { longLived, session, shortLived } = yield* App.signIn(env, yield* Effect.scope)
      expect(shortLived.expiresAt! - shortLived.issuedAt).toBe(5400 * 1000)
      expect(shortLived.refreshToken).toBeUndefined()
      expect(longLived.expiresAt! - longLived.issuedAt).toBe(5183944 * 1000)
      expect(longLived.scopes).toEqual(App.scopes)
      expect(env.server.tokenRequests()).toEqual({ authorization_code: 1, fb_exchange_token: 1 })
      const tokenCalls = (yield* env.server.served).filter((r) => r.path.endsWith("/oauth/access_token"))
      expect(tokenCalls.map((r) => [r.method, r.status])).toEqual([["GET", 200], ["GET", 200]])

      const stored = yield* env.store.get(App.sessionKey)
      expect(Option.map(stored, (e) => Redacted.value(e.tokens.accessToken))).toEqual(
        Option.some(Redacted.value(longLived.accessToken))
      )
      expect(yield* session.state).toBe("authorized")
      expect(Redacted.value(yield* session.accessToken)).toBe(Redacted.value(longLived.accessToken))

      const result = yield* App.check(env, longLived.accessToken)
      expect(Either.isRight(result)).toBe(true)
      if (Either.isLeft(result)) return
      const checked = result.right
      expect(checked.appId).toBe(env.server.registration.appId)
      expect(checked.type).toBe("USER")
      expect(checked.expiresAt).toBe(longLived.expiresAt)
      expect(checked.dataAccessExpiresAt).toBe(90 * day)
      expect(checked.scopes).toEqual(App.scopes)

      const [page] = yield* Graph.pages(AuthorizedHttpClient.make(session, env.http), env.server.endpoints.graph)
      expect(page?.name).toBe("Corner Bakery")
      const pageCheck = yield* App.check(env, page!.accessToken)
      expect(Either.map(pageCheck, (token) => [token.type, token.expiresAt])).toEqual(Either.right(["PAGE", undefined]))
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("serves the 60-day token until its last millisecond without a request, then ends in unauthorized", () =>
    Effect.gen(function*() {
      const env = yield* App.environment
      const { longLived, session } = yield* App.signIn(env, yield* Effect.scope)
      const lifetime = longLived.expiresAt! - longLived.issuedAt
      // The expiry timer is longer than setTimeout's 2^31 − 1 ms; the session chains it.
      expect(lifetime).toBeGreaterThan(2 ** 31 - 1)
      yield* TestClock.adjust(2 ** 31)
      expect(yield* session.state).toBe("authorized")
      yield* TestClock.adjust(59 * day - 2 ** 31)
      expect(yield* session.state).toBe("authorized")
      expect(Redacted.value(yield* session.accessToken)).toBe(Redacted.value(longLived.accessToken))
      yield* TestClock.adjust(lifetime - 59 * day - 1)
      expect(yield* session.state).toBe("authorized")

      yield* TestClock.adjust(1)
      expect(yield* session.state).toBe("unauthorized")
      const lapsed = yield* Effect.either(session.accessToken)
      expect(Either.isLeft(lapsed)).toBe(true)
      if (Either.isRight(lapsed)) return
      expect(lapsed.left._tag).toBe("Unauthorized")
      expect(lapsed.left._tag === "Unauthorized" ? lapsed.left.reason : undefined).toBe("NoRefreshToken")
      expect(lapsed.left.remedy).toBe("reauthorize")
      expect(lapsed.left.message).toContain("authorize again")
      // No refresh was attempted: there is nothing to refresh with.
      expect(env.server.tokenRequests()).toEqual({ authorization_code: 1, fb_exchange_token: 1 })

      const checked = yield* App.check(env, longLived.accessToken)
      expect(Either.mapLeft(checked, (invalid) => [invalid.reason, invalid.code])).toEqual(Either.left(["Expired", "190/463"]))

      const again = yield* App.signIn(env, yield* Effect.scope)
      expect(yield* again.session.state).toBe("authorized")
      expect(Redacted.value(again.longLived.accessToken)).not.toBe(Redacted.value(longLived.accessToken))
      expect(again.longLived.expiresAt! - again.longLived.issuedAt).toBe(5183944 * 1000)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("refuses to extend an expired short-lived token and keeps the Graph error object in the OAuthError", () =>
    Effect.gen(function*() {
      const env = yield* App.environment
      const session = yield* App.openSession(env)
      const request = yield* session.authorize({ scopes: App.scopes })
      const shortLived = yield* session.completeAuthorization(yield* UserAgent.redirectOf(request.url))
      yield* TestClock.adjust("2 hours")
      const refused = yield* Effect.flip(App.extend(env, shortLived))
      expect(refused._tag).toBe("OAuthError")
      if (refused._tag !== "OAuthError") return
      expect(refused.error).toBe("invalid_grant")
      expect(refused.status).toBe(400)
      expect(refused.remedy).toBe("reauthorize")
      expect(refused.description).toMatch(/^Error validating access token: Session has expired on /)
      expect(refused.details).toMatchObject({ type: "OAuthException", code: 190, error_subcode: 463 })
      expect(typeof refused.details?.["fbtrace_id"]).toBe("string")
      expect(Print.leaks(refused.message, env.server.issued())).toEqual([])
      // The store still holds what the login stored; nothing was half written.
      const stored = yield* env.store.get(App.sessionKey)
      expect(Option.map(stored, (e) => Redacted.value(e.tokens.accessToken))).toEqual(
        Option.some(Redacted.value(shortLived.accessToken))
      )
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("the walk-through shows the expiry and the new login, and prints no code, token or secret", () =>
    Effect.gen(function*() {
      const [env, output] = yield* Print.capture(App.program(TestClock.adjust))
      expect(output).toContain("long-lived user token   <redacted, 36 chars>, expires in 60 days")
      expect(output).toContain("59 days later\n    session authorized")
      expect(output).toContain("Unauthorized: the access token expired and the grant has no refresh token")
      expect(output).toContain("InvalidToken (Expired): facebook reports the token expired 190/463")
      expect(output).toContain(`{"authorization_code":2,"fb_exchange_token":2}`)
      const issued = env.server.issued()
      expect(issued.length).toBeGreaterThan(6)
      expect(Print.leaks(output, issued)).toEqual([])
      // Every answer of the local Facebook was a documented shape.
      expect((yield* env.server.served).filter((r) => !r.source.startsWith("https://developers.facebook.com/"))).toEqual([])
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
