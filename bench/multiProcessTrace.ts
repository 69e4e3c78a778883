/**
 * Summarises the phases `bench/multiProcessStorm.ts` records with
 * `EFFECT_OAUTH_BENCH_TRACE=<file>`: per case, the winning process (the one
 * that sent the token request) and the waiting ones, each mark's median time
 * from the parent's start of the storm (the n-th occurrence of a mark in a
 * storm is named `mark #n`), and the median number of store calls per storm.
 *
 * Run: `npx tsx bench/multiProcessTrace.ts <file>`
 */
import * as Fs from "node:fs"

interface Line {
  readonly case: string
  readonly cycle: number
  readonly start: number
  readonly millis: number
  readonly workers: ReadonlyArray<ReadonlyArray<{ readonly at: number; readonly what: string }>>
  /** Each worker's CPU time in the storm. */
  readonly cpu?: ReadonlyArray<number> | undefined
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const file = process.argv[2]
if (file === undefined) throw new Error("usage: multiProcessTrace.ts <trace file>")
const lines = Fs.readFileSync(file, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Line)

for (const name of new Set(lines.map((line) => line.case))) {
  const storms = lines.filter((line) => line.case === name)
  console.log(`\n## ${name}: ${storms.length} storms, all served in ${median(storms.map((s) => s.millis)).toFixed(1)} ms (median)`)
  for (const role of ["winner", "waiter"] as const) {
    const offsets = new Map<string, Array<number>>()
    const order = new Map<string, number>()
    const calls = new Map<string, Array<number>>()
    const cpu: Array<number> = []
    let processes = 0
    for (const storm of storms) {
      for (const [index, marks] of storm.workers.entries()) {
        const won = marks.some((mark) => mark.what === "token request >")
        if ((role === "winner") !== won) continue
        processes++
        cpu.push(storm.cpu?.[index] ?? Number.NaN)
        const seen = new Map<string, number>()
        for (const mark of marks) {
          const n = (seen.get(mark.what) ?? 0) + 1
          seen.set(mark.what, n)
          const label = n === 1 ? mark.what : `${mark.what} #${n}`
          const at = mark.at - storm.start
          offsets.set(label, [...(offsets.get(label) ?? []), at])
          order.set(label, Math.min(order.get(label) ?? Infinity, median(offsets.get(label)!)))
        }
        for (const what of ["get >", "acquireLease >", "compareAndSet >", "watch >", "woken"]) {
          calls.set(what, [...(calls.get(what) ?? []), seen.get(what) ?? 0])
        }
      }
    }
    if (processes === 0) continue
    console.log(`\n### ${role} (${processes} process-storms): CPU ${median(cpu).toFixed(1)} ms per storm (median)`)
    console.log(
      `calls per storm (median): ${Array.from(calls, ([what, counts]) => `${what.replace(" >", "")} ${median(counts)}`).join(", ")}`
    )
    const rows = Array.from(offsets, ([label, values]) => ({ label, at: median(values), count: values.length }))
      .sort((a, b) => a.at - b.at)
    for (const row of rows) {
      console.log(`${row.at.toFixed(1).padStart(8)} ms  ${row.label}${row.count < processes ? ` (in ${row.count})` : ""}`)
    }
  }
}
