import { describe, expect, it } from "vitest"
import type { TestCase } from "vitest/node"
import { skippedSummary } from "./summary-reporter.js"

// Only the fields the summary reads: the test's name and its chain of parents.
const test = (name: string, ...suites: ReadonlyArray<string>): TestCase => {
  let parent: unknown = { type: "module" }
  for (const suite of [...suites].reverse()) parent = { type: "suite", name: suite, parent }
  return { name, parent } as TestCase
}

describe("summary reporter", () => {
  it("explains skipped tests by the reason in their suite's name, counted per reason", () => {
    expect(
      skippedSummary([
        test("a", "PostgreSQL (skipped: EFFECT_OAUTH_PG_URL is not set)"),
        test("b", "PostgreSQL (skipped: EFFECT_OAUTH_PG_URL is not set)", "inner"),
        test("c", "Browser (skipped: no Chromium)"),
        test("d", "plain")
      ])
    ).toBe("4 skipped (2: EFFECT_OAUTH_PG_URL is not set; 1: no Chromium; 1: no reason given)")
  })

  it("says 0 skipped when none was", () => {
    expect(skippedSummary([])).toBe("0 skipped")
  })
})
