import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from "xstate"
import type * as MachineGraph from "../MachineGraph.js"

/** @internal */
export const guardText = (guard: unknown): string => {
  if (guard === undefined) return ""
  if (typeof guard === "string") return guard
  if (typeof guard === "function") {
    // XState's `and`, `or` and `not` are functions named so, holding their operands in `guards`.
    const inner = (guard as { readonly guards?: ReadonlyArray<unknown> }).guards
    if (inner !== undefined && guard.name === "not") return `not ${guardText(inner[0])}`
    if (inner !== undefined && (guard.name === "and" || guard.name === "or")) {
      return inner.map(guardText).join(` ${guard.name} `)
    }
    return guard.name === "" ? "inline" : guard.name
  }
  if (typeof guard === "object" && guard !== null && "type" in guard) return String(guard.type)
  return "inline"
}

/** @internal */
export const actionText = (action: unknown): string =>
  typeof action === "string"
    ? action
    : (typeof action === "object" || typeof action === "function") && action !== null && "type" in action
    ? String(action.type)
    : typeof action === "function" && action.name !== ""
    ? action.name
    : "inline"

const idOf = (node: AnyStateNode): string => node.path.join(".")

const delayText = (delay: unknown): string => typeof delay === "number" ? `${delay} ms` : String(delay)

const triggerText = (node: AnyStateNode, eventType: string): string => {
  const delayed = node.after.find((transition) => transition.eventType === eventType)
  if (delayed !== undefined) return `after ${delayText(delayed.delay)}`
  for (const invoke of node.invoke) {
    if (eventType === `xstate.done.actor.${invoke.id}`) return `done ${String(invoke.src)}`
    if (eventType === `xstate.error.actor.${invoke.id}`) return `error ${String(invoke.src)}`
  }
  if (eventType.startsWith("xstate.done.state.")) return "done"
  return eventType
}

const edgesOf = (node: AnyStateNode): Array<MachineGraph.Edge> => {
  const edges: Array<MachineGraph.Edge> = []
  const add = (eventType: string, trigger: string, definition: AnyTransitionDefinition) =>
    edges.push({
      source: idOf(node),
      targets: (definition.target ?? []).map(idOf),
      eventType,
      trigger,
      guard: guardText(definition.guard),
      actions: definition.actions.map(actionText),
      reenter: definition.reenter
    })
  for (const [eventType, definitions] of node.transitions) {
    for (const definition of definitions) add(eventType, triggerText(node, eventType), definition)
  }
  for (const definition of node.always ?? []) add("", "always", definition)
  return edges
}

const nodeOf = (node: AnyStateNode): MachineGraph.Node => {
  const parent = node.parent
  return {
    id: idOf(node),
    key: node.key,
    parent: parent === undefined || parent.parent === undefined ? undefined : idOf(parent),
    initial: parent?.initial?.target.some((target) => target === node) ?? false,
    type: node.type,
    // `xstate.*` entries are XState's own (scheduling the `after` timers).
    entry: node.entry.map(actionText).filter((name) => !name.startsWith("xstate.")),
    exit: node.exit.map(actionText).filter((name) => !name.startsWith("xstate.")),
    invokes: node.invoke.map((invoke) => String(invoke.src)),
    timers: [...new Set(node.after.map((transition) => String(transition.delay)))],
    tags: [...node.tags]
  }
}

/** @internal */
export const fromMachine = (machine: AnyStateMachine): MachineGraph.Graph => {
  const nodes: Array<MachineGraph.Node> = []
  const edges: Array<MachineGraph.Edge> = []
  const walk = (node: AnyStateNode) => {
    for (const child of Object.values(node.states)) {
      nodes.push(nodeOf(child))
      edges.push(...edgesOf(child))
      walk(child)
    }
  }
  edges.push(...edgesOf(machine.root))
  walk(machine.root)
  return {
    id: machine.id,
    initial: machine.root.initial?.target.map(idOf)[0],
    nodes,
    edges
  }
}

/** @internal */
export const activeStates = (value: unknown, prefix: ReadonlyArray<string> = []): Array<string> => {
  if (typeof value === "string") return [[...prefix, value].join(".")]
  if (typeof value !== "object" || value === null) return []
  return Object.entries(value).flatMap(([key, child]) => [
    [...prefix, key].join("."),
    ...activeStates(child, [...prefix, key])
  ])
}
