import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import { program } from "../src/demo.js"
import { sessionProgram } from "../src/session.js"

describe("demo", () => {
  it.live("runs the whole lifecycle and prints no token value", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const original = console.log
      console.log = (...args: Array<unknown>) => void lines.push(args.join(" "))
      const server = yield* TestServer.make({ rotateRefreshToken: true })
      const outcome = yield* program.pipe(
        Effect.provide(Layer.merge(Layer.succeed(TestServer.TestServerTag, server), FetchHttpClient.layer)),
        Effect.ensuring(Effect.sync(() => { console.log = original })),
        Effect.either
      )
      expect(outcome._tag).toBe("Right")
      const output = lines.join("\n")
      for (const title of ["discovery", "authorization URL", "code exchange", "protected resource", "refresh", "revoke"]) {
        expect(output).toContain(title)
      }
      expect(output).toContain("→ 200")
      expect(output).toContain("→ 401")
      const session = yield* TestServer.make({ rotateRefreshToken: true, accessTokenTtl: 2 })
      lines.length = 0
      console.log = (...args: Array<unknown>) => void lines.push(args.join(" "))
      const lifecycle = yield* sessionProgram.pipe(
        Effect.provide(Layer.merge(Layer.succeed(TestServer.TestServerTag, session), FetchHttpClient.layer)),
        Effect.ensuring(Effect.sync(() => { console.log = original })),
        Effect.either
      )
      expect(lifecycle._tag).toBe("Right")
      const transitions = lines.join("\n")
      for (const transition of ["authorized → expired", "expired → refreshing", "refreshing → authorized", "authorized → revoked"]) {
        expect(transitions).toContain(transition)
      }
      expect(transitions).toContain("refresh requests at the server: 1\n")
      expect(transitions).toContain("1000 of 1000")
      expect(transitions).not.toMatch(/[A-Za-z0-9_-]{43}/)
      // Opaque oidc-provider tokens are 43 base64url characters; none may be printed.
      expect(output).not.toMatch(/[A-Za-z0-9_-]{43}/)
    }).pipe(Effect.scoped, Effect.provide(Logger.remove(Logger.defaultLogger))))
})
