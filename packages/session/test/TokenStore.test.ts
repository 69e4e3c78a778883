import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { TokenSet } from "@effect-oauth/core"
import { TokenStore } from "@effect-oauth/session"
import * as TokenStoreContract from "@effect-oauth/testing/TokenStoreContract"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import * as encryptedV1 from "./fixtures/encryptedV1.js"
import { accessOf, tokens, withDirectory } from "./helpers/entries.js"

// The behaviour every store keeps: the contract suite of @effect-oauth/testing.
TokenStoreContract.suite("layerMemory", TokenStore.layerMemory)

TokenStoreContract.suite(
  "layerFileSystem",
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const directory = yield* fs.makeTempDirectoryScoped()
    // Two stores on one directory: what two processes see.
    const store = yield* TokenStore.makeFileSystem(`${directory}/store`)
    const sibling = yield* TokenStore.makeFileSystem(`${directory}/store`)
    return [store, sibling] as const
  }).pipe(Effect.provide(NodeFileSystem.layer))
)

TokenStoreContract.suite(
  "encrypted(layerMemory)",
  Effect.flatMap(TokenStore.makeMemory, (plain) =>
    Effect.map(
      TokenStore.encrypted(plain, { keys: [{ id: "test", key: Redacted.make(new Uint8Array(32).fill(7)) }] }),
      (store) => [store, store] as const
    ))
)

// Below: the file store's own properties, the layers and the encryption.

