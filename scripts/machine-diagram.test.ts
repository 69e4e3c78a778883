import { readFileSync } from "node:fs"
import { SessionMachine } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { begin, current, diagram, docPath, end, generated, rows } from "./machine-diagram.js"

describe("docs/session-machine.md", () => {
  it("carries the diagram and tables generated from the machine (run npm run docs:machine when this fails)", () => {
    const doc = readFileSync(docPath, "utf8")
    expect(current(doc)).toBe(generated())
  })

  it("draws one arrow per declared transition between states, substates inside their state, and nothing else", () => {
    const machine = SessionMachine.make({ key: "k", refresh: "lazy" }, { now: () => 0, run: () => { throw new Error("not started") } })
    let composite: string | undefined
    const arrows = diagram().split("\n").slice(2).flatMap((line) => {
      const opened = /^ {2}state (\w+) \{$/.exec(line)
      if (opened !== null) {
        composite = opened[1]
        return []
      }
      if (line === "  }") {
        composite = undefined
        return []
      }
      if (composite !== undefined && /^ {4}\[\*\] --> \w+$/.test(line)) return []
      // Inside a composite state, an arrow between its substates is a transition of that public state to itself.
      const match = composite === undefined ? /^ {2}(\w+) --> (\w+) : /.exec(line) : /^ {4}(\w+) --> (\w+) : /.exec(line)
      expect(match, line).not.toBeNull()
      return [composite === undefined ? `${match![1]} → ${match![2]}` : `${composite} → ${composite}`]
    })
    const declared = SessionMachine.transitions(machine).map(({ from, to }) => `${from} → ${to}`)
    expect(new Set(arrows)).toEqual(new Set(declared))
    expect(arrows).toHaveLength(rows().filter((row) => row.to !== undefined).length)
    expect(diagram().split("\n").slice(0, 2)).toEqual(["stateDiagram-v2", "  [*] --> unauthorized"])
  })

  it("labels delayed transitions with their delay and their guards", () => {
    expect(diagram()).toContain("expired --> unauthorized : after 0 ms [not hasUsableRefreshToken]")
    expect(diagram()).toContain("authorized --> refreshing : after refreshWindow [isEager and hasUsableRefreshToken and not hasError]")
    expect(diagram()).toContain("    requesting --> backingOff : FAILED [canRetry]")
    expect(diagram()).toContain("    backingOff --> requesting : after retryDelay")
  })

  it("finds a stale doc: an edited generated part differs from the machine", () => {
    const doc = readFileSync(docPath, "utf8")
    const stale = doc.replace("refreshing --> revoked : FAILED [isGrantDead]", "refreshing --> unauthorized : FAILED")
    expect(current(stale)).not.toBe(generated())
    expect(current(doc.replace(end, ""))).toBeUndefined()
    expect(current(doc)?.startsWith(begin)).toBe(true)
  })
})
