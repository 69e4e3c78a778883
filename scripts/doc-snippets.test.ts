import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import {
  check,
  type Diagnostic,
  type Doc,
  docPaths,
  docs,
  format,
  modules,
  references,
  root,
  runMarked,
  snippets,
  unknownReferences
} from "./doc-snippets.js"

// Blocks that must fail, typechecked in the same compiler run as the real ones: they
// show that a wrong name, a wrong option and an unmet requirement are caught, and at
// which line of the markdown file they are reported.
const broken: Doc = {
  path: "docs/(broken fixture).md",
  text: [
    "# Broken",
    "",
    "```ts",
    "const oauth = yield* OAuthClient.make({ provider, client: { clientId: \"app\" } })",
    "```",
    "",
    "<!-- snippet context: declare const provider: Provider.Provider -->",
    "```ts",
    "const oauth = yield* OAuthClient.make({ provider, client: { clientId: \"app\", clientSecretz: \"s\" } })",
    "yield* oauth.refreshTokens",
    "```",
    "",
    "```ts",
    "import { OAuthSession } from \"@effect-oauth/session\"",
    "Effect.runPromise(OAuthSession.make({ key: \"k\", refresh: \"lazy\" }).pipe(Effect.scoped))",
    "```",
    ""
  ].join("\n")
}

describe("documentation snippets", () => {
  let diagnostics: ReadonlyArray<Diagnostic> = []
  beforeAll(() => {
    diagnostics = check([...docs(), broken])
  })

  it("finds the checked files: the root README, every docs/*.md, every package and example README", () => {
    const paths = docPaths()
    expect(paths[0]).toBe("README.md")
    for (const name of readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md"))) {
      expect(paths).toContain(`docs/${name}`)
    }
    for (const dir of ["packages", "examples"]) {
      for (const name of readdirSync(join(root, dir))) {
        if (existsSync(join(root, dir, name, "README.md"))) expect(paths).toContain(`${dir}/${name}/README.md`)
      }
    }
  })

  it("typechecks every ts block of the docs and READMEs against the current exports (npm run docs:snippets prints the errors)", () => {
    const real = diagnostics.filter(({ doc }) => doc !== broken.path)
    expect(format(real)).toBe("")
    expect(modules(docs()).length).toBeGreaterThan(20)
  })

  it("reports a missing context name, a wrong option, a wrong method and an unmet requirement at their markdown lines", () => {
    const found = diagnostics.filter(({ doc }) => doc === broken.path)
    expect(found.map(({ line }) => line)).toEqual([4, 9, 10, 15])
    expect(found[0]!.message).toContain("'provider'")
    expect(found[1]!.message).toContain("clientSecretz")
    expect(found[2]!.message).toContain("refreshTokens")
    expect(found[3]!.message).toContain("TokenStore")
  })

  it("reads a block's context comment and wraps a block with a bare yield* in Effect.gen", () => {
    const [first, second] = snippets(broken)
    expect(first!.context).toBe("")
    expect(second!.context).toBe("declare const provider: Provider.Provider")
    expect(second!.line).toBe(9)
    const source = modules([broken])[1]!.module.source
    expect(source).toContain("Effect.gen(function*() {")
    expect(source).toContain(`import { OAuthClient } from "@effect-oauth/core"`)
    expect(source).toContain(`import { Provider } from "@effect-oauth/core"`)
  })
})

describe("documentation programs", () => {
  const programs: Doc = {
    path: "docs/(programs fixture).md",
    text: [
      "<!-- snippet run -->",
      "```ts",
      "console.log(\"fine\")",
      "```",
      "",
      "<!-- snippet run -->",
      "```ts",
      "throw new Error(\"the program failed on purpose\")",
      "```",
      "",
      "```ts",
      "throw new Error(\"typechecked only: never run\")",
      "```",
      ""
    ].join("\n")
  }

  it("runs the blocks marked snippet run, and those of the docs exit 0", { timeout: 120_000 }, () => {
    check([...docs(), programs])
    expect(snippets(programs).map(({ run }) => run)).toEqual([true, true, false])
    const failures = runMarked([...docs(), programs])
    expect(failures.map(({ doc, line }) => `${doc}:${line}`)).toEqual(["docs/(programs fixture).md:8"])
    expect(failures[0]!.message).toContain("the program failed on purpose")
    expect(modules(docs()).filter(({ snippet }) => snippet.run).length).toBeGreaterThanOrEqual(2)
  })
})

