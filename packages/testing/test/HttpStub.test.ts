import { HttpStub } from "@effect-oauth/testing"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"

describe("HttpStub / make", () => {
  it.effect("records a form POST in order: method, url, headers, body, form and params", () =>
    Effect.gen(function*() {
      const { client, seen } = HttpStub.make((request) => Response.json({ path: request.url.pathname }, { status: 201 }))
      const response = yield* client.execute(
        HttpClientRequest.post("https://as.example/token").pipe(
          HttpClientRequest.setHeader("x-test", "1"),
          HttpClientRequest.bodyUrlParams({ grant_type: "refresh_token", scope: "a b" })
        )
      )
      yield* client.get("https://as.example/other")
      expect(response.status).toBe(201)
      expect(yield* response.json).toEqual({ path: "/token" })
      expect(seen.map((request) => `${request.method} ${request.url.pathname}`)).toEqual(["POST /token", "GET /other"])
      const [post] = seen
      expect(post?.headers["x-test"]).toBe("1")
      expect(post?.body).toBe("grant_type=refresh_token&scope=a+b")
      expect(post?.form.get("scope")).toBe("a b")
      expect(post?.params.get("grant_type")).toBe("refresh_token")
    }))

  it.effect("reads a GET's params from its query and leaves its body empty", () =>
    Effect.gen(function*() {
      const { layer, seen } = HttpStub.make(() => new Response("ok"))
      yield* Effect.flatMap(HttpClient.HttpClient, (client) =>
        client.get("https://graph.example/oauth/access_token", { urlParams: { code: "c-1" } })).pipe(Effect.provide(layer))
      expect(seen[0]?.params.get("code")).toBe("c-1")
      expect(seen[0]?.body).toBe("")
      expect([...(seen[0]?.form.keys() ?? [])]).toEqual([])
    }))

  it.effect("answers with an effect's response once it completes (on the TestClock)", () =>
    Effect.gen(function*() {
      const { client, seen } = HttpStub.make(() => Effect.as(Effect.sleep("5 seconds"), new Response("late")))
      const fiber = yield* Effect.fork(Effect.flatMap(client.get("https://as.example/slow"), (response) => response.text))
      yield* TestClock.adjust("4 seconds")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toBe("late")
      expect(seen).toHaveLength(1)
    }))
})
