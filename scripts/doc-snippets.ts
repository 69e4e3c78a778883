/**
 * Typechecks the TypeScript snippets of the documentation against the packages as
 * they are exported today.
 *
 * Which files: `README.md`, `docs/*.md`, `packages/*\/README.md` and
 * `examples/*\/README.md`, found when the check runs (a new doc is checked without
 * any change here).
 *
 * Which blocks: every fence tagged `ts` or `typescript`. A block that is not meant to
 * compile is not TypeScript: tag it `text`.
 *
 * How a block becomes a module (one module per block, typechecked with the repository's
 * strict options, unused names allowed):
 * 1. Imports. A block keeps its own imports and inherits those of the blocks above it
 *    in the same file, as a reader does. A namespace the block uses (`Name.` or
 *    `yield* Name`) and nobody imported is imported from the first module that exports
 *    it: the workspace packages (core, session, providers, node, testing, oauth1, store-sql, http), then
 *    `effect`, `@effect/platform`, `@effect/platform-node`.
 * 2. Context. An HTML comment right above the fence,
 *    `<!-- snippet context: declare const callbackUrl: string -->`, is placed before
 *    the block: it declares what the block takes from its surroundings. A relative
 *    module specifier in it is relative to the markdown file.
 * 3. Elided `Effect.gen`. A block with `yield*` and no `function*` is the body of an
 *    `Effect.gen(function*() { … })`.
 *
 * 4. Whole programs. A block right below `<!-- snippet run -->` is a whole program: after
 *    the typecheck it is run (tsx, the `source` export condition) and must exit 0
 *    within a minute. Such blocks run offline, against the embedded authorization
 *    server of `@effect-oauth/testing`.
 *
 * Run `npm run docs:snippets` to print the diagnostics; `scripts/doc-snippets.test.ts`
 * fails on any.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..")

/** A markdown file: its path relative to the root and its text. */
export interface Doc {
  readonly path: string
  readonly text: string
}

/** One fenced TypeScript block: its code, the line of its first code line, its context. */
export interface Snippet {
  readonly doc: string
  readonly line: number
  readonly code: string
  readonly context: string
  /** Marked `<!-- snippet run -->`: a whole program that is run, not only typechecked. */
  readonly run: boolean
}

/** A compiler diagnostic placed at a line of a markdown file. */
export interface Diagnostic {
  readonly doc: string
  readonly line: number
  readonly message: string
}

const listDir = (dir: string): ReadonlyArray<string> =>
  existsSync(join(root, dir)) ? readdirSync(join(root, dir)).sort() : []

