import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { TokenStore } from "@effect-oauth/session"
import { Effect } from "effect"
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
