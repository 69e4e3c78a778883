import { describe } from "@effect/vitest"
import { Effect } from "effect"
import type { StoreSpec } from "./cluster/protocol.js"
import { clusterSuite } from "./cluster/suite.js"
import { dropTables, freshPrefix, pgClient, pgSkipReason, pgUrl } from "./helpers/databases.js"

describe.skipIf(pgUrl === undefined)(`PostgreSQL (${pgUrl === undefined ? pgSkipReason : "EFFECT_OAUTH_PG_URL"})`, () => {
  clusterSuite(
    "PostgreSQL",
    Effect.gen(function*() {
      const tablePrefix = freshPrefix()
      yield* Effect.addFinalizer(() => dropTables(tablePrefix).pipe(Effect.provide(pgClient(pgUrl!)), Effect.ignore))
      return { kind: "pg", url: pgUrl!, tablePrefix } satisfies StoreSpec
    })
  )
})
