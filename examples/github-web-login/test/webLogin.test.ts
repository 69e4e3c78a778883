import { Print, UserAgent } from "@effect-oauth/example-shared"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as App from "../src/app.js"

/** Starts a sign-in in `browser` and returns GitHub's redirect back to the app, not yet opened. */
const approvedCallback = (running: App.Running, browser: UserAgent.Browser) =>
  Effect.gen(function*() {
    const connect = yield* browser.open(`${running.app.url}/auth/login`, { follow: false })
    const authorize = yield* browser.open(connect.hops[0]!.location!, { follow: false })
    return new URL(authorize.hops[0]!.location!)
  })

const tokenEndpointStatuses = (running: App.Running) =>
  Effect.map(
    running.github.served,
    (served) => served.filter((r) => r.path === "/login/oauth/access_token").map((r) => r.status)
  )

describe("github-web-login", () => {
  it.scoped("signs in end to end: / → connect → authorize with state and PKCE → callback → token → /user", () =>
    Effect.gen(function*() {
      const running = yield* App.start()
      const browser = UserAgent.browser()
      const home = yield* browser.open(`${running.app.url}/`)
      const link = home.body.match(/<a href="([^"]+)">Sign in with GitHub<\/a>/)?.[1]
      expect(link).toBe("/auth/login")
      const page = yield* browser.open(new URL(link!, running.app.url).toString())
      expect(page.status).toBe(200)
      expect(page.body).toContain("Signed in as octocat")
      expect(page.body).toContain("monalisa octocat")
      expect(page.hops.map((hop) => [new URL(hop.url).pathname, hop.status])).toEqual([
        ["/auth/login", 302],
        ["/login/oauth/authorize", 302],
        ["/auth/callback", 303],
        ["/user", 200]
      ])
      const authorize = new URL(page.hops[1]!.url)
      const callback = new URL(page.hops[2]!.url)
      expect(authorize.searchParams.get("state")).toHaveLength(43)
      expect(authorize.searchParams.get("code_challenge_method")).toBe("S256")
      expect(authorize.searchParams.get("redirect_uri")).toBe(running.app.callbackUrl)
      expect(callback.searchParams.get("state")).toBe(authorize.searchParams.get("state"))
      expect(running.github.tokenRequests()).toEqual([{ accept: "application/json", pkce: true }])
      const signedIn = yield* browser.open(`${running.app.url}/`)
      expect(signedIn.body).toContain("You are signed in")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("keeps the pending sign-in and the session in sealed cookies; a new value each sign-in, a forged one worthless, a replayed callback changes nothing", () =>
    Effect.gen(function*() {
      const running = yield* App.start()
      const browser = UserAgent.browser()
      const callback = yield* approvedCallback(running, browser)
      const pending = browser.cookies(running.app.url)["effect-oauth.pending"]
      expect(pending).toBeDefined()
      const page = yield* browser.open(callback.toString())
      expect(page.body).toContain("Signed in as octocat")
      const first = browser.cookies(running.app.url)["effect-oauth.session"]
      expect(first).toBeDefined()
      expect(browser.cookies(running.app.url)["effect-oauth.pending"]).toBe("")

      // A cookie the attacker made up, or the pending cookie's value put under the session's name, signs nobody in.
      for (const planted of ["octocat", pending!]) {
        const attacker = UserAgent.browser()
        attacker.setCookie(running.app.url, "effect-oauth.session", planted)
        const user = yield* attacker.open(`${running.app.url}/user`)
        expect(user.hops.map((hop) => new URL(hop.url).pathname)).toEqual(["/user", "/"])
        expect(user.body).toContain("Sign in with GitHub")
      }

      // The same callback again (a reload, a replay) changes nothing.
      const replayed = yield* browser.open(callback.toString())
      expect(replayed.status).toBe(400)
      expect(replayed.body).toContain("No sign-in in progress")
      expect((yield* browser.open(`${running.app.url}/user`)).body).toContain("Signed in as octocat")
      expect(running.github.tokenRequests()).toHaveLength(1)

      // Signing in again gives the session cookie a new value.
      yield* browser.open(`${running.app.url}/auth/login`)
      expect(browser.cookies(running.app.url)["effect-oauth.session"]).not.toBe(first)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("refuses a callback whose state this browser did not send, with a clear page, and signs nobody in", () =>
    Effect.gen(function*() {
      const running = yield* App.start()
      const browser = UserAgent.browser()
      const callback = yield* approvedCallback(running, browser)
      callback.searchParams.set("state", "a-state-from-another-browser-0123456789abcdef")
      const refused = yield* browser.open(callback.toString())
      expect(refused.status).toBe(403)
      expect(refused.body).toContain("Sign-in refused")
      expect(refused.body).toContain("<code>state</code> does not match")
      expect(running.github.tokenRequests()).toEqual([])
      const user = yield* browser.open(`${running.app.url}/user`)
      expect(user.hops.map((hop) => new URL(hop.url).pathname)).toEqual(["/user", "/"])
      expect(user.body).toContain("Sign in with GitHub")

      const stranger = yield* UserAgent.browser().open(callback.toString())
      expect(stranger.status).toBe(400)
      expect(stranger.body).toContain("This browser has not started a sign-in")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("signs the user out when GitHub no longer accepts the token (revoked at GitHub), and a new sign-in works", () =>
    Effect.gen(function*() {
      const running = yield* App.start()
      const browser = UserAgent.browser()
      yield* browser.open(`${running.app.url}/auth/login`)
      running.github.revokeTokens()
      const revoked = yield* browser.open(`${running.app.url}/user`)
      expect(revoked.status).toBe(401)
      expect(revoked.body).toContain("GitHub no longer accepts this app's authorization")
      const home = yield* browser.open(`${running.app.url}/`)
      expect(home.body).toContain("Sign in with GitHub")
      const again = yield* browser.open(`${running.app.url}/auth/login`)
      expect(again.body).toContain("Signed in as octocat")
      expect(running.github.tokenRequests()).toHaveLength(2)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("tells a user who cancelled at GitHub (error=access_denied) that nothing was signed in", () =>
    Effect.gen(function*() {
      const running = yield* App.start()
      running.github.denyNext()
      const page = yield* UserAgent.browser().open(`${running.app.url}/auth/login`)
      expect(page.status).toBe(403)
      expect(page.body).toContain("Sign-in cancelled")
      expect(page.body).toContain("<code>access_denied</code>: The user has denied your application access.). Nothing was signed in.")
      expect(running.github.tokenRequests()).toEqual([])
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("shows GitHub's error-in-200 for an expired code (bad_verification_code), and a new sign-in works", () =>
    Effect.gen(function*() {
      const running = yield* App.start()
      const browser = UserAgent.browser()
      const callback = yield* approvedCallback(running, browser)
      // "The temporary code will expire after 10 minutes."
      yield* TestClock.adjust("11 minutes")
      const failed = yield* browser.open(callback.toString())
      expect(failed.status).toBe(400)
      expect(failed.body).toContain("Sign-in failed")
      expect(failed.body).toContain("<code>invalid_grant</code> (GitHub's <code>bad_verification_code</code>): The code passed is incorrect or expired.")
      expect(yield* tokenEndpointStatuses(running)).toEqual([200])
      const again = yield* browser.open(`${running.app.url}/auth/login`)
      expect(again.body).toContain("Signed in as octocat")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("reports a wrong client secret (incorrect_client_credentials, HTTP 200) as a configuration error", () =>
    Effect.gen(function*() {
      const running = yield* App.start({ clientSecret: "not-the-registered-secret" })
      const page = yield* UserAgent.browser().open(`${running.app.url}/auth/login`)
      expect(page.status).toBe(500)
      expect(page.body).toContain("Sign-in is misconfigured")
      expect(page.body).toContain("incorrect_client_credentials")
      expect(page.body).not.toContain("not-the-registered-secret")
      expect(yield* tokenEndpointStatuses(running)).toEqual([200])
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("the walk-through prints no code, state, token or secret", () =>
    Effect.gen(function*() {
      const [running, output] = yield* Print.capture(App.program)
      expect(output).toContain(`200 "Signed in as octocat"`)
      expect(output).toContain(`403 "Sign-in refused"`)
      expect(output).toContain("incorrect_client_credentials")
      const issued = running.github.issued()
      expect(issued.length).toBeGreaterThan(2)
      expect(Print.leaks(output, issued)).toEqual([])
      expect(output).not.toMatch(/state=[A-Za-z0-9_-]{20}/)
      // Every answer of the local GitHub was a documented shape.
      expect((yield* running.github.served).filter((r) => !r.source.startsWith("https://docs.github.com/"))).toEqual([])
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
