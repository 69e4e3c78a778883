import { Browser } from "@effect-oauth/node"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import * as Fs from "node:fs/promises"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"

describe("Browser / make", () => {
  it.effect("refuses a URL that is not http: or https: (UnsupportedUrl), whatever would open it", () =>
    Effect.gen(function*() {
      const browser = Browser.make({ platform: "darwin", env: {} })
      for (const url of ["javascript:alert(1)", "file:///etc/passwd", "not a url"]) {
        expect(yield* Effect.flip(browser.open(url))).toMatchObject({ _tag: "BrowserUnavailable", reason: "UnsupportedUrl" })
      }
    }))

  it.effect("finds no browser on Linux without a display (NoBrowser), so the caller prints the URL", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Browser.make({ platform: "linux", env: {} }).open("https://as.example/authorize"))
      expect(error).toMatchObject({ reason: "NoBrowser" })
      expect(error.message).toBe("no browser can be opened here: no display")
    }))

  it.effect("reports a command that cannot start as LaunchFailed with its error code", () =>
    Effect.gen(function*() {
      const browser = Browser.make({ platform: "linux", env: { BROWSER: "/nonexistent/browser" } })
      expect(yield* Effect.flip(browser.open("https://as.example/authorize"))).toMatchObject({
        reason: "LaunchFailed",
        detail: "/nonexistent/browser (ENOENT)"
      })
    }))

  it.effect("layerNone never opens anything", () =>
    Effect.gen(function*() {
      const browser = yield* Browser.Browser
      expect(yield* Effect.flip(browser.open("https://as.example/"))).toMatchObject({ reason: "NoBrowser" })
    }).pipe(Effect.provide(Browser.layerNone)))

  it.scoped("runs the BROWSER program with the URL as its single argument, without a shell", () =>
    Effect.gen(function*() {
      // The program requests the URL it was given; the listener sees it verbatim.
      const seen = yield* Deferred.make<string>()
      const server = Http.createServer((request, response) => {
        Deferred.unsafeDone(seen, Effect.succeed(request.url ?? ""))
        response.end()
      })
      yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))),
        () => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
      )
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "browser-"))),
        (dir) => Effect.promise(() => Fs.rm(dir, { recursive: true, force: true }))
      )
      const program = Path.join(dir, "browser.mjs")
      yield* Effect.promise(() =>
        Fs.writeFile(program, `#!${process.execPath}\nawait fetch(process.argv[2]).catch(() => {})\n`, { mode: 0o755 })
      )
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/authorize?a=1&b=$(id);c='d'`
      yield* Browser.make({ platform: "linux", env: { BROWSER: program } }).open(url)
      expect(yield* Deferred.await(seen)).toBe(new URL(url).pathname + new URL(url).search)
    }))
})
