/**
 * A vitest reporter that ends the run with one plain line, `N passed, N failed,
 * N skipped`, after the default reporter's summary: the count any CI log reader
 * understands, whatever the runner. Skipped tests are explained on that line by
 * the reason their suite gives in its name, `(skipped: …)`, for example
 * `20 skipped (12: EFFECT_OAUTH_PG_URL is not set …)`.
 */
import type { Reporter, TestCase, TestModule } from "vitest/node"

const reasonOf = (test: TestCase): string => {
  const names: Array<string> = [test.name]
  for (let parent = test.parent; parent.type === "suite"; parent = parent.parent) names.push(parent.name)
  const reason = names.map((name) => /\(skipped: (.*)\)\s*$/.exec(name)?.[1]).find((found) => found !== undefined)
  return reason ?? "no reason given"
}

/** `N skipped`, with the count per reason when any test was skipped. */
export const skippedSummary = (skipped: ReadonlyArray<TestCase>): string => {
  if (skipped.length === 0) return "0 skipped"
  const reasons = new Map<string, number>()
  for (const test of skipped) reasons.set(reasonOf(test), (reasons.get(reasonOf(test)) ?? 0) + 1)
  return `${skipped.length} skipped (${Array.from(reasons, ([reason, count]) => `${count}: ${reason}`).join("; ")})`
}

export default class SummaryReporter implements Reporter {
  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    // After the default reporter has printed its summary.
    await new Promise((resolve) => setImmediate(resolve))
    const tests = (state: "passed" | "failed" | "skipped") =>
      testModules.flatMap((module) => Array.from(module.children.allTests(state)))
    const failedModules = testModules.filter((module) => !module.ok()).length
    const failed = tests("failed").length + (failedModules > 0 && tests("failed").length === 0 ? failedModules : 0)
    process.stdout.write(`\n${tests("passed").length} passed, ${failed} failed, ${skippedSummary(tests("skipped"))}\n`)
  }
}