describe("documentation references", () => {
  it("names in inline code as Module.member are exports of that module", () => {
    expect(unknownReferences().map((ref) => `${ref.doc}:${ref.line}: ${ref.namespace}.${ref.member}`)).toEqual([])
  })

  it("finds a reference to a member the module does not export", () => {
    const doc: Doc = { path: "x.md", text: "Use `OAuthClient.layer` or `TokenStore.layerSql`, not `session.revoke`.\n\n```ts\nTokenStore.nope\n```\n" }
    expect(references(doc).map(({ member }) => member)).toEqual(["layer", "layerSql"])
    expect(unknownReferences([doc]).map(({ member }) => member)).toEqual(["layerSql"])
  })

  it("every file path in inline code exists, from the doc's folder, the root, or a package or example folder", () => {
    const bases = ["", ...["packages", "examples"].flatMap((dir) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}`))]
    const paths = docs().flatMap(({ path, text }) =>
      [...text.matchAll(/`((?:[\w.@-]+\/)+[\w.-]+\.(?:ts|mjs|js|md|json|sh))`/g)].map((match) => ({ path, file: match[1]! }))
    )
    expect(paths.length).toBeGreaterThan(20)
    const missing = paths.filter(({ file, path }) =>
      !existsSync(join(root, dirname(path), file)) && !bases.some((base) => existsSync(join(root, base, file)))
    )
    expect(missing).toEqual([])
  })

  it("every relative link of a checked file points at an existing file or folder", () => {
    const missing: Array<string> = []
    for (const { path, text } of docs()) {
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!.split("#")[0]!
        if (target === "" || /^[a-z]+:/.test(target)) continue
        if (!existsSync(join(root, dirname(path), target))) missing.push(`${path}: ${match[1]}`)
      }
    }
    expect(missing).toEqual([])
  })
})

describe("README.md", () => {
  const readme = docs()[0]!.text
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!)

  it("links every guide in docs/ exactly once", () => {
    for (const name of readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md"))) {
      expect(links.filter((link) => link === `docs/${name}`), `docs/${name}`).toHaveLength(1)
    }
  })

  it("links every example and every package", () => {
    for (const dir of ["examples", "packages"]) {
      for (const name of readdirSync(join(root, dir))) {
        if (!statSync(join(root, dir, name)).isDirectory() || (dir === "examples" && name === "shared")) continue
        expect(links, `${dir}/${name}`).toContain(`${dir}/${name}`)
      }
    }
  })

  it("names in the package table only modules the workspace packages export", () => {
    const table = readme.slice(readme.indexOf("## Packages"), readme.indexOf("\n## ", readme.indexOf("## Packages") + 1))
    // a public module is a PascalCase file of a package's src/, in its index or imported by its own path
    const exported = new Set(
      readdirSync(join(root, "packages")).flatMap((name) =>
        existsSync(join(root, "packages", name, "src"))
          ? readdirSync(join(root, "packages", name, "src")).filter((file) => /^[A-Z]\w*\.ts$/.test(file)).map((file) => file.slice(0, -3))
          : []
      )
    )
    const named = [...table.matchAll(/`([A-Z]\w*)(?:\.\w+)?`/g)].map((match) => match[1]!)
    expect(named.length).toBeGreaterThan(5)
    expect(named.filter((name) => !exported.has(name))).toEqual([])
  })

  it("keeps the quick start: npm ci && npm run demo, then npm test", () => {
    expect(readme).toContain("## Quick start\n\n```sh\nnpm ci && npm run demo\nnpm test\n```")
  })
})

describe("documented commands", () => {
  const packageJson = (dir: string): { readonly name?: string; readonly scripts?: Readonly<Record<string, string>> } =>
    JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"))
  const workspaces = new Map(
    ["packages", "examples"].flatMap((dir) =>
      readdirSync(join(root, dir))
        .filter((name) => existsSync(join(root, dir, name, "package.json")))
        .map((name) => [packageJson(`${dir}/${name}`).name ?? "", `${dir}/${name}`] as const)
    )
  )
  const commands = docs().flatMap(({ path, text }) =>
    [...text.matchAll(/npm run(?: -s)?(?: -w (\S+))? ([\w:-]+)/g)].map((match) => ({ path, workspace: match[1], script: match[2]! }))
  )

  it("every npm run in a doc names a script that exists, in an existing workspace, whose entry file exists", () => {
    expect(commands.length).toBeGreaterThan(10)
    const problems: Array<string> = []
    for (const { path, script, workspace } of commands) {
      const dir = workspace === undefined ? "." : workspaces.get(workspace)
      if (dir === undefined) {
        problems.push(`${path}: no workspace ${workspace}`)
        continue
      }
      const line = packageJson(dir).scripts?.[script]
      if (line === undefined) {
        problems.push(`${path}: no script ${script} in ${dir}/package.json`)
        continue
      }
      for (const file of line.match(/[\w./-]+\.(?:ts|mjs|js)\b/g) ?? []) {
        if (!existsSync(join(root, dir, file))) problems.push(`${path}: ${script} runs ${file}, which does not exist`)
      }
    }
    expect(problems).toEqual([])
  })

  it("every vitest --project in a doc is a project of vitest.workspace.ts", () => {
    const declared = [...readFileSync(join(root, "vitest.workspace.ts"), "utf8").matchAll(/project\("([\w-]+)"/g)].map((match) => match[1])
    const named = docs().flatMap(({ text }) => [...text.matchAll(/--project ([\w-]+)/g)].map((match) => match[1]))
    expect(named.filter((name) => !declared.includes(name))).toEqual([])
  })
})
