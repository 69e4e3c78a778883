/**
 * Headless Chromium for tests that look at a page as a person does: Debian's
 * `chromium` driven by `puppeteer-core`, with the flags that keep it off the
 * network. `scripts/chromium.sh` installs it and exports `EFFECT_OAUTH_CHROMIUM`.
 *
 * ```ts
 * const browser = yield* Browser.launch
 * const page = yield* Effect.promise(() => browser.newPage())
 * ```
 *
 * @since 0.1.0
 */
import { Data, Effect, type Scope } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type * as Puppeteer from "puppeteer-core"

/**
 * Chromium could not be found or started.
 *
 * @since 0.1.0
 * @category errors
 */
export class BrowserUnavailable extends Data.TaggedError("BrowserUnavailable")<{
  readonly reason: string
}> {
  override get message() {
    return `headless Chromium is unavailable: ${this.reason} (run scripts/chromium.sh)`
  }
}

/**
 * The Chromium executable: `EFFECT_OAUTH_CHROMIUM`, else `/usr/bin/chromium`, if it exists.
 *
 * @since 0.1.0
 * @category testing
 */
export const executablePath = (): string | undefined => {
  const candidate = process.env["EFFECT_OAUTH_CHROMIUM"] ?? "/usr/bin/chromium"
  return Fs.existsSync(candidate) ? candidate : undefined
}

/**
 * Launches headless Chromium with a fresh profile, closed when the scope ends.
 * Fails with `BrowserUnavailable` when no executable is found or it does not start.
 *
 * @since 0.1.0
 * @category testing
 */
export const launch: Effect.Effect<Puppeteer.Browser, BrowserUnavailable, Scope.Scope> = Effect.acquireRelease(
  Effect.gen(function*() {
    const path = executablePath()
    if (path === undefined) return yield* new BrowserUnavailable({ reason: "no chromium executable" })
    const profile = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-oauth-chromium-"))
    const puppeteer = yield* Effect.tryPromise({
      try: () => import("puppeteer-core"),
      catch: () => new BrowserUnavailable({ reason: "puppeteer-core is not installed" })
    })
    return yield* Effect.tryPromise({
      try: () =>
        puppeteer.default.launch({
          executablePath: path,
          headless: true,
          userDataDir: profile,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage"
          ]
        }),
      catch: (cause) => new BrowserUnavailable({ reason: String(cause) })
    })
  }),
  (browser) => Effect.promise(() => browser.close()).pipe(Effect.ignore)
)
