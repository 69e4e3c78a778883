/**
 * Another process holding the refresh lease of "alice" on a file store: run with
 * `node --conditions=source --import tsx fileHolder.ts <directory>`. Prints
 * "held" once it has the lease; then each stdin line (a token JSON) is written
 * as a new version of the entry, answered by "written".
 */
import { NodeFileSystem } from "@effect/platform-node"
import { TokenSet } from "@effect-oauth/core"
import { TokenStore } from "@effect-oauth/session"
import { Effect, Option } from "effect"
import { createInterface } from "node:readline"

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

const main = async () => {
  const store = await run(Effect.provide(TokenStore.makeFileSystem(process.argv[2]!), NodeFileSystem.layer))
  await run(store.acquireLease("alice", "1 minute"))
  process.stdout.write("held\n")
  for await (const line of createInterface({ input: process.stdin })) {
    await run(Effect.gen(function*() {
      const tokens = yield* TokenSet.fromJson(line)
      const current = yield* store.get("alice")
      yield* store.compareAndSet("alice", Option.getOrUndefined(Option.map(current, (entry) => entry.version)), tokens)
    }))
    process.stdout.write("written\n")
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  }
)
