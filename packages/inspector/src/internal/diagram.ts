import ElkModule from "elkjs/lib/elk.bundled.js"
import type { ELK, ElkExtendedEdge, ElkLabel, ElkNode } from "elkjs/lib/elk.bundled.js"
import { Effect } from "effect"
import type * as MachineGraph from "../MachineGraph.js"

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c] ?? c)

// Text is measured by character count: the page's fonts are the browser's own,
// and these widths (13 px sans, 11 px monospace) leave room for the wider ones.
const nameWidth = (text: string) => Math.ceil(text.length * 8.2) + 28
const smallWidth = (text: string) => Math.ceil(text.length * 6.8) + 16
const initialId = (container: string) => `initial:${container}`
const triggers = (graph: MachineGraph.Graph, edges: ReadonlyArray<number>) => [
  ...new Set(edges.map((index) => graph.edges[index]?.trigger ?? ""))
]

/** What a node shows under its name: the actors it invokes and its timers. */
const detail = (node: MachineGraph.Node): string =>
  [...node.invokes.map((src) => `invoke ${src}`), ...node.timers.map((timer) => `after ${/^\d+$/.test(timer) ? `${timer} ms` : timer}`)].join(" · ")

const elkGraph = (graph: MachineGraph.Graph): ElkNode => {
  const childrenOf = new Map<string | undefined, Array<MachineGraph.Node>>()
  for (const node of graph.nodes) childrenOf.set(node.parent, [...(childrenOf.get(node.parent) ?? []), node])
  const edges: Array<ElkExtendedEdge> = []
  const toElk = (node: MachineGraph.Node): ElkNode => {
    const children = childrenOf.get(node.id) ?? []
    if (children.length === 0) {
      const sub = detail(node)
      return {
        id: node.id,
        width: Math.max(nameWidth(node.key), sub === "" ? 0 : smallWidth(sub), 96),
        height: sub === "" ? 38 : 52
      }
    }
    return {
      id: node.id,
      layoutOptions: { "elk.padding": "[top=34,left=14,bottom=14,right=14]" },
      children: [...initialNode(node.id, children), ...children.map(toElk)]
    }
  }
  const initialNode = (container: string, children: ReadonlyArray<MachineGraph.Node>): Array<ElkNode> => {
    const first = children.find((child) => child.initial)
    if (first === undefined) return []
    edges.push({ id: `start:${container}`, sources: [initialId(container)], targets: [first.id] })
    return [{ id: initialId(container), width: 12, height: 12 }]
  }
  const top = childrenOf.get(undefined) ?? []
  const children = [...initialNode("", top), ...top.map(toElk)]
  // One arrow per pair of states, labelled with every trigger between them.
  const arrows = new Map<string, { source: string; target: string; edges: Array<number> }>()
  graph.edges.forEach((edge, index) => {
    if (edge.source === "") return
    for (const target of edge.targets) {
      const key = JSON.stringify([edge.source, target])
      const arrow = arrows.get(key) ?? { source: edge.source, target, edges: [] }
      arrow.edges.push(index)
      arrows.set(key, arrow)
    }
  })
  for (const arrow of arrows.values()) {
    const lines = triggers(graph, arrow.edges)
    const label: ElkLabel = {
      id: `label:${arrow.edges.join(",")}`,
      text: lines.join("\n"),
      width: Math.max(...lines.map(smallWidth)),
      height: 14 * lines.length + 2
    }
    edges.push({ id: `edge:${arrow.edges.join(",")}`, sources: [arrow.source], targets: [arrow.target], labels: [label] })
  }
  return {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.hierarchyHandling": "INCLUDE_CHILDREN",
      "elk.layered.spacing.nodeNodeBetweenLayers": "48",
      "elk.spacing.nodeNode": "36",
      "elk.spacing.edgeLabel": "4",
      "elk.spacing.edgeEdge": "14",
      "elk.edgeLabels.placement": "CENTER",
      "elk.padding": "[top=16,left=16,bottom=16,right=16]",
      "elk.json.shapeCoords": "ROOT",
      "elk.json.edgeCoords": "ROOT"
    },
    children,
    edges
  }
}

