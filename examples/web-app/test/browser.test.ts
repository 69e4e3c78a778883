import { SessionRegistry } from "@effect-oauth/session"
import * as Browser from "@effect-oauth/testing/Browser"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Option, Redacted } from "effect"
import type * as Puppeteer from "puppeteer-core"
import { start } from "../src/app.js"

const path = Browser.executablePath()
const skipReason = "skipped: no Chromium (eval \"$(scripts/chromium.sh)\" installs it)"
if (path === undefined && process.env["CI"] === "true") {
  throw new Error("CI=true but Chromium is missing: the browser tests would be skipped")
}

const accessTokenTtl = 10
const key: SessionRegistry.Key = { provider: "idp", account: "alice" }

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)
const textOf = (page: Puppeteer.Page, selector: string) => promise(() => page.$eval(selector, (el) => el.textContent ?? ""))
/** Clicks and waits for the page the click leads to (through any redirects). */
const clickAndWait = (page: Puppeteer.Page, selector: string) =>
  promise(() => Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(selector)]))

/** What a token could look like in a page or a cookie: clear, base64, base64url, percent-encoded. */
const encodings = (value: string) => [
  value,
  Buffer.from(value).toString("base64"),
  Buffer.from(value).toString("base64url"),
  encodeURIComponent(value)
]

/** From the signed-out home page: "Sign in", the server's login and consent pages, back home signed in as alice. */
const signIn = (page: Puppeteer.Page, url: string, issuer: string) =>
  Effect.gen(function*() {
    yield* promise(() => page.goto(`${url}/`))
    expect(yield* textOf(page, "#status")).toBe("You are signed out")
    yield* clickAndWait(page, "#sign-in")
    expect(page.url().startsWith(issuer)).toBe(true)
    yield* promise(() => page.type("input[name=login]", "alice"))
    yield* promise(() => page.type("input[name=password]", "any password"))
    yield* clickAndWait(page, "button[type=submit]")
    expect(yield* promise(() => page.content())).toContain("consent")
    yield* clickAndWait(page, "button[type=submit]")
    expect(page.url()).toBe(`${url}/`)
    expect(yield* textOf(page, "#name")).toBe("alice")
  })

