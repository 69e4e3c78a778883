import { FetchHttpClient, HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { AuthorizedHttpClient } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { authorize, harness, session } from "./helpers/session.js"

interface Seen {
  readonly method: string
  readonly url: string
  readonly authorization: string | undefined
  readonly body: string
  readonly headers?: Readonly<Record<string, string>>
}

interface Reply {
  readonly status: number
  readonly headers?: Record<string, string>
  readonly body?: string
}

/** An `HttpClient` stub answering with `handler` and recording every request it receives. */
const stub = (handler: (seen: Seen, index: number) => Reply) => {
  const seen: Array<Seen> = []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      const entry: Seen = { method: request.method, url: url.toString(), authorization: request.headers["authorization"], body }
      // Kept out of `toEqual` comparisons of the recorded requests.
      Object.defineProperty(entry, "headers", { value: request.headers, enumerable: false })
      seen.push(entry)
      const reply = handler(entry, seen.length - 1)
      return HttpClientResponse.fromWeb(request, new Response(reply.body ?? null, { status: reply.status, headers: reply.headers ?? {} }))
    })
  )
  return { client, seen }
}

const invalidToken = { "www-authenticate": `Bearer realm="api", error="invalid_token", error_description="expired"` }

const setup = Effect.gen(function*() {
  const h = yield* harness()
  const s = yield* session(h)
  const tokens = yield* authorize(h, s)
  return { h, s, bearer: `Bearer ${Redacted.value(tokens.accessToken)}` }
})

