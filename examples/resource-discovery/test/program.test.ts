import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { program } from "../src/program.js"

describe("resource-discovery example", () => {
  it.live("goes from a 401 to a successful request in one call, printing no token", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const original = console.log
      console.log = (...args: Array<unknown>) => void lines.push(args.join(" "))
      const server = yield* TestServer.make({ pushedAuthorizationRequests: true, registration: true, resourceIndicators: true })
      const outcome = yield* program.pipe(
        Effect.provide(Layer.merge(Layer.succeed(TestServer.TestServerTag, server), FetchHttpClient.layer)),
        Effect.ensuring(Effect.sync(() => {
          console.log = original
        }))
      )
      expect(outcome).toMatchObject({ status: 200, body: { sub: "user-1" } })
      const output = lines.join("\n")
      for (const step of ["resource metadata", "registered client", "session: authorized", "retried request → 200", "next request → 200"]) {
        expect(output).toContain(step)
      }
      expect(output).not.toMatch(/eyJ[\w-]{10,}/)
    }).pipe(Effect.scoped), { timeout: 30_000 })
})
