import { OAuthError } from "@effect-oauth/core"
import { FakeTokenServer } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"

describe("FakeTokenServer", () => {
  it.effect("rotates refresh tokens and kills the grant when a rotated one is reused", () =>
    Effect.gen(function*() {
      const server = new FakeTokenServer.FakeTokenServer()
      const first = yield* server.seed(["read"])
      const second = yield* server.client.refresh(first)
      expect(Redacted.value(second.refreshToken!)).not.toBe(Redacted.value(first.refreshToken!))
      expect(yield* server.isActive(second.accessToken)).toBe(true)

      const reused = yield* Effect.either(server.client.refresh(first))
      expect(Either.isLeft(reused) && reused.left._tag === "OAuthError" && reused.left.error).toBe("invalid_grant")
      // Reuse detection: the live tokens of the grant die with it.
      expect(yield* server.isActive(second.accessToken)).toBe(false)
      expect(server.counts.refresh).toBe(2)
    }))

  it.effect("answers scripted failures in order, then recovers", () =>
    Effect.gen(function*() {
      const server = new FakeTokenServer.FakeTokenServer()
      const tokens = yield* server.seed()
      server.failNext("refresh", FakeTokenServer.unavailable(3), FakeTokenServer.invalidClient())
      const first = yield* Effect.flip(server.client.refresh(tokens))
      expect(first).toBeInstanceOf(OAuthError.OAuthError)
      expect(first._tag === "OAuthError" && [first.status, first.retryAfter]).toEqual([503, 3])
      const second = yield* Effect.flip(server.client.refresh(tokens))
      expect(second._tag === "OAuthError" && second.remedy).toBe("fixConfiguration")
      expect(server.pendingFailures).toBe(0)
      const refreshed = yield* server.client.refresh(tokens)
      expect(server.newestRefreshToken()).toBe(Redacted.value(refreshed.refreshToken!))
    }))

  it.effect("a lost response takes effect at the server: the presented refresh token is spent", () =>
    Effect.gen(function*() {
      const server = new FakeTokenServer.FakeTokenServer()
      const tokens = yield* server.seed()
      server.loseNext("refresh")
      const lost = yield* Effect.flip(server.client.refresh(tokens))
      expect(lost._tag === "TransportError" && lost.requestSent).toBe(true)
      expect(server.isRefreshTokenUsable(Redacted.value(tokens.refreshToken!), 0)).toBe(false)
    }))
})