describe("AuthorizedHttpClient", () => {
  it.scoped("sends the session's token as `Authorization: Bearer …`", () =>
    Effect.gen(function*() {
      const { bearer, s } = yield* setup
      const api = stub(() => ({ status: 200, body: "ok" }))
      const response = yield* AuthorizedHttpClient.make(s, api.client).get("https://api.example/me")
      expect(response.status).toBe(200)
      expect(api.seen).toEqual([{ method: "GET", url: "https://api.example/me", authorization: bearer, body: "" }])
    }))

  it.scoped("on 401 invalid_token, refreshes once and retries an idempotent request once with the new token", () =>
    Effect.gen(function*() {
      const { bearer, h, s } = yield* setup
      const api = stub((seen) => seen.authorization === bearer ? { status: 401, headers: invalidToken } : { status: 200 })
      const response = yield* AuthorizedHttpClient.make(s, api.client).execute(
        HttpClientRequest.put("https://api.example/items/1").pipe(HttpClientRequest.bodyText("payload"))
      )
      expect(response.status).toBe(200)
      expect(h.server.counts.refresh).toBe(1)
      expect(api.seen).toHaveLength(2)
      expect(api.seen[1]!.authorization).toBe(`Bearer ${Redacted.value(yield* s.accessToken)}`)
      expect(api.seen[1]!.authorization).not.toBe(bearer)
      expect(api.seen[1]!.body).toBe("payload")
    }))

  it.scoped("issue 11: after a 401 and a refresh, a POST is not sent twice unless its body is marked replayable", () =>
    Effect.gen(function*() {
      const { h, s } = yield* setup
      // The resource rejects the first two requests' tokens.
      const api = stub((_, index) => index < 2 ? { status: 401, headers: invalidToken } : { status: 200 })
      const client = AuthorizedHttpClient.make(s, api.client)
      const post = HttpClientRequest.post("https://api.example/payments").pipe(HttpClientRequest.bodyText("pay 10"))
      const once = yield* client.execute(post)
      expect(once.status).toBe(401)
      expect(api.seen).toHaveLength(1)
      // The token was reported rejected all the same: the session refreshed.
      expect(h.server.counts.refresh).toBe(1)
      const marked = yield* client.execute(post).pipe(AuthorizedHttpClient.withReplayableBody)
      expect(marked.status).toBe(200)
      expect(api.seen.map(({ body, method }) => [method, body])).toEqual([
        ["POST", "pay 10"],
        ["POST", "pay 10"],
        ["POST", "pay 10"]
      ])
      expect(h.server.counts.refresh).toBe(2)
    }))

  it.scoped("retries only once: a second 401 is returned as is", () =>
    Effect.gen(function*() {
      const { h, s } = yield* setup
      const api = stub(() => ({ status: 401, headers: invalidToken }))
      const response = yield* AuthorizedHttpClient.make(s, api.client).get("https://api.example/me")
      expect(response.status).toBe(401)
      expect(api.seen).toHaveLength(2)
      expect(h.server.counts.refresh).toBe(1)
    }))

  it.scoped("does not refresh for a 401 without invalid_token or a 403 insufficient_scope", () =>
    Effect.gen(function*() {
      const { h, s } = yield* setup
      const replies: Array<Reply> = [
        { status: 401, headers: { "www-authenticate": `Bearer realm="api"` } },
        { status: 403, headers: { "www-authenticate": `Bearer error="insufficient_scope", scope="admin"` } },
        { status: 401 }
      ]
      const api = stub((_, index) => replies[index]!)
      const client = AuthorizedHttpClient.make(s, api.client)
      for (const reply of replies) expect((yield* client.get("https://api.example/me")).status).toBe(reply.status)
      expect(api.seen).toHaveLength(3)
      expect(h.server.counts.refresh).toBe(0)
    }))

  it.scoped("reads the challenges: invalid_token in a second challenge retries; the words in a quoted description or a malformed header do not", () =>
    Effect.gen(function*() {
      const { h, s } = yield* setup
      const replies: Array<Reply> = [
        { status: 401, headers: { "www-authenticate": `Bearer error_description="not error=invalid_token"` } },
        { status: 401, headers: { "www-authenticate": `Bearer error="invalid_token", error="invalid_token"` } },
        { status: 401, headers: { "www-authenticate": `Basic realm="x", Bearer error="invalid_token"` } },
        { status: 200 }
      ]
      const api = stub((_, index) => replies[index]!)
      const client = AuthorizedHttpClient.make(s, api.client)
      expect((yield* client.get("https://api.example/me")).status).toBe(401)
      expect((yield* client.get("https://api.example/me")).status).toBe(401)
      expect(h.server.counts.refresh).toBe(0)
      expect((yield* client.get("https://api.example/me")).status).toBe(200)
      expect(api.seen).toHaveLength(4)
      expect(h.server.counts.refresh).toBe(1)
    }))

  it.scoped("concurrent 401s for the same token cause one refresh", () =>
    Effect.gen(function*() {
      const { bearer, h, s } = yield* setup
      const api = stub((seen) => seen.authorization === bearer ? { status: 401, headers: invalidToken } : { status: 200 })
      const client = AuthorizedHttpClient.make(s, api.client)
      const responses = yield* Effect.all(
        Array.from({ length: 20 }, (_, i) => client.get(`https://api.example/items/${i}`)),
        { concurrency: "unbounded" }
      )
      expect(responses.every((response) => response.status === 200)).toBe(true)
      expect(h.server.counts.refresh).toBe(1)
    }))

  it.scoped("follows a same-origin redirect with the header and strips it for another origin", () =>
    Effect.gen(function*() {
      const { bearer, s } = yield* setup
      const api = stub((seen) => {
        switch (new URL(seen.url).pathname) {
          case "/start":
            return { status: 302, headers: { location: "/moved" } }
          case "/moved":
            return { status: 307, headers: { location: "https://cdn.example/file?sig=1" } }
          default:
            return { status: 200 }
        }
      })
      const response = yield* AuthorizedHttpClient.make(s, api.client).get("https://api.example/start")
      expect(response.status).toBe(200)
      expect(api.seen.map(({ authorization, url }) => [url, authorization])).toEqual([
        ["https://api.example/start", bearer],
        ["https://api.example/moved", bearer],
        ["https://cdn.example/file?sig=1", undefined]
      ])
    }))

  it.scoped("never forwards a caller's own Authorization header to another origin", () =>
    Effect.gen(function*() {
      const { s } = yield* setup
      const api = stub((seen) =>
        seen.url.startsWith("https://api.example") ? { status: 308, headers: { location: "https://evil.example/" } } : { status: 200 }
      )
      yield* AuthorizedHttpClient.make(s, api.client).execute(
        HttpClientRequest.get("https://api.example/").pipe(HttpClientRequest.setHeader("authorization", "Basic c2VjcmV0"))
      )
      expect(api.seen[1]).toMatchObject({ url: "https://evil.example/", authorization: undefined })
    }))

  it.scoped("issue 11: a redirect to another origin strips every credential-bearing header, the configured ones too", () =>
    Effect.gen(function*() {
      const { bearer, s } = yield* setup
      const api = stub((seen) =>
        seen.url.startsWith("https://api.example") ? { status: 307, headers: { location: "https://evil.example/x" } } : { status: 200 }
      )
      const request = HttpClientRequest.get("https://api.example/").pipe(
        HttpClientRequest.setHeaders({
          cookie: "sid=secret",
          "x-api-key": "key-secret",
          "proxy-authorization": "Basic cHJveHk=",
          "x-tenant-token": "tenant-secret",
          accept: "application/json"
        })
      )
      yield* AuthorizedHttpClient.make(s, api.client).execute(request)
      expect(api.seen[0]!.headers!).toMatchObject({ authorization: bearer, cookie: "sid=secret", "x-api-key": "key-secret" })
      const crossed = api.seen[1]!.headers!
      for (const name of ["authorization", "dpop", "cookie", "x-api-key", "proxy-authorization"]) expect(crossed[name]).toBeUndefined()
      expect(crossed["x-tenant-token"]).toBe("tenant-secret")
      expect(crossed["accept"]).toBe("application/json")
      yield* AuthorizedHttpClient.make(s, api.client, { credentialHeaders: ["X-Tenant-Token", "cookie"] }).execute(request)
      expect(api.seen[3]!.headers!["x-tenant-token"]).toBeUndefined()
      expect(api.seen[3]!.headers!["cookie"]).toBeUndefined()
    }))

  it.scoped("issue 11: never follows a redirect from https to http, even to the same host", () =>
    Effect.gen(function*() {
      const { s } = yield* setup
      const api = stub(() => ({ status: 302, headers: { location: "http://api.example/plain" } }))
      const response = yield* AuthorizedHttpClient.make(s, api.client).execute(
        HttpClientRequest.get("https://api.example/").pipe(HttpClientRequest.setHeader("cookie", "sid=secret"))
      )
      expect(response.status).toBe(302)
      expect(api.seen.map(({ url }) => url)).toEqual(["https://api.example/"])
    }))

  it.scoped("turns a 303 after a POST into a GET without body, and keeps method and body on 307", () =>
    Effect.gen(function*() {
      const { s } = yield* setup
      const api = stub((seen) => {
        if (seen.url.endsWith("/a")) return { status: 303, headers: { location: "/b" } }
        if (seen.url.endsWith("/c")) return { status: 307, headers: { location: "/d" } }
        return { status: 200 }
      })
      const client = AuthorizedHttpClient.make(s, api.client)
      yield* client.execute(HttpClientRequest.post("https://api.example/a").pipe(HttpClientRequest.bodyText("x")))
      yield* client.execute(HttpClientRequest.post("https://api.example/c").pipe(HttpClientRequest.bodyText("y")))
      expect(api.seen.map(({ body, method, url }) => [method, url, body])).toEqual([
        ["POST", "https://api.example/a", "x"],
        ["GET", "https://api.example/b", ""],
        ["POST", "https://api.example/c", "y"],
        ["POST", "https://api.example/d", "y"]
      ])
    }))

  it.scoped("returns the redirect itself past maxRedirects", () =>
    Effect.gen(function*() {
      const { s } = yield* setup
      const api = stub(() => ({ status: 302, headers: { location: "/again" } }))
      const none = yield* AuthorizedHttpClient.make(s, api.client, { maxRedirects: 0 }).get("https://api.example/")
      expect(none.status).toBe(302)
      expect(api.seen).toHaveLength(1)
      const some = yield* AuthorizedHttpClient.make(s, api.client, { maxRedirects: 2 }).get("https://api.example/")
      expect(some.status).toBe(302)
      expect(api.seen).toHaveLength(4)
    }))

  it.scoped("fails with the session's typed error, sending nothing, when there is no grant", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h)
      const api = stub(() => ({ status: 200 }))
      const error = yield* Effect.flip(AuthorizedHttpClient.make(s, api.client).get("https://api.example/me"))
      expect(error).toMatchObject({ _tag: "Unauthorized", reason: "NoGrant" })
      expect(api.seen).toEqual([])
    }))

  it.scoped("provides the client through layer", () =>
    Effect.gen(function*() {
      const { bearer, s } = yield* setup
      const api = stub(() => ({ status: 204 }))
      const response = yield* Effect.flatMap(AuthorizedHttpClient.AuthorizedHttpClient, (client) => client.get("https://api.example/")).pipe(
        Effect.provide(AuthorizedHttpClient.layer(s)),
        Effect.provideService(HttpClient.HttpClient, api.client)
      )
      expect(response.status).toBe(204)
      expect(api.seen[0]!.authorization).toBe(bearer)
    }))

  it.live("with FetchHttpClient on loopback, a redirect to another port (another origin) arrives without the header", () =>
    Effect.gen(function*() {
      const received: Array<[string, string | undefined]> = []
      const listen = (handler: (path: string) => { status: number; location?: string }) =>
        Effect.acquireRelease(
          Effect.async<{ readonly origin: string; readonly close: () => void }>((resume) => {
            const server = createServer((request, response) => {
              received.push([`${request.headers.host}${request.url}`, request.headers.authorization])
              const reply = handler(request.url ?? "/")
              response.writeHead(reply.status, reply.location === undefined ? {} : { location: reply.location }).end()
            })
            server.listen(0, "127.0.0.1", () => {
              const { port } = server.address() as AddressInfo
              resume(Effect.succeed({ origin: `http://127.0.0.1:${port}`, close: () => server.close() }))
            })
          }),
          (server) => Effect.sync(() => server.close())
        )
      const other = yield* listen(() => ({ status: 200 }))
      const api = yield* listen((path) => path === "/start" ? { status: 302, location: `${other.origin}/landing` } : { status: 200 })
      const { bearer, s } = yield* setup
      const fetchClient = yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer)
      const response = yield* AuthorizedHttpClient.make(s, fetchClient).get(`${api.origin}/start`)
      expect(response.status).toBe(200)
      expect(received).toEqual([
        [`${new URL(api.origin).host}/start`, bearer],
        [`${new URL(other.origin).host}/landing`, undefined]
      ])
    }).pipe(Effect.scoped))
})
