import { TokenSet } from "@effect-oauth/core"
import { TokenStore, TokenStoreBackend } from "@effect-oauth/session"
import * as TokenStoreContract from "@effect-oauth/testing/TokenStoreContract"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"

const keyA: TokenStore.EncryptionKey = { id: "2026-a", key: Redacted.make(new Uint8Array(32).fill(1)) }

const tokens = (n: number) =>
  TokenSet.make({ accessToken: `SECRET-access-${n}`, refreshToken: `SECRET-refresh-${n}`, issuedAt: 1_000, scopes: ["read"] })

const accessOf = (entry: Option.Option<TokenStore.Entry>) => Option.map(entry, (e) => Redacted.value(e.tokens.accessToken))

TokenStoreContract.suite(
  "make(TokenStoreBackend.makeMemory)",
  Effect.flatMap(TokenStoreBackend.makeMemory, (backend) =>
    Effect.map(TokenStore.make(backend), (store) => [store, store] as const))
)

TokenStoreContract.suite(
  "make(TokenStoreBackend.makeMemory, { encryption })",
  Effect.flatMap(TokenStoreBackend.makeMemory, (backend) =>
    Effect.zip(TokenStore.make(backend, { encryption: { keys: [keyA] } }), TokenStore.make(backend, { encryption: { keys: [keyA] } })))
)

describe("TokenStore.make over a backend", () => {
  it.effect("stores one JSON blob per key, and a ciphertext bound to its version with encryption", () =>
    Effect.gen(function*() {
      const backend = yield* TokenStoreBackend.makeMemory
      const plain = yield* TokenStore.make(backend)
      yield* plain.compareAndSet("alice", undefined, tokens(1))
      const slot = Option.getOrThrow(yield* backend.get("alice"))
      expect(slot.version).toBe(1)
      expect(JSON.parse(slot.blob!)).toMatchObject({ accessToken: "SECRET-access-1", scopes: ["read"] })

      const sealed = yield* TokenStore.make(backend, { encryption: { keys: [keyA] } })
      yield* sealed.compareAndSet("bob", undefined, tokens(2))
      const blob = Option.getOrThrow(yield* backend.get("bob")).blob!
      expect(blob).toMatch(/^v2\.2026-a\.1\.[\w-]{16}\.[\w-]+$/)
      expect(blob).not.toContain("SECRET")
      expect(accessOf(yield* sealed.get("bob"))).toEqual(Option.some("SECRET-access-2"))
      // A store without keys does not read a ciphertext as tokens, nor a keyed one plaintext.
      expect(yield* Effect.flip(plain.get("bob"))).toMatchObject({ reason: "Corrupt" })
      expect(yield* Effect.flip(sealed.get("alice"))).toMatchObject({ reason: "Corrupt" })
    }))

  it.effect("refuses an older blob restored in place of the current one with RolledBack", () =>
    Effect.gen(function*() {
      const backend = yield* TokenStoreBackend.makeMemory
      const store = yield* TokenStore.make(backend, { encryption: { keys: [keyA] } })
      const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
      const older = Option.getOrThrow(yield* backend.get("alice")).blob!
      const v2 = yield* store.compareAndSet("alice", v1, tokens(2))
      yield* backend.compareAndSet("alice", v2, older)
      const error = yield* Effect.flip(store.get("alice"))
      expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "RolledBack", operation: "get", key: "alice" })
      expect(error.message).not.toContain("SECRET")
    }))

  it.effect("writes a new entry over a tombstone at the tombstone's next version, whoever deleted it", () =>
    Effect.gen(function*() {
      const backend = yield* TokenStoreBackend.makeMemory
      const store = yield* TokenStore.make(backend, { encryption: { keys: [keyA] } })
      const other = yield* TokenStore.make(backend, { encryption: { keys: [keyA] } })
      const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
      yield* other.delete("alice")
      expect(Option.isNone(yield* store.get("alice"))).toBe(true)
      expect(yield* store.compareAndSet("alice", undefined, tokens(3))).toBe(v1 + 2)
      expect(accessOf(yield* other.get("alice"))).toEqual(Option.some("SECRET-access-3"))
    }))

  it.effect("answers Unencodable for tokens JSON cannot hold, writing nothing", () =>
    Effect.gen(function*() {
      const backend = yield* TokenStoreBackend.makeMemory
      const store = yield* TokenStore.make(backend)
      let deep: unknown = {}
      for (let i = 0; i < 100_000; i++) deep = { deep }
      const refused = TokenSet.make({ accessToken: "SECRET-deep", issuedAt: 0, extra: { deep } })
      const error = yield* Effect.flip(store.compareAndSet("alice", undefined, refused))
      expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Unencodable", operation: "compareAndSet" })
      expect(Option.isNone(yield* backend.get("alice"))).toBe(true)
    }))
})
