/**
 * The test projects: one per package and one for the examples. `vitest.config.ts`
 * reads this list through `test.projects`; every project inherits the root options
 * (the `source` export condition, so packages import each other without a build).
 */
import type { TestProjectInlineConfiguration } from "vitest/config"

const project = (
  name: string,
  root: string,
  include: ReadonlyArray<string> = ["test/**/*.test.ts"]
): TestProjectInlineConfiguration => ({
  extends: true,
  test: { name, root, include: [...include] }
})

const projects: Array<TestProjectInlineConfiguration> = [
  project("core", "./packages/core"),
  project("session", "./packages/session"),
  project("testing", "./packages/testing"),
  project("providers", "./packages/providers"),
  project("oauth1", "./packages/oauth1"),
  project("node", "./packages/node"),
  project("store-sql", "./packages/store-sql"),
  project("inspector", "./packages/inspector"),
  project("http", "./packages/http"),
  project("examples", "./examples", ["*/test/**/*.test.ts"]),
  // scripts/*.test.ts: checks that generated docs are current
  project("scripts", "./scripts", ["*.test.ts"]),
  project("bench", "./bench")
]

export default projects
