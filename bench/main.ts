/**
 * `npm run bench [-- name …]`: runs the suites (those whose name contains one
 * of the arguments, or all), then prints one table and the machine it ran on.
 */
import { cpus } from "node:os"
import { hotPath } from "./hotPath.js"
import { parseWorstCase } from "./parse.js"
import { suite as multiProcessStorm } from "./multiProcessStorm.js"
import { refreshStorm } from "./refreshStorm.js"
import { sessionMemory } from "./sessionMemory.js"
import { formatTable } from "./suite.js"
import type { Row, Suite } from "./suite.js"

const suites: ReadonlyArray<Suite> = [hotPath(), refreshStorm(), sessionMemory(), multiProcessStorm]

const filters = process.argv.slice(2)
const selected = filters.length === 0 ? suites : suites.filter((suite) => filters.some((f) => suite.name.includes(f)))

const main = async () => {
  if (selected.length === 0) {
    console.error(`no suite matches ${filters.join(", ")}; suites: ${suites.map((suite) => suite.name).join(", ")}`)
    return 1
  }
  const rows: Array<Row> = []
  for (const suite of selected) {
    console.error(`running ${suite.name}: ${suite.description}`)
    rows.push(...(await suite.run()))
  }
  const cpu = cpus()
  console.log(formatTable(rows))
  console.log(parseWorstCase())
  console.log("")
  console.log(`machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores; Node ${process.version}; ${new Date().toISOString()}`)
  return 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("bench failed:", error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
)