const point = (p: { readonly x: number; readonly y: number }) => `${Math.round(p.x * 10) / 10},${Math.round(p.y * 10) / 10}`

const render = (graph: MachineGraph.Graph, laid: ElkNode): string => {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]))
  const shapes: Array<string> = []
  const visit = (elk: ElkNode) => {
    for (const child of elk.children ?? []) {
      const x = child.x ?? 0
      const y = child.y ?? 0
      const w = child.width ?? 0
      const h = child.height ?? 0
      const node = byId.get(child.id)
      if (node === undefined) {
        shapes.push(`<circle class="initial" cx="${x + w / 2}" cy="${y + h / 2}" r="${w / 2}"/>`)
        continue
      }
      const compound = (child.children ?? []).length > 0
      const sub = compound ? "" : detail(node)
      const title = [node.id, ...node.tags.map((tag) => `tag ${tag}`), ...node.entry.map((a) => `entry ${a}`), ...node.exit.map((a) => `exit ${a}`)]
        .join("\n")
      shapes.push(
        `<g class="state${compound ? " compound" : ""}" data-state="${escape(node.id)}"><title>${escape(title)}</title>` +
          `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="10"/>` +
          (compound
            ? `<text class="name" x="${x + 12}" y="${y + 21}">${escape(node.key)}</text>`
            : `<text class="name" x="${x + w / 2}" y="${y + (sub === "" ? 24 : 22)}" text-anchor="middle">${escape(node.key)}</text>` +
              (sub === "" ? "" : `<text class="detail" x="${x + w / 2}" y="${y + 40}" text-anchor="middle">${escape(sub)}</text>`)) +
          `</g>`
      )
      visit(child)
    }
  }
  visit(laid)
  const lines: Array<string> = []
  for (const edge of laid.edges ?? []) {
    const d = (edge.sections ?? []).map((section) =>
      `M${point(section.startPoint)}` + (section.bendPoints ?? []).map((p) => `L${point(p)}`).join("") + `L${point(section.endPoint)}`
    ).join("")
    if (!edge.id.startsWith("edge:")) {
      lines.push(`<path class="start" d="${d}" marker-end="url(#arrow)"/>`)
      continue
    }
    const indices = edge.id.slice("edge:".length).split(",").map(Number)
    const title = indices.flatMap((index) => {
      const definition = graph.edges[index]
      if (definition === undefined) return []
      return [
        [
          `${definition.trigger}: ${definition.source} → ${definition.targets.join(", ")}`,
          ...(definition.guard === "" ? [] : [`  guard ${definition.guard}`]),
          ...(definition.actions.length === 0 ? [] : [`  actions ${definition.actions.join(", ")}`])
        ].join("\n")
      ]
    }).join("\n")
    const label = edge.labels?.[0]
    const text = label === undefined ? "" : triggers(graph, indices).map((line, n) =>
      `<tspan x="${(label.x ?? 0) + (label.width ?? 0) / 2}" y="${(label.y ?? 0) + 12 + 14 * n}">${escape(line)}</tspan>`
    ).join("")
    lines.push(
      `<g class="transition" data-edge="${indices.join(" ")}"><title>${escape(title)}</title>` +
        `<path d="${d}" marker-end="url(#arrow)"/>` +
        (text === "" ? "" : `<text text-anchor="middle">${text}</text>`) +
        `</g>`
    )
  }
  const width = Math.ceil(laid.width ?? 0)
  const height = Math.ceil(laid.height ?? 0)
  return `<svg xmlns="http://www.w3.org/2000/svg" class="machine" data-machine="${escape(graph.id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="statechart of ${escape(graph.id)}">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker></defs>` +
    shapes.join("") + lines.join("") + `</svg>`
}

// elkjs is CommonJS: Node's default import is `module.exports`, the constructor
// itself, which its types call `default`.
const Elk = ElkModule.default as unknown as new() => ELK

/** @internal */
export const toSvg = (graph: MachineGraph.Graph): Effect.Effect<string> =>
  Effect.promise(() => new Elk().layout(elkGraph(graph))).pipe(Effect.map((laid) => render(graph, laid)))
