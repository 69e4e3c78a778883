import { Effect } from "effect"
import * as Path from "node:path"
import type { StoreSpec } from "./cluster/protocol.js"
import { clusterSuite } from "./cluster/suite.js"
import { tempDirectory } from "./helpers/databases.js"

clusterSuite("SQLite", Effect.map(tempDirectory, (directory): StoreSpec => ({ kind: "sqlite", filename: Path.join(directory, "tokens.db") })))
