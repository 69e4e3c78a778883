/**
 * The largest self times of a `.cpuprofile` (`node --cpu-prof`), by function and
 * by package: `tsx bench/profileSummary.ts <file.cpuprofile> [top] [--inclusive] [--callers text]`;
 * with `--inclusive`, also the time spent under each of our own functions;
 * with `--callers`, the call paths (four frames up) that lead to the functions
 * whose name or file contains `text`, by self time.
 */
import * as Fs from "node:fs"

interface ProfileNode {
  readonly id: number
  readonly children?: ReadonlyArray<number>
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** `node_modules/<package>` (scoped included), our own `packages/<name>`, `node:` internals, or the VM's own. */
const packageOf = (url: string): string => {
  if (url === "") return "(native)"
  if (url.startsWith("node:")) return "node:internal"
  const modules = url.lastIndexOf("node_modules/")
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/")
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  const ours = /\/(packages\/[^/]+|bench)\//.exec(url)
  return ours === null ? url : ours[1]!
}

const args = process.argv.slice(2)
const callersAt = args.indexOf("--callers")
const callersOf = callersAt >= 0 ? args[callersAt + 1] : undefined
const positional = (callersAt >= 0 ? [...args.slice(0, callersAt), ...args.slice(callersAt + 2)] : args).filter((arg) => !arg.startsWith("--"))
const file = positional[0]
const top = Number(positional[1] ?? 30)
if (file === undefined) {
  console.error("usage: bench/profileSummary.ts <file.cpuprofile> [top] [--callers text]")
  process.exit(2)
}
const profile = JSON.parse(Fs.readFileSync(file, "utf8")) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const selfTime = new Map<number, number>()
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
const total = [...selfTime.values()].reduce((a, b) => a + b, 0)

function nameOf(frame: ProfileNode["callFrame"]): string {
  const where = frame.url === ""
    ? ""
    : ` ${frame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(packages|bench)\//, "$1/")}:${frame.lineNumber + 1}`
  return `${frame.functionName || "(anonymous)"}${where}`
}

const parentOf = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id)

const byFunction = new Map<string, number>()
const byPackage = new Map<string, number>()
for (const [id, micros] of selfTime) {
  const frame = byId.get(id)!.callFrame
  const name = nameOf(frame)
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros)
  byPackage.set(packageOf(frame.url), (byPackage.get(packageOf(frame.url)) ?? 0) + micros)
}
const show = (title: string, table: Map<string, number>, rows: number) => {
  console.log(`\n${title}`)
  for (const [name, micros] of [...table].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${(micros / 1000).toFixed(0).padStart(7)} ms ${((100 * micros) / total).toFixed(1).padStart(5)} %  ${name}`)
  }
}
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`)
show("by package (self time)", byPackage, 15)
show("by function (self time)", byFunction, top)
if (args.includes("--inclusive")) {
  // Each sample counted once for every distinct function on its stack.
  const inclusive = new Map<string, number>()
  for (const [id, micros] of selfTime) {
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const name = nameOf(byId.get(at)!.callFrame)
      if (seen.has(name)) continue
      seen.add(name)
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros)
    }
  }
  show("by function (inclusive, this file's functions and the platform's)", new Map([...inclusive].filter(([name]) => /packages\/|@effect\/platform|bench\//.test(name))), top)
}
if (callersOf !== undefined) {
  const paths = new Map<string, number>()
  for (const [id, micros] of selfTime) {
    if (!nameOf(byId.get(id)!.callFrame).includes(callersOf)) continue
    const chain: Array<string> = []
    for (let at: number | undefined = id; at !== undefined && chain.length < 5; at = parentOf.get(at)) {
      chain.push(nameOf(byId.get(at)!.callFrame))
    }
    const path = chain.join("\n      <- ")
    paths.set(path, (paths.get(path) ?? 0) + micros)
  }
  show(`call paths to ${callersOf}`, paths, 12)
}
