import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { renderTable, replaceTable } from "./conformance/table.js"
import { root } from "./doc-snippets.js"

describe("the README's compatibility table", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8")

  it("is the table of a run on the six runtimes, every one passing", () => {
    const section = readme.split("<!-- compatibility:begin")[1]?.split("<!-- compatibility:end -->")[0] ?? ""
    const rows = section.split("\n").filter((line) => line.startsWith("| ")).slice(2)
      .map((line) => line.split("|").map((cell) => cell.trim()).filter((cell) => cell !== ""))
    expect(rows.map(([runtime, , outcome]) => [runtime, outcome])).toEqual(
      ["Node.js", "Node.js", "Bun", "Deno", "workerd", "Chromium"].map((runtime) => [runtime, "passes"])
    )
    expect(rows.filter(([runtime]) => runtime === "Node.js").map(([, version]) => version)).toEqual(["20", "22"])
  })

  it("is replaced between its markers and nowhere else", () => {
    const table = renderTable([{ runtime: "Bun", version: "1.4", ok: false, detail: "refresh failed: a | b" }])
    const updated = replaceTable(readme, table)
    expect(updated).toContain("| Bun | 1.4 | fails: refresh failed: a \\| b |")
    expect(updated.split("<!-- compatibility:end -->")[1]).toBe(readme.split("<!-- compatibility:end -->")[1])
    expect(replaceTable(updated, table)).toBe(updated)
    expect(() => replaceTable("no markers", table)).toThrow(/lacks the markers/)
  })
})
