import { Browser, Loopback } from "@effect-oauth/node"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

interface Visit {
  readonly url: string
  readonly status: number
  readonly body: string
}

const visit = (url: string, init?: RequestInit) =>
  Effect.promise(async (): Promise<Visit> => {
    const response = await fetch(url, init)
    return { url, status: response.status, body: await response.text() }
  })

/** The session of the test server's native client, over a memory store. */
const sessionOf = (server: TestServer.TestServer) =>
  Effect.map(
    TestServer.session(server, { key: "cli", refresh: "lazy", client: server.clients.native }),
    ({ session, store }) => ({ session, store })
  )

/**
 * A browser played by the test: `before` runs first (stray requests), then the
 * user approves at the server and the browser follows the redirect to the
 * listener; `visits` gets every page it saw.
 */
const playBrowser = (
  server: TestServer.TestServer,
  options: {
    readonly deny?: boolean
    readonly before?: (callback: string) => Effect.Effect<ReadonlyArray<Visit>>
  } = {}
) =>
  Effect.gen(function*() {
    const visits = yield* Deferred.make<ReadonlyArray<Visit>>()
    const opened: Array<string> = []
    const browser: Browser.Service = {
      open: (url) =>
        Effect.sync(() => opened.push(url)).pipe(
          Effect.zipRight(Effect.forkDaemon(Effect.gen(function*() {
            const callback = yield* server.approve(url, { deny: options.deny === true })
            const strays = options.before === undefined ? [] : yield* options.before(callback)
            const final = yield* visit(callback)
            yield* Deferred.succeed(visits, [...strays, final])
          }))),
          Effect.asVoid
        )
    }
    return { layer: Layer.succeed(Browser.Browser, browser), visits: Deferred.await(visits), opened }
  })

const quiet = { onAuthorizationUrl: () => Effect.void }

describe("Loopback / authorize timeout", () => {
  it.scoped("fails with LoopbackError (Timeout) when no callback arrives, and closes the listener", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      const { session } = yield* sessionOf(server).pipe(Effect.provide(FetchHttpClient.layer))
      const told = yield* Deferred.make<string>()
      const fiber = yield* Effect.fork(
        Loopback.authorize(session, {
          timeout: "2 minutes",
          onAuthorizationUrl: (url) => Deferred.succeed(told, url)
        }).pipe(Effect.provide(Browser.layerNone))
      )
      const authorizationUrl = yield* Deferred.await(told)
      yield* TestClock.adjust("119 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "LoopbackError", reason: "Timeout" })
      expect(error.message).toBe("no authorization callback reached the loopback listener in time (after 2m)")
      const redirectUri = new URL(authorizationUrl).searchParams.get("redirect_uri")!
      expect((yield* Effect.either(Effect.tryPromise(() => fetch(redirectUri))))._tag).toBe("Left")
    }))
})

const Live = Layer.merge(TestServer.layer(), FetchHttpClient.layer)

layer(Live, { excludeTestServices: true, timeout: "30 seconds" })("Loopback / authorize against an authorization server", (it) => {
  it.scoped("listens on 127.0.0.1 with an ephemeral port, takes one callback, answers a page without secrets, and closes", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const { session, store } = yield* sessionOf(server)
      const browser = yield* playBrowser(server)
      const tokens = yield* Loopback.authorize(session, quiet).pipe(Effect.provide(browser.layer))
      expect(yield* session.state).toBe("authorized")
      const stored = yield* store.get("cli")
      expect(Option.map(stored, (entry) => entry.tokens)).toEqual(Option.some(tokens))

      const authorizationUrl = new URL(browser.opened[0]!)
      const redirectUri = authorizationUrl.searchParams.get("redirect_uri")!
      expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
      expect(new URL(redirectUri).port).not.toBe("0")
      expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256")

      const [page] = yield* browser.visits
      expect(page!.status).toBe(200)
      expect(page!.body).toContain("Signed in")
      const code = new URL(page!.url).searchParams.get("code")!
      for (const secret of [code, Redacted.value(tokens.accessToken), Redacted.value(tokens.refreshToken!)]) {
        expect(page!.body).not.toContain(secret)
      }
      expect(page!.body).not.toContain("<script")
      // Closed: nothing listens on the redirect URI any more.
      const after = yield* Effect.either(Effect.tryPromise(() => fetch(page!.url)))
      expect(after._tag).toBe("Left")
    }))

  it.scoped("answers a callback with another state 400, other paths 404 and POST 405, and keeps waiting", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const { session } = yield* sessionOf(server)
      const browser = yield* playBrowser(server, {
        before: (callback) =>
          Effect.gen(function*() {
            const forged = new URL(callback)
            forged.searchParams.set("state", "guessed")
            const noState = new URL(callback)
            noState.searchParams.delete("state")
            const other = new URL(callback)
            other.pathname = "/favicon.ico"
            return [
              yield* visit(forged.toString()),
              yield* visit(noState.toString()),
              yield* visit(other.toString()),
              yield* visit(callback, { method: "POST" })
            ]
          })
      })
      const tokens = yield* Loopback.authorize(session, quiet).pipe(Effect.provide(browser.layer))
      expect(tokens.refreshToken).toBeDefined()
      const visits = yield* browser.visits
      expect(visits.map((v) => v.status)).toEqual([400, 400, 404, 405, 200])
      expect(visits[0]!.body).toContain("does not belong to the sign-in in progress")
    }))

  it.scoped("ends with AuthorizationFailed (Callback, access_denied) and an error page when the user denies", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const { session } = yield* sessionOf(server)
      const browser = yield* playBrowser(server, { deny: true })
      const error = yield* Effect.flip(Loopback.authorize(session, quiet).pipe(Effect.provide(browser.layer)))
      expect(error).toMatchObject({ _tag: "AuthorizationFailed", reason: "Callback", cause: { _tag: "AuthorizationDenied" } })
      expect(yield* session.state).toBe("unauthorized")
      const [page] = yield* browser.visits
      expect(page!.status).toBe(400)
      expect(page!.body).toContain("Sign-in failed: Callback (access_denied)")
    }))

  it.scoped("prints the URL when no browser opens, and the user can still sign in with it", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const { session } = yield* sessionOf(server)
      const told: Array<[string, boolean]> = []
      const user = yield* Deferred.make<Visit>()
      const tokens = yield* Loopback.authorize(session, {
        onAuthorizationUrl: (url, opened) =>
          Effect.sync(() => told.push([url, opened])).pipe(
            Effect.zipRight(Effect.forkDaemon(
              Effect.flatMap(server.approve(url), (callback) => Effect.flatMap(visit(callback), (v) => Deferred.succeed(user, v)))
            ))
          )
      }).pipe(Effect.provide(Browser.layerNone))
      expect(told).toHaveLength(1)
      expect(told[0]![1]).toBe(false)
      expect((yield* Deferred.await(user)).status).toBe(200)
      expect(tokens.accessToken).toBeDefined()
    }))

  it.scoped("fails with LoopbackError (Listen) when the port is taken", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const { session } = yield* sessionOf(server)
      const busy = Http.createServer()
      yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve))),
        () => Effect.promise(() => new Promise<void>((resolve) => busy.close(() => resolve())))
      )
      const port = (busy.address() as AddressInfo).port
      const error = yield* Effect.flip(Loopback.authorize(session, { ...quiet, port }).pipe(Effect.provide(Browser.layerNone)))
      expect(error).toMatchObject({ _tag: "LoopbackError", reason: "Listen", detail: "EADDRINUSE" })
      expect(yield* session.state).toBe("unauthorized")
    }))
})
