import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { TokenStore } from "@effect-oauth/session"
import { Effect, Redacted } from "effect"
import * as TokenStoreContract from "../src/TokenStoreContract.js"

// The session package's own stores; store-sql runs the suite against SQLite and PostgreSQL.
TokenStoreContract.suite(
  "layerMemory",
  Effect.map(TokenStore.makeMemory, (store) => [store, store] as const)
)

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
