import { Provider } from "@effect-oauth/core"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, TestClock } from "effect"
import { LocalServer, Print } from "../src/index.js"

describe("LocalServer", () => {
  it.scoped("answers from its route table, with path parameters, form bodies and the caller's clock; 404 otherwise", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000_000)
      const server = yield* LocalServer.make([
        {
          method: "POST",
          path: "/calendars/:id/events",
          handle: (request, params) =>
            Effect.map(Clock.currentTimeMillis, (now) => ({
              status: 200,
              body: { id: params["id"], summary: request.form.get("summary"), bearer: request.bearer, now },
              source: "https://docs.example/insert"
            }))
        }
      ])
      const http = yield* HttpClient.HttpClient
      const response = yield* http.execute(
        HttpClientRequest.post(`${server.url}/calendars/team%20a/events`).pipe(
          HttpClientRequest.bearerToken("t0ken"),
          HttpClientRequest.bodyUrlParams({ summary: "Stand-up" })
        )
      )
      expect(yield* response.json).toEqual({ id: "team a", summary: "Stand-up", bearer: "t0ken", now: 1_000_000 })
      const missing = yield* http.get(`${server.url}/calendars/a/events`)
      expect(missing.status).toBe(404)
      expect(yield* server.served).toEqual([
        { method: "POST", path: "/calendars/team%20a/events", status: 200, source: "https://docs.example/insert" },
        { method: "GET", path: "/calendars/a/events", status: 404, source: "local" }
      ])
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it("rehome moves every endpoint onto the local origin, keeping paths and queries, and the issuer with them", () => {
    const preset = Provider.make({
      name: "example",
      issuer: "https://accounts.example.com",
      authorizationEndpoint: "https://accounts.example.com/o/auth?hl=en",
      tokenEndpoint: "https://api.example.com/token",
      jwksUri: "https://keys.example.com/certs",
      defaultScopes: ["openid"]
    })
    expect(LocalServer.rehome(preset, "http://127.0.0.1:4000")).toEqual({
      name: "example",
      issuer: "http://127.0.0.1:4000",
      authorizationEndpoint: "http://127.0.0.1:4000/o/auth?hl=en",
      tokenEndpoint: "http://127.0.0.1:4000/token",
      jwksUri: "http://127.0.0.1:4000/certs",
      defaultScopes: ["openid"]
    })
  })

  it("issued records every minted credential, and leaks finds them as is or URL-encoded", () => {
    const issued = LocalServer.issued()
    const code = issued.mint("4/0A")
    const secret = issued.mintHex(32)
    expect(secret).toMatch(/^[0-9a-f]{32}$/)
    expect(issued.all()).toEqual([code, secret])
    expect(Print.leaks(`callback?code=${encodeURIComponent(code)}`, issued.all())).toEqual(["credential #0"])
    expect(Print.leaks(`secret ${Print.mask(secret)}`, issued.all())).toEqual([])
  })
})