describe.skipIf(path === undefined)(`web-app in Chromium (${path === undefined ? skipReason : path})`, () => {
  it.scopedLive("signs in at the embedded server, calls the API through a refresh, signs out; back shows signed out", () =>
    Effect.gen(function*() {
      const running = yield* start({ accessTokenTtl })
      const browser = yield* Browser.launch
      const page = yield* promise(() => browser.newPage())
      const seen: Array<string> = []
      const look = Effect.gen(function*() {
        seen.push(yield* promise(() => page.content()))
        // Every cookie of the browser, the pending sign-in's (path /auth) and the server's included.
        const all = yield* promise(() => browser.defaultBrowserContext().cookies())
        seen.push(...all.map((c) => `${c.name}=${c.value}`))
      })

      yield* promise(() => page.goto(`${running.url}/`))
      expect(yield* textOf(page, "#status")).toBe("You are signed out")

      // "Sign in" → the authorization server's login page, then its consent page.
      yield* clickAndWait(page, "#sign-in")
      expect(page.url().startsWith(running.server.issuer)).toBe(true)
      yield* look
      expect(seen.some((c) => c.startsWith("effect-oauth.pending="))).toBe(true)
      yield* promise(() => page.type("input[name=login]", "alice"))
      yield* promise(() => page.type("input[name=password]", "any password"))
      yield* clickAndWait(page, "button[type=submit]")
      expect(yield* promise(() => page.content())).toContain("consent")
      yield* clickAndWait(page, "button[type=submit]")

      // Back at the app, signed in, the name shown.
      if (page.url() !== `${running.url}/`) console.log(yield* promise(() => page.content()))
      expect(page.url()).toBe(`${running.url}/`)
      expect(yield* textOf(page, "#name")).toBe("alice")
      yield* look
      const cookies = yield* promise(() => page.cookies())
      const session = cookies.find((c) => c.name === "effect-oauth.session")
      expect(session?.httpOnly).toBe(true)
      expect(session?.sameSite).toBe("Lax")
      expect(cookies.some((c) => c.name === "effect-oauth.pending")).toBe(false)

      yield* clickAndWait(page, "#profile")
      expect(yield* textOf(page, "#sub")).toBe("alice")
      yield* look
      const first = yield* running.app.registry.tokens(key)
      expect((yield* running.server.tokenRequests).byGrantType["refresh_token"] ?? 0).toBe(0)

      // Past the access token's expiry, the API page again: one refresh at the server.
      const now = yield* Clock.currentTimeMillis
      yield* Effect.sleep(first.expiresAt! - now + 500)
      yield* promise(() => page.reload({ waitUntil: "load" }))
      expect(yield* textOf(page, "#sub")).toBe("alice")
      yield* look
      expect((yield* running.server.tokenRequests).byGrantType["refresh_token"]).toBe(1)
      const second = yield* running.app.registry.tokens(key)
      expect(Redacted.value(second.accessToken)).not.toBe(Redacted.value(first.accessToken))

      // Sign out: the grant revoked at the server, the store emptied, the cookie gone.
      yield* clickAndWait(page, "#sign-out")
      expect(page.url()).toBe(`${running.url}/`)
      expect(yield* textOf(page, "#status")).toBe("You are signed out")
      yield* look
      expect((yield* promise(() => page.cookies())).some((c) => c.name === "effect-oauth.session")).toBe(false)
      const introspection = yield* running.app.client.introspect(second.refreshToken!, { hint: "refresh_token" })
      expect(introspection.active).toBe(false)
      expect(Option.isNone(yield* running.app.registry.tokens(key).pipe(Effect.option))).toBe(true)

      // The back button: the profile page is asked for again (no-store) and shows signed out.
      yield* promise(() => page.goBack({ waitUntil: "load" }))
      expect(page.url()).toBe(`${running.url}/`)
      expect(yield* textOf(page, "#status")).toBe("You are signed out")
      yield* look

      // No page and no cookie the browser held ever carried a token, in any encoding.
      for (const tokens of [first, second]) {
        const values = [tokens.accessToken, tokens.refreshToken, tokens.idToken].flatMap((v) =>
          v === undefined ? [] : [Redacted.value(v)]
        )
        for (const value of values.flatMap(encodings)) {
          for (const text of seen) expect(text.includes(value)).toBe(false)
        }
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)), 120_000)

  it.scopedLive("with endSession, signs out at the server's end_session_endpoint too and comes back signed out", () =>
    Effect.gen(function*() {
      const running = yield* start({ endSession: true })
      const browser = yield* Browser.launch
      const page = yield* promise(() => browser.newPage())
      const serverSession = Effect.map(
        promise(() => browser.defaultBrowserContext().cookies()),
        (cookies) => cookies.some((c) => c.name === "_session")
      )
      yield* signIn(page, running.url, running.server.issuer)
      const tokens = yield* running.app.registry.tokens(key)
      expect(yield* serverSession).toBe(true)

      // Sign out: the app revokes and clears, then hands the browser to the server's
      // end-session page (RP-Initiated Logout), which asks before ending its own session.
      yield* clickAndWait(page, "#sign-out")
      const endSession = new URL(page.url())
      expect(`${endSession.origin}${endSession.pathname}`).toBe(String(running.app.client.provider.metadata?.["end_session_endpoint"]))
      expect(endSession.searchParams.get("post_logout_redirect_uri")).toBe(`${running.url}/`)
      expect((yield* promise(() => page.cookies(running.url))).some((c) => c.name === "effect-oauth.session")).toBe(false)
      yield* clickAndWait(page, "button[name=logout][value=yes]")

      // Back at the app, signed out at both ends.
      expect(page.url()).toBe(`${running.url}/`)
      expect(yield* textOf(page, "#status")).toBe("You are signed out")
      expect(yield* serverSession).toBe(false)
      const introspection = yield* running.app.client.introspect(tokens.refreshToken!, { hint: "refresh_token" })
      expect(introspection.active).toBe(false)
      expect(Option.isNone(yield* running.app.registry.tokens(key).pipe(Effect.option))).toBe(true)

      // Signing in again asks for the login at the server: its session is gone too.
      yield* clickAndWait(page, "#sign-in")
      expect(yield* promise(() => page.$("input[name=login]"))).not.toBeNull()
    }).pipe(Effect.provide(FetchHttpClient.layer)), 120_000)
})
