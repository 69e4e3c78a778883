import { TemporaryCredentials } from "@effect-oauth/oauth1"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Schema } from "effect"

describe("TemporaryCredentials", () => {
  it.effect("survives a server-side session as its Schema encoding", () =>
    Effect.gen(function*() {
      const original = TemporaryCredentials.make({
        token: "hh5s93j4hdidpola",
        tokenSecret: "hdhd0244k9j7ao03",
        callback: "http://printer.example.com/ready"
      })
      const encoded = yield* Schema.encode(TemporaryCredentials.TemporaryCredentials)(original)
      expect(encoded).toEqual({
        token: "hh5s93j4hdidpola",
        tokenSecret: "hdhd0244k9j7ao03",
        callback: "http://printer.example.com/ready"
      })
      const decoded = yield* Schema.decodeUnknown(TemporaryCredentials.TemporaryCredentials)(
        JSON.parse(JSON.stringify(encoded))
      )
      expect(Redacted.value(decoded.tokenSecret)).toBe("hdhd0244k9j7ao03")
      expect(decoded.callback).toBe("http://printer.example.com/ready")
    }))

  it("defaults the callback to oob and prints no secret", () => {
    const credentials = TemporaryCredentials.make({ token: "t0k3n", tokenSecret: "s3cr3t" })
    expect(credentials.callback).toBe("oob")
    expect(`${String(credentials)} ${JSON.stringify(credentials)}`).not.toMatch(/t0k3n|s3cr3t/)
  })
})
