import { Redirects } from "@effect-oauth/core"
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Option } from "effect"

// A server whose /start answers 307 to /target, counting the requests /target receives.
const redirecting = Effect.acquireRelease(
  Effect.async<{ readonly origin: string; readonly targetHits: () => number; readonly server: Http.Server }>((resume) => {
    let hits = 0
    const server = Http.createServer((request, response) => {
      if (request.url === "/start") {
        response.writeHead(307, { location: "/target" })
        response.end()
        return
      }
      hits++
      response.writeHead(200, { "content-type": "text/plain" })
      response.end("followed")
    })
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        targetHits: () => hits,
        server
      })))
  }),
  ({ server }) => Effect.async<void>((resume) => {
    server.close(() => resume(Effect.void))
  })
)

describe("Redirects", () => {
  it.scoped("notFollowed: FetchHttpClient hands the 3xx back and the target is never asked", () =>
    Effect.gen(function*() {
      const { origin, targetHits } = yield* redirecting
      const client = yield* HttpClient.HttpClient
      const followed = yield* Effect.flatMap(client.get(`${origin}/start`), (response) => response.text)
      expect(followed).toBe("followed")
      expect(targetHits()).toBe(1)
      const response = yield* Redirects.notFollowed(client.get(`${origin}/start`))
      expect(response.status).toBe(307)
      expect(response.headers["location"]).toBe("/target")
      expect(targetHits()).toBe(1)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it("manualContext keeps the other RequestInit fields, and returns one context per context", () => {
    const context = Context.make(FetchHttpClient.RequestInit, { keepalive: true })
    const manual = Redirects.manualContext(context)
    expect(Context.get(manual, FetchHttpClient.RequestInit)).toEqual({ keepalive: true, redirect: "manual" })
    expect(Redirects.manualContext(context)).toBe(manual)
    expect(Redirects.manualContext(manual)).toBe(manual)
    const empty = Redirects.manualContext(Context.empty())
    expect(Option.getOrThrow(Context.getOption(empty, FetchHttpClient.RequestInit))).toEqual({ redirect: "manual" })
  })
})