describe("TokenStore / layerFileSystem files", () => {
  const entryFiles = (fs: FileSystem.FileSystem, directory: string) =>
    Effect.map(fs.readDirectory(directory), (names) => names.filter((name) => name.endsWith(".json")))

  it.effect("writes one 0600 JSON file per key in a 0700 directory and leaves no temporary file", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
        yield* store.compareAndSet("alice", v1, tokens(2))
        yield* store.compareAndSet("bob", undefined, tokens(3))
        const names = yield* fs.readDirectory(directory)
        expect(names.filter((name) => name.endsWith(".json"))).toHaveLength(2)
        expect(names.filter((name) => name.endsWith(".tmp") || name.endsWith(".lock"))).toEqual([])
        for (const name of names) {
          expect(name).toMatch(/^[0-9a-f]{64}\.json$/)
          const info = yield* fs.stat(`${directory}/${name}`)
          expect(Number(info.mode) & 0o777).toBe(0o600)
        }
        expect(Number((yield* fs.stat(directory)).mode) & 0o777).toBe(0o700)
      })
    ))

  it.effect("replaces an entry by renaming a new file over it, never by writing in place", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
        const [name] = yield* entryFiles(fs, directory)
        const before = yield* fs.stat(`${directory}/${name}`)
        yield* store.compareAndSet("alice", v1, tokens(2))
        const after = yield* fs.stat(`${directory}/${name}`)
        expect(after.ino).not.toEqual(before.ino)
        const json = JSON.parse(yield* fs.readFileString(`${directory}/${name}`))
        expect(json).toMatchObject({ format: 1, key: "alice", version: v1 + 1 })
        expect(json.tokens.accessToken).toBe("access-2")
      })
    ))

  it.effect("ignores a temporary file left by a crashed writer", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        yield* store.compareAndSet("alice", undefined, tokens(1))
        const [name] = yield* entryFiles(fs, directory)
        yield* fs.writeFileString(`${directory}/${name}.crashed.tmp`, "{\"format\":1,\"tok")
        expect(accessOf(yield* store.get("alice"))).toEqual(Option.some("access-1"))
      })
    ))

  it.effect("keeps a tombstone without tokens after a delete", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
        yield* store.delete("alice")
        const [name] = yield* entryFiles(fs, directory)
        const text = yield* fs.readFileString(`${directory}/${name}`)
        expect(JSON.parse(text)).toEqual({ format: 1, key: "alice", version: v1 + 1, tokens: null })
        expect(text).not.toContain("access-1")
        expect(text).not.toContain("refresh-1")
      })
    ))

  it.effect("fails with a Corrupt TokenStoreError naming the key, not the content, for a damaged entry", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        yield* store.compareAndSet("alice", undefined, tokens(1))
        const [name] = yield* entryFiles(fs, directory)
        yield* fs.writeFileString(`${directory}/${name}`, JSON.stringify({ format: 1, key: "alice", version: 1, tokens: { accessToken: "secret-value" } }))
        const error = yield* Effect.flip(store.get("alice"))
        expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Corrupt", operation: "get", key: "alice" })
        expect(error.message).toContain("alice")
        expect(error.message).not.toContain("secret-value")
        yield* fs.writeFileString(`${directory}/${name}`, "not json")
        expect(yield* Effect.flip(store.get("alice"))).toMatchObject({ reason: "Corrupt" })
      })
    ))

  it.effect("keeps the lease in a lock file holding its owner and expiry, removed on release", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        const lease = yield* store.acquireLease("alice", "30 seconds")
        const locks = (yield* fs.readDirectory(directory)).filter((name) => name.endsWith(".lease.lock"))
        expect(locks).toHaveLength(1)
        const content = JSON.parse(yield* fs.readFileString(`${directory}/${locks[0]}`))
        expect(content).toMatchObject({ owner: lease.owner, expiresAt: lease.expiresAt })
        if (process.platform === "linux") expect(content).toMatchObject({ pid: process.pid, host: expect.any(String) })
        expect(Number((yield* fs.stat(`${directory}/${locks[0]}`)).mode) & 0o777).toBe(0o600)
        yield* store.releaseLease(lease)
        expect((yield* fs.readDirectory(directory)).filter((name) => name.endsWith(".lock"))).toEqual([])
      })
    ))

  it.effect("takes over an unreadable lock file", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        const store = yield* TokenStore.makeFileSystem(directory)
        const lease = yield* store.acquireLease("alice", "30 seconds")
        const [lock] = (yield* fs.readDirectory(directory)).filter((name) => name.endsWith(".lease.lock"))
        yield* fs.writeFileString(`${directory}/${lock}`, "")
        const taken = yield* store.acquireLease("alice", "30 seconds")
        expect(taken.owner).not.toBe(lease.owner)
      })
    ))

  it.effect("fails with an Io TokenStoreError when the directory cannot be created", () =>
    withDirectory((directory, fs) =>
      Effect.gen(function*() {
        yield* fs.makeDirectory(directory, { recursive: true })
        yield* fs.writeFileString(`${directory}/file`, "")
        const error = yield* Effect.flip(TokenStore.makeFileSystem(`${directory}/file/store`))
        expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Io" })
      })
    ))
})

describe("TokenStore / layers", () => {
  it.effect("layerMemory provides a store under the TokenStore tag", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore.TokenStore
      yield* store.compareAndSet("alice", undefined, tokens(1))
      expect(accessOf(yield* store.get("alice"))).toEqual(Option.some("access-1"))
    }).pipe(Effect.provide(TokenStore.layerMemory)))

  it.scoped("layerFileSystem provides a store under the TokenStore tag", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped()
      const layer = TokenStore.layerFileSystem(directory).pipe(Layer.provide(NodeFileSystem.layer))
      const version = yield* Effect.flatMap(TokenStore.TokenStore, (store) => store.compareAndSet("alice", undefined, tokens(1))).pipe(
        Effect.provide(layer)
      )
      const entry = yield* Effect.flatMap(TokenStore.TokenStore, (store) => store.get("alice")).pipe(Effect.provide(layer))
      expect(Option.map(entry, (e) => e.version)).toEqual(Option.some(version))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("withLease holds the lease while its effect runs and releases it afterwards, failure or not", () =>
    Effect.gen(function*() {
      const store = yield* TokenStore.TokenStore
      const inside = yield* Effect.flip(store.acquireLease("alice", "1 minute")).pipe(TokenStore.withLease("alice", { ttl: "1 minute" }))
      expect(inside._tag).toBe("LeaseUnavailable")
      const failed = yield* Effect.flip(Effect.fail("boom" as const).pipe(TokenStore.withLease("alice", { ttl: "1 minute" })))
      expect(failed).toBe("boom")
      yield* store.acquireLease("alice", "1 minute")
    }).pipe(Effect.provide(TokenStore.layerMemory)))

  it("renders its errors without tokens", () => {
    const conflict = new TokenStore.VersionConflict({ key: "alice", expected: 1, actual: 2 })
    expect(conflict.message).toBe(`token store entry "alice" changed: expected version 1, found version 2`)
    expect(new TokenStore.LeaseUnavailable({ key: "alice", expiresAt: 5 }).message).toBe(
      `the refresh lease of "alice" is held by another holder`
    )
    expect(TokenStore.isError(conflict)).toBe(true)
    expect(TokenStore.isError(new Error("x"))).toBe(false)
  })
})

