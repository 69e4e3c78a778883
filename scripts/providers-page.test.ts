import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { current, docPath, end, generated, presets, table } from "./providers-page.js"

const testFile = (name: string) => fileURLToPath(new URL(`../packages/providers/test/${name}.test.ts`, import.meta.url))

describe("docs/providers.md", () => {
  it("carries the table generated from the presets (run npm run docs:providers when this fails)", () => {
    expect(current(readFileSync(docPath, "utf8"))).toBe(generated())
  })

  it("has a row for every preset: each has its about row and a test file of fixtures", () => {
    const all = presets()
    expect(all.length).toBeGreaterThanOrEqual(35)
    expect(all.filter((preset) => preset.about === undefined).map((preset) => preset.name)).toEqual([])
    expect(all.filter((preset) => !existsSync(testFile(preset.name))).map((preset) => preset.name)).toEqual([])
    expect(table().split("\n")).toHaveLength(all.length + 2)
  })

  it("names every documentation page by https", () => {
    for (const { about } of presets()) expect(about?.docs).toMatch(/^https:\/\//)
  })

  it("finds a stale doc: an edited row differs from the presets", () => {
    const doc = readFileSync(docPath, "utf8")
    expect(current(doc.replace("| `Slack` (Slack) |", "| `Slack` (Slack, edited) |"))).not.toBe(generated())
    expect(current(doc.replace(end, ""))).toBeUndefined()
  })
})
