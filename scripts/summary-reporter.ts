/**
 * A vitest reporter that ends the run with one plain line, `N passed, N failed,
 * N skipped`, after the default reporter's summary: the count any CI log reader
 * understands, whatever the runner.
 */
import type { Reporter, TestModule } from "vitest/node"

export default class SummaryReporter implements Reporter {
  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    // After the default reporter has printed its summary.
    await new Promise((resolve) => setImmediate(resolve))
    const count = (state: "passed" | "failed" | "skipped") =>
      testModules.reduce((total, module) => total + Array.from(module.children.allTests(state)).length, 0)
    const failedModules = testModules.filter((module) => !module.ok()).length
    const failed = count("failed") + (failedModules > 0 && count("failed") === 0 ? failedModules : 0)
    process.stdout.write(`\n${count("passed")} passed, ${failed} failed, ${count("skipped")} skipped\n`)
  }
}
