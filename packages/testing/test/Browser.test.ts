import { describe, expect, it } from "@effect/vitest"
import * as Browser from "@effect-oauth/testing/Browser"
import { Effect } from "effect"

const path = Browser.executablePath()
const skipReason = "skipped: no Chromium (eval \"$(scripts/chromium.sh)\" installs it)"
if (path === undefined && process.env["CI"] === "true") {
  throw new Error("CI=true but Chromium is missing: the browser tests would be skipped")
}

describe.skipIf(path === undefined)(`Browser (${path === undefined ? skipReason : path})`, () => {
  it.scoped("renders a page and reads its text", () =>
    Effect.gen(function*() {
      const browser = yield* Browser.launch
      const page = yield* Effect.promise(() => browser.newPage())
      yield* Effect.promise(() => page.setContent("<h1 id=t>signed out</h1>"))
      const text = yield* Effect.promise(() => page.$eval("#t", (el) => el.textContent))
      expect(text).toBe("signed out")
    }), 60_000)
})
