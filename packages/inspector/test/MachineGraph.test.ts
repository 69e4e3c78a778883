import { SessionMachine } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { and, fromPromise, not, setup } from "xstate"
import { MachineGraph } from "../src/index.js"

// A machine with what the session machine's substates use: nesting, `always`,
// named delays, invocations, guards, actions and tags.
const nested = setup({
  guards: { canRetry: () => true, isFresh: () => true },
  actions: { record: () => {}, clear: () => {} },
  delays: { retryDelay: 10 },
  actors: { request: fromPromise(async () => 1) }
}).createMachine({
  id: "nested",
  initial: "idle",
  states: {
    idle: { on: { START: "working" } },
    working: {
      initial: "requesting",
      tags: ["busy"],
      states: {
        requesting: {
          invoke: { src: "request", onDone: { target: "#nested.done", actions: "record" }, onError: "backingOff" }
        },
        backingOff: { after: { retryDelay: "requesting" } }
      },
      on: { CANCEL: { target: "idle", guard: and(["canRetry", not("isFresh")]), actions: ["clear", "record"] } }
    },
    done: { always: { target: "idle", guard: "isFresh" }, entry: "clear" }
  }
})

describe("MachineGraph / fromMachine", () => {
  it("walks nested states, parents before children, with their invocations, timers and tags", () => {
    const graph = MachineGraph.fromMachine(nested)
    expect(graph.id).toBe("nested")
    expect(graph.initial).toBe("idle")
    expect(graph.nodes.map((node) => [node.id, node.parent, node.initial, node.type])).toEqual([
      ["idle", undefined, true, "atomic"],
      ["working", undefined, false, "compound"],
      ["working.requesting", "working", true, "atomic"],
      ["working.backingOff", "working", false, "atomic"],
      ["done", undefined, false, "atomic"]
    ])
    const byId = new Map(graph.nodes.map((node) => [node.id, node]))
    expect(byId.get("working")?.tags).toEqual(["busy"])
    expect(byId.get("working.requesting")?.invokes).toEqual(["request"])
    expect(byId.get("working.backingOff")?.timers).toEqual(["retryDelay"])
    expect(byId.get("done")?.entry).toEqual(["clear"])
  })

  it("reads every kind of transition: events, delays, actors' results, always, with guards and actions", () => {
    const edges = MachineGraph.fromMachine(nested).edges.map((edge) =>
      `${edge.source} -${edge.trigger}${edge.guard === "" ? "" : ` [${edge.guard}]`}-> ${edge.targets.join(",")} ${edge.actions.join(",")}`.trim()
    )
    expect(edges).toEqual([
      "idle -START-> working",
      "working -CANCEL [canRetry and not isFresh]-> idle clear,record",
      "working.requesting -done request-> done record",
      "working.requesting -error request-> working.backingOff",
      "working.backingOff -after retryDelay-> working.requesting",
      "done -always [isFresh]-> idle"
    ])
    const delayed = MachineGraph.fromMachine(nested).edges.find((edge) => edge.trigger === "after retryDelay")
    expect(delayed?.eventType).toBe("xstate.after.retryDelay.nested.working.backingOff")
  })

  it("has a node for each of the session machine's states and an edge for each transition it declares", () => {
    const machine = SessionMachine.make({ key: "k", refresh: "lazy" }, { now: () => 0, run: () => { throw new Error("not started") } })
    const graph = MachineGraph.fromMachine(machine)
    const top = graph.nodes.filter((node) => node.parent === undefined).map((node) => node.id)
    expect(top).toEqual([...SessionMachine.states])
    const pairs = new Set(graph.edges.flatMap((edge) =>
      edge.targets.map((target) => `${edge.source.split(".")[0]} ${edge.eventType} ${target.split(".")[0]}`)
    ))
    for (const { event, from, to } of SessionMachine.transitions(machine)) expect(pairs).toContain(`${from} ${event} ${to}`)
  })
})

describe("MachineGraph / toMermaid", () => {
  it("draws substates inside their composite state, with the arrows between them there", () => {
    expect(MachineGraph.toMermaid(MachineGraph.fromMachine(nested)).split("\n")).toEqual([
      "stateDiagram-v2",
      "  [*] --> idle",
      "  state \"working\" as working {",
      "    [*] --> working_requesting",
      "    state \"requesting\" as working_requesting",
      "    state \"backingOff\" as working_backingOff",
      "    working_requesting --> working_backingOff : error request",
      "    working_backingOff --> working_requesting : after retryDelay",
      "  }",
      "  idle --> working : START",
      "  working --> idle : CANCEL [canRetry and not isFresh]",
      "  working_requesting --> done : done request",
      "  done --> idle : always [isFresh]"
    ])
  })
})

describe("MachineGraph / activeStates", () => {
  it("lists the states a value is in, outermost first", () => {
    expect(MachineGraph.activeStates("authorized")).toEqual(["authorized"])
    expect(MachineGraph.activeStates({ refreshing: "backingOff" })).toEqual(["refreshing", "refreshing.backingOff"])
    expect(MachineGraph.activeStates({ a: { b: "c" } })).toEqual(["a", "a.b", "a.b.c"])
  })
})

describe("MachineGraph / toSvg", () => {
  it.effect("draws every state, nested ones inside their parent, and every transition with a target", () =>
    Effect.gen(function*() {
      const graph = MachineGraph.fromMachine(nested)
      const svg = yield* MachineGraph.toSvg(graph)
      expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true)
      for (const node of graph.nodes) expect(svg).toContain(`data-state="${node.id}"`)
      const drawn = [...svg.matchAll(/data-edge="([\d ]+)"/g)].flatMap((match) => (match[1] ?? "").split(" ").map(Number))
      expect(drawn.sort()).toEqual(graph.edges.flatMap((edge, index) => edge.targets.length > 0 ? [index] : []))
      const box = (id: string) => {
        const match = new RegExp(`data-state="${id.replace(".", "\\.")}"><title>[^<]*</title><rect x="([\\d.]+)" y="([\\d.]+)" width="([\\d.]+)" height="([\\d.]+)"`).exec(svg)
        expect(match, id).not.toBeNull()
        const [x, y, w, h] = match!.slice(1).map(Number) as [number, number, number, number]
        return { x, y, w, h }
      }
      const parent = box("working")
      for (const child of ["working.requesting", "working.backingOff"]) {
        const inner = box(child)
        expect(inner.x).toBeGreaterThan(parent.x)
        expect(inner.y).toBeGreaterThan(parent.y)
        expect(inner.x + inner.w).toBeLessThan(parent.x + parent.w)
        expect(inner.y + inner.h).toBeLessThan(parent.y + parent.h)
      }
    }))

  it.effect("escapes names: a state called <script> is text", () =>
    Effect.gen(function*() {
      const svg = yield* MachineGraph.toSvg({
        id: "x\"y",
        initial: "<script>",
        nodes: [{ id: "<script>", key: "<script>", parent: undefined, initial: true, type: "atomic", entry: [], exit: [], invokes: [], timers: [], tags: [] }],
        edges: []
      })
      expect(svg).not.toContain("<script>")
      expect(svg).toContain("&lt;script&gt;")
    }))
})
