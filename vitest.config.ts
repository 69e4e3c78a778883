import { defineConfig } from "vitest/config"
import SummaryReporter from "./scripts/summary-reporter.js"
import projects from "./vitest.workspace.js"

export default defineConfig({
  ssr: { resolve: { conditions: ["source"] } },
  resolve: { conditions: ["source"] },
  test: {
    projects,
    reporters: ["default", new SummaryReporter()],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