/** The markdown files whose snippets are checked. */
export const docPaths = (): ReadonlyArray<string> => [
  "README.md",
  ...listDir("docs").filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`),
  ...["packages", "examples"].flatMap((dir) =>
    listDir(dir).map((name) => `${dir}/${name}/README.md`).filter((path) => existsSync(join(root, path)))
  )
]

/** Reads the markdown files whose snippets are checked. */
export const docs = (): ReadonlyArray<Doc> =>
  docPaths().map((path) => ({ path, text: readFileSync(join(root, path), "utf8") }))

const contextComment = /^<!--\s*snippet context:([\s\S]*?)-->\s*$/

/** The `ts` / `typescript` blocks of a markdown file, in order. */
export const snippets = (doc: Doc): ReadonlyArray<Snippet> => {
  const lines = doc.text.split("\n")
  const found: Array<Snippet> = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(ts|typescript)\s*$/.exec(lines[i]!)
    if (open === null) continue
    const fence = open[2]!
    const start = i + 1
    let end = start
    while (end < lines.length && lines[end]!.trim() !== fence) end++
    let context = ""
    let above = i - 1
    while (above >= 0 && lines[above]!.trim() === "") above--
    const run = above >= 0 && /^<!--\s*snippet run\s*-->$/.test(lines[above]!.trim())
    if (above >= 0 && lines[above]!.trim().endsWith("-->")) {
      let first = above
      while (first > 0 && !lines[first]!.includes("<!--")) first--
      const match = contextComment.exec(lines.slice(first, above + 1).join("\n").trim())
      if (match !== null) context = match[1]!.trim()
    }
    found.push({ doc: doc.path, line: start + 1, code: lines.slice(start, end).join("\n"), context, run })
    i = end
  }
  return found
}

const importStatement = /^\s*import\s[\s\S]*?\sfrom\s+["'][^"']+["'];?[ \t]*$|^\s*import\s+["'][^"']+["'];?[ \t]*$/gm

const importedNames = (statement: string): ReadonlyArray<string> => {
  const names: Array<string> = []
  const namespace = /\*\s+as\s+(\w+)/.exec(statement)
  if (namespace !== null) names.push(namespace[1]!)
  const braces = /\{([^}]*)\}/.exec(statement)
  if (braces !== null) {
    for (const part of braces[1]!.split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()?.trim()
      if (name) names.push(name)
    }
  }
  const plain = /^\s*import\s+(?:type\s+)?(\w+)\s*(?:,|\s+from)/.exec(statement)
  if (plain !== null && plain[1] !== "type") names.push(plain[1]!)
  return names
}

const namespaceExports = (file: string): ReadonlyArray<string> =>
  existsSync(file)
    ? [...readFileSync(file, "utf8").matchAll(/^export \* as (\w+) from/gm)].map((match) => match[1]!)
    : []

let table: ReadonlyArray<readonly [string, string]> | undefined

/** Namespace name → module, in the order of precedence described above. */
export const knownNamespaces = (): ReadonlyArray<readonly [string, string]> => {
  if (table !== undefined) return table
  const entries: Array<readonly [string, string]> = []
  for (const pkg of ["core", "session", "providers", "node", "testing", "oauth1", "store-sql", "http"]) {
    for (const name of namespaceExports(join(root, "packages", pkg, "src", "index.ts"))) {
      entries.push([name, `@effect-oauth/${pkg}`])
    }
  }
  for (const module of ["effect", "@effect/platform", "@effect/platform-node"]) {
    for (const name of namespaceExports(join(root, "node_modules", module, "src", "index.ts"))) {
      entries.push([name, module])
    }
  }
  table = entries.filter(([name]) => !(name in globalThis))
  return table
}

const usesNamespace = (code: string, name: string): boolean =>
  new RegExp(`(?<![\\w$])(?<![^.]\\.)${name}\\.\\w|yield\\*\\s*${name}\\b`).test(code)

const declares = (code: string, name: string): boolean =>
  new RegExp(`\\b(?:const|let|var|function|class|interface|type|enum)\\s+${name}\\b`).test(code)

/** A snippet turned into a module, and the number of lines placed before its first code line. */
export interface Module {
  readonly source: string
  readonly offset: number
}

/**
 * The module for one snippet. `inherited` holds the import statements of the blocks
 * above it in the same file.
 */
export const toModule = (snippet: Snippet, inherited: ReadonlyArray<string>): Module => {
  const own = snippet.code.match(importStatement) ?? []
  const ownNames = new Set(own.flatMap(importedNames))
  const body = snippet.code.replace(importStatement, (statement) => "".padEnd(statement.split("\n").length - 1, "\n"))
  const header: Array<string> = []
  const taken = new Set(ownNames)
  for (const statement of inherited) {
    const all = importedNames(statement)
    const names = all.filter((name) => !taken.has(name))
    if (names.length === 0) continue
    if (names.length === all.length) {
      header.push(statement)
    } else {
      // a name of this statement is imported by the block itself: keep the others
      const from = /from\s+(["'][^"']+["'])/.exec(statement)![1]
      const kind = /^\s*import\s+type\s/.test(statement) ? "type " : ""
      header.push(`import ${kind}{ ${names.join(", ")} } from ${from}`)
    }
    names.forEach((name) => taken.add(name))
  }
  const context = snippet.context.replace(/(from\s+["'])(\.\.?\/[^"']+)(["'])/g, (_, open: string, path: string, close: string) =>
    `${open}${relative(outDir, join(root, dirname(snippet.doc), path)).split(sep).join("/")}${close}`)
  const scope = `${context}\n${body}`
  for (const [name, from] of knownNamespaces()) {
    if (taken.has(name) || declares(scope, name) || !usesNamespace(scope, name)) continue
    header.push(`import { ${name} } from "${from}"`)
    taken.add(name)
  }
  const wrap = /yield\*/.test(body) && !/function\s*\*/.test(body)
  if (wrap && !taken.has("Effect")) header.push(`import { Effect } from "effect"`)
  header.push(...own.map((statement) => statement.replace(/\n/g, " ")))
  if (context !== "") header.push(context)
  header.push("export {}")
  if (wrap) header.push("Effect.gen(function*() {")
  const lines = [...header, body]
  if (wrap) lines.push("})")
  const headerText = header.join("\n")
  return { source: lines.join("\n") + "\n", offset: headerText.split("\n").length }
}

/** The modules of every snippet of the given files, each with the snippet it came from. */
export const modules = (files: ReadonlyArray<Doc>): ReadonlyArray<{ readonly snippet: Snippet; readonly module: Module }> =>
  files.flatMap((doc) => {
    const inherited: Array<string> = []
    return snippets(doc).map((snippet) => {
      const module = toModule(snippet, inherited)
      inherited.push(...(snippet.code.match(importStatement) ?? []).map((statement) => statement.replace(/\n/g, " ")))
      return { snippet, module }
    })
  })

/** Where the generated modules are written (ignored by git). */
export const outDir = join(root, ".tmp", "doc-snippets")

/**
 * Typechecks the snippets of the given files in one compiler run and returns the
 * diagnostics, placed at the line of the markdown file they refer to.
 */
export const check = (files: ReadonlyArray<Doc> = docs()): ReadonlyArray<Diagnostic> => {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const placed = new Map<string, Snippet & { readonly offset: number }>()
  modules(files).forEach(({ module, snippet }, index) => {
    const name = `${String(index).padStart(3, "0")}-${snippet.doc.replace(/[^\w]+/g, "_")}-L${snippet.line}.ts`
    writeFileSync(join(outDir, name), module.source)
    placed.set(name, { ...snippet, offset: module.offset })
  })
  writeFileSync(
    join(outDir, "tsconfig.json"),
    JSON.stringify({
      extends: relative(outDir, join(root, "tsconfig.base.json")),
      compilerOptions: {
        composite: false,
        incremental: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        noEmit: true,
        noUnusedLocals: false,
        noUnusedParameters: false
      },
      include: ["*.ts"]
    })
  )
  let output: string
  try {
    output = execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", outDir, "--pretty", "false"], {
      encoding: "utf8",
      cwd: root
    })
  } catch (error) {
    const failed = error as { readonly status?: number | null; readonly stdout?: string; readonly stderr?: string }
    // no exit status: the compiler did not run at all, which must not read as "no errors"
    if (typeof failed.status !== "number") throw error
    output = `${failed.stdout ?? ""}${failed.stderr ?? ""}`
  }
  const diagnostics: Array<Diagnostic> = []
  let last: Diagnostic | undefined
  for (const line of output.split("\n")) {
    const match = /^(.*?)\((\d+),(\d+)\): error (TS\d+: .*)$/.exec(line)
    if (match === null) {
      if (last !== undefined && line.startsWith(" ")) {
        last = { ...last, message: `${last.message}\n${line}` }
        diagnostics[diagnostics.length - 1] = last
      } else if (line.trim() !== "") {
        diagnostics.push(last = { doc: "(compiler)", line: 0, message: line })
      }
      continue
    }
    const file = match[1]!.split(/[\\/]/).pop()!
    const snippet = placed.get(file)
    const at = Number(match[2])
    last = snippet === undefined
      ? { doc: relative(root, match[1]!), line: at, message: match[4]! }
      : {
        doc: snippet.doc,
        line: at > snippet.offset ? snippet.line + at - snippet.offset - 1 : snippet.line - 1,
        message: at > snippet.offset ? match[4]! : `(in the imports or context) ${match[4]!}`
      }
    diagnostics.push(last)
  }
  return diagnostics
}

/**
 * Runs the blocks marked `<!-- snippet run -->` (written by {@link check}) and
 * returns a diagnostic for each that did not exit 0, with the end of its output.
 */
export const runMarked = (files: ReadonlyArray<Doc> = docs()): ReadonlyArray<Diagnostic> =>
  modules(files).flatMap(({ module, snippet }, index): ReadonlyArray<Diagnostic> => {
    if (!snippet.run) return []
    const file = join(outDir, `run-${String(index).padStart(3, "0")}.ts`)
    writeFileSync(file, module.source)
    try {
      execFileSync(process.execPath, ["--conditions=source", "--import", "tsx", file], {
        cwd: root,
        encoding: "utf8",
        stdio: "pipe",
        timeout: 60_000
      })
      return []
    } catch (error) {
      const failed = error as { readonly stdout?: string; readonly stderr?: string }
      const output = `${failed.stdout ?? ""}${failed.stderr ?? ""}`.trim().split("\n").slice(-8).join("\n")
      return [{ doc: snippet.doc, line: snippet.line, message: `the program did not exit 0:\n${output}` }]
    }
  })

/** Diagnostics as `file:line: message` lines. */
export const format = (diagnostics: ReadonlyArray<Diagnostic>): string =>
  diagnostics.map(({ doc, line, message }) => `${doc}:${line}: ${message}`).join("\n")

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const typed = check()
  const found = typed.length === 0 ? runMarked() : typed
  const count = modules(docs()).length
  const runs = modules(docs()).filter(({ snippet }) => snippet.run).length
  console.log(found.length === 0 ? `${count} snippets typecheck, ${runs} of them run` : format(found))
  process.exitCode = found.length === 0 ? 0 : 1
}

/** An inline code span `Namespace.member` naming an export of a workspace package. */
export interface Reference {
  readonly doc: string
  readonly line: number
  readonly namespace: string
  readonly member: string
}

/** The `Namespace.member` references in inline code (outside fenced blocks) to workspace modules. */
export const references = (doc: Doc): ReadonlyArray<Reference> => {
  const workspace = new Set(knownNamespaces().filter(([, from]) => from.startsWith("@effect-oauth/")).map(([name]) => name))
  const found: Array<Reference> = []
  let fence: string | undefined
  doc.text.split("\n").forEach((text, index) => {
    const marker = /^\s*(`{3,})/.exec(text)
    if (marker !== null) {
      fence = fence === undefined ? marker[1] : marker[1] === fence ? undefined : fence
      return
    }
    if (fence !== undefined) return
    for (const span of text.matchAll(/`([^`]+)`/g)) {
      for (const match of span[1]!.matchAll(/(?<![\w$./])([A-Z]\w*)\.([A-Za-z_]\w*)/g)) {
        if (workspace.has(match[1]!)) found.push({ doc: doc.path, line: index + 1, namespace: match[1]!, member: match[2]! })
      }
    }
  })
  return found
}

/** The names a workspace module exports (values and types), read from its public file. */
export const moduleExports = (namespace: string): ReadonlySet<string> => {
  const names = new Set<string>()
  for (const [name, from] of knownNamespaces()) {
    if (name !== namespace || !from.startsWith("@effect-oauth/")) continue
    const dir = join(root, "packages", from.slice("@effect-oauth/".length), "src")
    const index = readFileSync(join(dir, "index.ts"), "utf8")
    const file = new RegExp(`^export \\* as ${name} from "\\./(\\w+)\\.js"`, "m").exec(index)
    if (file === null) continue
    const source = readFileSync(join(dir, `${file[1]}.ts`), "utf8")
    for (const match of source.matchAll(/^export\s+(?:declare\s+)?(?:abstract\s+)?(?:const|let|function\*?|class|interface|type|enum|namespace)\s+(\w+)/gm)) {
      names.add(match[1]!)
    }
    for (const match of source.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)) {
      for (const part of match[1]!.split(",")) {
        const exported = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()?.trim()
        if (exported) names.add(exported)
      }
    }
  }
  return names
}

/** References to a member the module does not export. */
export const unknownReferences = (files: ReadonlyArray<Doc> = docs()): ReadonlyArray<Reference> =>
  files.flatMap(references).filter(({ member, namespace }) => !moduleExports(namespace).has(member))
