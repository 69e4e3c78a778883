import { WebHandler } from "@effect-oauth/http"
import { TestServer } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { secret } from "./helpers.js"

/** A browser's cookie jar over `fetch`, redirects not followed. */
const browser = (origin: string) => {
  const jar = new Map<string, string>()
  const open = (path: string, init: RequestInit = {}) =>
    Effect.promise(async () => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ")
      const response = await fetch(new URL(path, origin), { ...init, redirect: "manual", headers: { cookie } })
      for (const line of response.headers.getSetCookie()) {
        const [name, value] = line.split(";")[0]!.split("=") as [string, string]
        if (value === "") jar.delete(name)
        else jar.set(name, value)
      }
      return { response, body: await response.text() }
    })
  return { jar, open }
}

describe("WebHandler / node", () => {
  it.scopedLive("signs in and out through a plain node:http server, and user() reads the cookie", () =>
    Effect.gen(function*() {
      // The app's port decides its redirect URI, so it listens before the server starts.
      let auth: WebHandler.WebHandler | undefined
      const http = createServer((request, response) => {
        auth!.node(request, response, () => {
          void auth!.user(request).then(async (user) => {
            if (user === undefined) return response.writeHead(401).end("signed out")
            const token = await user.accessToken()
            response.writeHead(200).end(`${user.key.account} ${Redacted.value(token).length > 0}`)
          })
        })
      })
      yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))),
        () => Effect.promise(() => new Promise<void>((resolve) => http.close(() => resolve())))
      )
      const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
      const server = yield* TestServer.make({ redirectUri: `${origin}/auth/callback` })
      auth = WebHandler.make({ provider: { issuer: server.issuer }, client: TestServer.clientConfig(server.clients.web), secret })
      yield* Effect.addFinalizer(() => Effect.promise(() => auth!.dispose()))
      const b = browser(origin)

      expect((yield* b.open("/me")).response.status).toBe(401)
      const login = yield* b.open("/auth/login?returnTo=/me")
      expect(login.response.status).toBe(302)
      const callback = new URL(yield* server.approve(login.response.headers.get("location")!, { accountId: "bob" }))
      const landed = yield* b.open(`${callback.pathname}${callback.search}`)
      expect(landed.response.status).toBe(303)
      expect(landed.response.headers.get("location")).toBe("/me")
      const me = yield* b.open("/me")
      expect(me.body).toBe("bob true")
      const logout = yield* b.open("/auth/logout", { method: "POST" })
      expect(logout.response.status).toBe(303)
      expect((yield* b.open("/me")).response.status).toBe(401)
      expect((yield* b.open("/auth/nothing")).response.status).toBe(404)
    }), 60_000)
})

describe("WebHandler / fetch", () => {
  it.scopedLive("answers web-standard Requests as Hono or Next.js would hand them over, refusals included", () =>
    Effect.gen(function*() {
      const origin = "http://127.0.0.1:8081"
      const server = yield* TestServer.make({ redirectUri: `${origin}/auth/callback` })
      const auth = WebHandler.make({ provider: { issuer: server.issuer }, client: TestServer.clientConfig(server.clients.web), secret })
      yield* Effect.addFinalizer(() => Effect.promise(() => auth.dispose()))
      const login = yield* Effect.promise(() => auth.fetch(new Request(`${origin}/auth/login`)))
      expect(login.status).toBe(302)
      const pending = login.headers.getSetCookie()[0]!.split(";")[0]!
      const callbackUrl = yield* server.approve(login.headers.get("location")!)
      const withoutCookie = yield* Effect.promise(() => auth.fetch(new Request(callbackUrl)))
      expect(withoutCookie.status).toBe(400)
      const done = yield* Effect.promise(() => auth.fetch(new Request(callbackUrl, { headers: { cookie: pending } })))
      expect(done.status).toBe(303)
      const session = done.headers.getSetCookie().find((c) => c.startsWith("effect-oauth.session="))!.split(";")[0]!
      const user = yield* Effect.promise(() => auth.user(new Request(`${origin}/`, { headers: { cookie: session } })))
      expect(user?.key).toEqual({ provider: "idp", account: "user-1" })
      expect(yield* Effect.promise(() => auth.user(new Request(`${origin}/`)))).toBeUndefined()
    }), 60_000)

  it.live("rejects a request while discovery fails", () =>
    Effect.gen(function*() {
      const auth = WebHandler.make({
        provider: { issuer: "http://127.0.0.1:9/unreachable" },
        client: { clientId: "app", redirectUri: "http://127.0.0.1:8081/auth/callback" },
        secret
      })
      const result = yield* Effect.promise(() => auth.fetch(new Request("http://127.0.0.1:8081/auth/login")).then(() => "ok", () => "rejected"))
      expect(result).toBe("rejected")
      yield* Effect.promise(() => auth.dispose())
    }), 60_000)
})