describe("TokenStore / encrypted", () => {
  const keyOf = (id: string, fill: number): TokenStore.EncryptionKey => ({ id, key: Redacted.make(new Uint8Array(32).fill(fill)) })
  const keyA = keyOf("2026-a", 1)
  const keyB = keyOf("2026-b", 2)
  const secretTokens = TokenSet.make({
    accessToken: "SECRET-access",
    refreshToken: "SECRET-refresh",
    idToken: "SECRET-id",
    issuedAt: 1_000,
    expiresAt: 3_601_000,
    scopes: ["scope-visible-only-inside"],
    extra: { custom: "SECRET-extra" }
  })

  it.effect("round-trips the tokens and keeps versions, deletes and leases of the store below", () =>
    Effect.gen(function*() {
      const plain = yield* TokenStore.makeMemory
      const store = yield* TokenStore.encrypted(plain, { keys: [keyA] })
      const v1 = yield* store.compareAndSet("alice", undefined, secretTokens)
      const entry = Option.getOrThrow(yield* store.get("alice"))
      expect(entry.version).toBe(v1)
      expect(TokenSet.toJson(entry.tokens)).toBe(TokenSet.toJson(secretTokens))
      expect(Option.getOrThrow(yield* plain.get("alice")).version).toBe(v1)
      yield* store.acquireLease("alice", "1 minute")
      expect((yield* Effect.flip(plain.acquireLease("alice", "1 minute")))._tag).toBe("LeaseUnavailable")
      yield* store.delete("alice", v1)
      expect(Option.isNone(yield* plain.get("alice"))).toBe(true)
    }))

  it.scoped("leaves nothing readable at rest: the file holds only ciphertext", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const directory = yield* fs.makeTempDirectoryScoped()
      const store = yield* TokenStore.makeFileSystem(directory).pipe(Effect.flatMap(TokenStore.encrypted({ keys: [keyA] })))
      yield* store.compareAndSet("alice", undefined, secretTokens)
      const [name] = (yield* fs.readDirectory(directory)).filter((file) => file.endsWith(".json"))
      const text = yield* fs.readFileString(`${directory}/${name}`)
      for (const secret of ["SECRET", "scope-visible-only-inside", "3601000"]) expect(text).not.toContain(secret)
      expect(JSON.parse(text).tokens).toMatchObject({ tokenType: "effect-oauth/encrypted", scopes: [] })
      expect(JSON.parse(text).tokens.accessToken).toMatch(/^v2\.2026-a\.1\.[\w-]{16}\.[\w-]+$/)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("fails with a Corrupt TokenStoreError when the ciphertext was altered, and returns no tokens", () =>
    Effect.gen(function*() {
      const plain = yield* TokenStore.makeMemory
      const store = yield* TokenStore.encrypted(plain, { keys: [keyA] })
      yield* store.compareAndSet("alice", undefined, secretTokens)
      const envelope = Option.getOrThrow(yield* plain.get("alice"))
      const blob = Redacted.value(envelope.tokens.accessToken)
      const last = blob.at(-2) === "A" ? "B" : "A"
      const tampered = TokenSet.make({ accessToken: `${blob.slice(0, -2)}${last}${blob.at(-1)}`, tokenType: envelope.tokens.tokenType, issuedAt: 0 })
      yield* plain.compareAndSet("alice", envelope.version, tampered)
      const error = yield* Effect.flip(store.get("alice"))
      expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "Corrupt", operation: "get", key: "alice" })
      expect(error.message).toBe(
        `token store get of "alice" failed (Corrupt): the entry does not authenticate with key "2026-a" (tampered, or another key's entry)`
      )
    }))

  it.effect("refuses an older ciphertext restored in place of the current one (a rollback) with RolledBack", () =>
    Effect.gen(function*() {
      const plain = yield* TokenStore.makeMemory
      const store = yield* TokenStore.encrypted(plain, { keys: [keyA] })
      const v1 = yield* store.compareAndSet("alice", undefined, secretTokens)
      const older = Option.getOrThrow(yield* plain.get("alice")).tokens
      const v2 = yield* store.compareAndSet("alice", v1, tokens(2))
      // The same key, the same session key, an authentic ciphertext: only its version is old.
      yield* plain.compareAndSet("alice", v2, older)
      const error = yield* Effect.flip(store.get("alice"))
      expect(error).toMatchObject({ _tag: "TokenStoreError", reason: "RolledBack", operation: "get", key: "alice" })
      expect(error.message).toBe(
        `token store get of "alice" failed (RolledBack): the entry was written as version 1 but is stored as version 3 (an older entry restored in place of the current one)`
      )
      for (const secret of ["SECRET", "access-2"]) expect(error.message).not.toContain(secret)
    }))

  it.effect("binds the version after a delete too: a new entry over a tombstone reads back", () =>
    Effect.gen(function*() {
      const plain = yield* TokenStore.makeMemory
      const store = yield* TokenStore.encrypted(plain, { keys: [keyA] })
      const other = yield* TokenStore.encrypted(plain, { keys: [keyA] })
      const v1 = yield* store.compareAndSet("alice", undefined, secretTokens)
      yield* store.delete("alice", v1)
      const v3 = yield* store.compareAndSet("alice", undefined, tokens(3))
      expect(accessOf(yield* other.get("alice"))).toEqual(Option.some("access-3"))
      // Deleted by a handle that did not know the version: the write is renumbered, still readable.
      yield* plain.delete("alice")
      const v5 = yield* other.compareAndSet("alice", undefined, tokens(5))
      expect(v5).toBeGreaterThan(v3)
      expect(Option.getOrThrow(yield* store.get("alice"))).toMatchObject({ version: v5 })
      expect(accessOf(yield* store.get("alice"))).toEqual(Option.some("access-5"))
    }))

  it.effect("reads a format v1 entry only with acceptUnversioned, and rewrites it as v2", () =>
    Effect.gen(function*() {
      const plain = yield* TokenStore.makeMemory
      const envelope = TokenSet.make({ accessToken: encryptedV1.blob, tokenType: "effect-oauth/encrypted", issuedAt: 0 })
      const v1 = yield* plain.compareAndSet(encryptedV1.sessionKey, undefined, envelope)
      const keys = [keyOf(encryptedV1.keyId, encryptedV1.keyFill)] as const
      const strict = yield* TokenStore.encrypted(plain, { keys })
      const refused = yield* Effect.flip(strict.get(encryptedV1.sessionKey))
      expect(refused).toMatchObject({ reason: "Corrupt", operation: "get" })
      expect(refused.message).toContain("format v1, which does not bind its version")
      const migrating = yield* TokenStore.encrypted(plain, { keys, acceptUnversioned: true })
      const entry = Option.getOrThrow(yield* migrating.get(encryptedV1.sessionKey))
      expect(Redacted.value(entry.tokens.accessToken)).toBe("SECRET-access")
      expect(entry.tokens.refreshToken && Redacted.value(entry.tokens.refreshToken)).toBe("SECRET-refresh")
      yield* migrating.compareAndSet(encryptedV1.sessionKey, v1, entry.tokens)
      expect(Redacted.value(Option.getOrThrow(yield* plain.get(encryptedV1.sessionKey)).tokens.accessToken)).toMatch(/^v2\./)
      expect(accessOf(yield* strict.get(encryptedV1.sessionKey))).toEqual(Option.some("SECRET-access"))
    }))

  it.effect("does not open an entry copied to another session key", () =>
    Effect.gen(function*() {
      const plain = yield* TokenStore.makeMemory
      const store = yield* TokenStore.encrypted(plain, { keys: [keyA] })
      yield* store.compareAndSet("alice", undefined, secretTokens)
      yield* plain.compareAndSet("mallory", undefined, Option.getOrThrow(yield* plain.get("alice")).tokens)
      expect(yield* Effect.flip(store.get("mallory"))).toMatchObject({ reason: "Corrupt", key: "mallory" })
    }))

  it.effect("rotates keys: the new key writes, the old one still reads; a store without the key reports its id", () =>
    Effect.gen(function*() {
      const plain = yield* TokenStore.makeMemory
      const old = yield* TokenStore.encrypted(plain, { keys: [keyA] })
      const v1 = yield* old.compareAndSet("alice", undefined, secretTokens)
      const rotated = yield* TokenStore.encrypted(plain, { keys: [keyB, keyA] })
      expect(Redacted.value(Option.getOrThrow(yield* rotated.get("alice")).tokens.accessToken)).toBe("SECRET-access")
      yield* rotated.compareAndSet("alice", v1, secretTokens)
      expect(Redacted.value(Option.getOrThrow(yield* plain.get("alice")).tokens.accessToken)).toMatch(/^v2\.2026-b\.2\./)
      const error = yield* Effect.flip(old.get("alice"))
      expect(error.message).toContain(`unknown key "2026-b"`)
    }))

  it.effect("refuses a plaintext entry unless acceptPlaintext is set", () =>
    Effect.gen(function*() {
      const plain = yield* TokenStore.makeMemory
      yield* plain.compareAndSet("alice", undefined, secretTokens)
      const strict = yield* TokenStore.encrypted(plain, { keys: [keyA] })
      expect(yield* Effect.flip(strict.get("alice"))).toMatchObject({ reason: "Corrupt" })
      const migrating = yield* TokenStore.encrypted(plain, { keys: [keyA], acceptPlaintext: true })
      expect(Redacted.value(Option.getOrThrow(yield* migrating.get("alice")).tokens.accessToken)).toBe("SECRET-access")
    }))

  it.effect("fails with an open TokenStoreError for a key that is not 32 bytes or a repeated id, naming no key bytes", () =>
    Effect.gen(function*() {
      const plain = yield* TokenStore.makeMemory
      const short = yield* Effect.flip(TokenStore.encrypted(plain, { keys: [{ id: "k", key: Redacted.make(new Uint8Array(16)) }] }))
      expect(short.message).toBe(`token store open failed (Io): the key "k" must be 32 bytes (AES-256), not 16`)
      const twice = yield* Effect.flip(TokenStore.encrypted(plain, { keys: [keyA, keyA] }))
      expect(twice).toMatchObject({ _tag: "TokenStoreError", operation: "open" })
      const badId = yield* Effect.flip(TokenStore.encrypted(plain, { keys: [{ ...keyA, id: "a.b" }] }))
      expect(badId).toMatchObject({ _tag: "TokenStoreError", operation: "open" })
    }))

  it.effect("layerEncrypted encrypts the TokenStore below it", () =>
    Effect.gen(function*() {
      const plain = yield* TokenStore.makeMemory
      const layer = TokenStore.layerEncrypted({ keys: [keyA] }).pipe(Layer.provide(Layer.succeed(TokenStore.TokenStore, plain)))
      yield* Effect.flatMap(TokenStore.TokenStore, (store) => store.compareAndSet("alice", undefined, secretTokens)).pipe(
        Effect.provide(layer)
      )
      expect(Option.getOrThrow(yield* plain.get("alice")).tokens.tokenType).toBe("effect-oauth/encrypted")
    }))
})
