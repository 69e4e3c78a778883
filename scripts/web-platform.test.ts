/**
 * The packages that run on every JavaScript runtime (Node, Bun, Deno, workerd,
 * browsers) use Web Crypto and `fetch` only: no `node:` module, no `Buffer`, no
 * `process`. `scripts/conformance` runs them on each runtime; this check names the
 * line that would break one.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { root } from "./doc-snippets.js"

const portable = ["core", "session", "oauth1"]

const sources = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

describe("portable packages", () => {
  for (const name of portable) {
    it(`${name} imports no node: module and uses no Buffer or process`, () => {
      const found = sources(join(root, "packages", name, "src")).flatMap((file) =>
        readFileSync(file, "utf8").split("\n").flatMap((line, index) =>
          /from "node:|import\("node:|\bBuffer\.|\bprocess\./.test(line.replace(/^\s*(\*|\/\/).*$/, ""))
            ? [`${file.slice(root.length + 1)}:${index + 1}: ${line.trim()}`]
            : []
        )
      )
      expect(found).toEqual([])
    })
  }
})
