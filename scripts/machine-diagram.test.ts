import { readFileSync } from "node:fs"
import { SessionMachine } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { begin, current, diagram, docPath, end, generated, rows } from "./machine-diagram.js"

describe("docs/session-machine.md", () => {
  it("carries the diagram and tables generated from the machine (run npm run docs:machine when this fails)", () => {
    const doc = readFileSync(docPath, "utf8")
    expect(current(doc)).toBe(generated())
  })

  it("draws one arrow per declared transition between states, and nothing else", () => {
    const machine = SessionMachine.make({ key: "k", refresh: "lazy" }, { now: () => 0, run: () => { throw new Error("not started") } })
    // Arrows between top-level states; substates (`refreshing_backingOff`) count as their parent,
    // and the arrows drawn inside a state (indented further) are between its substates.
    const arrows = diagram().split("\n").slice(2).flatMap((line) => {
      const match = /^ +(\w+) --> (\w+) : /.exec(line)
      return match === null ? [] : [`${match[1]!.split("_")[0]} → ${match[2]!.split("_")[0]}`]
    })
    const declared = SessionMachine.transitions(machine).map(({ from, to }) => `${from} → ${to}`)
    expect(new Set(arrows)).toEqual(new Set(declared))
    expect(arrows).toHaveLength(rows().filter((row) => row.to !== undefined).length)
    expect(diagram().split("\n").slice(0, 2)).toEqual(["stateDiagram-v2", "  [*] --> unauthorized"])
  })

  it("labels delayed transitions with their delay and their guards", () => {
    expect(diagram()).toContain("expired --> unauthorized : after 0 ms [not hasUsableRefreshToken]")
    expect(diagram()).toContain("authorized --> refreshing : after refreshWindow [isEager and hasUsableRefreshToken and not hasError]")
  })

  it("finds a stale doc: an edited generated part differs from the machine", () => {
    const doc = readFileSync(docPath, "utf8")
    const stale = doc.replace("refreshing --> revoked : FAILED [isGrantDead]", "refreshing --> unauthorized : FAILED")
    expect(current(stale)).not.toBe(generated())
    expect(current(doc.replace(end, ""))).toBeUndefined()
    expect(current(doc)?.startsWith(begin)).toBe(true)
  })
})
