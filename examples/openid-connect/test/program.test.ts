import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { program } from "../src/program.js"

describe("openid-connect example", () => {
  it.live("signs in, validates the ID token, reads userinfo and refreshes, printing no token", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const original = console.log
      console.log = (...args: Array<unknown>) => void lines.push(args.join(" "))
      const server = yield* TestServer.make()
      const outcome = yield* program.pipe(
        Effect.provide(Layer.merge(Layer.succeed(TestServer.TestServerTag, server), FetchHttpClient.layer)),
        Effect.ensuring(Effect.sync(() => {
          console.log = original
        }))
      )
      expect(outcome.claims.sub).toBe("user-1")
      expect(outcome.info.sub).toBe("user-1")
      const output = lines.join("\n")
      for (const step of ["discovery", "nonce sent", "ID token: sub user-1", "userinfo: sub user-1", "refresh: new ID token for sub user-1"]) {
        expect(output).toContain(step)
      }
      expect(output).not.toMatch(/eyJ[\w-]{10,}/)
    }).pipe(Effect.scoped), { timeout: 30_000 })
})
