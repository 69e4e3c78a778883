import type * as MachineGraph from "../MachineGraph.js"

const nameOf = (id: string) => id.replaceAll(".", "_")

/** The innermost state holding both `a` and `b` (`undefined`: the machine itself). */
const commonParent = (a: string, b: string): string | undefined => {
  const left = a.split(".")
  const right = b.split(".")
  const shared: Array<string> = []
  for (let i = 0; i < Math.min(left.length, right.length) - 1 && left[i] === right[i]; i++) shared.push(left[i]!)
  return shared.length === 0 ? undefined : shared.join(".")
}

const arrow = (edge: MachineGraph.Edge, target: string) =>
  `${nameOf(edge.source)} --> ${nameOf(target)} : ${edge.trigger}${edge.guard === "" ? "" : ` [${edge.guard}]`}`

/** @internal */
export const toMermaid = (graph: MachineGraph.Graph): string => {
  const lines = ["stateDiagram-v2", `  [*] --> ${nameOf(graph.initial ?? "")}`]
  const inside = new Map<string | undefined, Array<string>>()
  for (const edge of graph.edges) {
    if (edge.source === "") continue
    for (const target of edge.targets) {
      const parent = commonParent(edge.source, target)
      inside.set(parent, [...(inside.get(parent) ?? []), arrow(edge, target)])
    }
  }
  // Mermaid draws an arrow between two substates only from inside their composite state.
  const block = (parent: string | undefined, depth: number) => {
    const indent = "  ".repeat(depth)
    for (const node of graph.nodes.filter((node) => node.parent === parent)) {
      const children = graph.nodes.filter((child) => child.parent === node.id)
      if (children.length === 0) {
        if (parent !== undefined) lines.push(`${indent}state "${node.key}" as ${nameOf(node.id)}`)
        continue
      }
      lines.push(`${indent}state "${node.key}" as ${nameOf(node.id)} {`)
      const initial = children.find((child) => child.initial)
      if (initial !== undefined) lines.push(`${indent}  [*] --> ${nameOf(initial.id)}`)
      block(node.id, depth + 1)
      for (const line of inside.get(node.id) ?? []) lines.push(`${indent}  ${line}`)
      lines.push(`${indent}}`)
    }
  }
  block(undefined, 1)
  for (const line of inside.get(undefined) ?? []) lines.push(`  ${line}`)
  return lines.join("\n")
}
