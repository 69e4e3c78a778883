/**
 * `npm run bench [-- [--quick] name …]`: runs the suites (those whose name
 * contains one of the arguments, or all), then prints one table, the machine it
 * ran on and its load. `--quick` runs smaller sizes (fewer calls and rounds,
 * 1,000-caller storms, 2 processes × 5 trials) and leaves out the memory and
 * multi-process suites unless named: a look, not a record.
 */
import { cpus, loadavg } from "node:os"
import { hotPath } from "./hotPath.js"
import { parseWorstCase } from "./parse.js"
import { suite as multiProcessStorm } from "./multiProcessStorm.js"
import { peers } from "./peers.js"
import { refreshStorm } from "./refreshStorm.js"
import { sessionMemory } from "./sessionMemory.js"
import { formatTable } from "./suite.js"
import type { Row, Suite } from "./suite.js"

const args = process.argv.slice(2)
const quick = args.includes("--quick")

const suites: ReadonlyArray<Suite> = [
  peers(
    quick
      ? { hotIterations: 50_000, requests: 20, rounds: 3, storms: [1_000], liveSessions: 2_000, processes: [2], trials: 5 }
      : {}
  ),
  hotPath(quick ? { iterations: 200_000, rounds: 3 } : {}),
  refreshStorm(quick ? { callers: 1_000 } : {}),
  sessionMemory(),
  multiProcessStorm
  // parse: worst-case parse time per MiB (bench/parse.ts) takes its place here.
]

const filters = args.filter((arg) => !arg.startsWith("--"))
// The slow suites (100,000 stored grants; worker processes per store) run in a
// quick look only when named.
const slow = new Set(["session-memory", "multiProcessStorm"])
const selected = filters.length === 0
  ? suites.filter((suite) => !quick || !slow.has(suite.name))
  : suites.filter((suite) => filters.some((f) => suite.name.includes(f)))

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
  const load = loadavg().map((value) => value.toFixed(2)).join(", ")
  console.log(
    `machine: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores; Node ${process.version}; ${new Date().toISOString()}; load average ${load}${quick ? "; --quick" : ""}`
  )
  return 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("bench failed:", error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
)
