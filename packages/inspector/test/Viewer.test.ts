/**
 * The viewer as a person sees it, in headless Chromium: the statechart, the
 * highlight following a session, the timeline, no credential anywhere in the
 * page or on the wire, and the stream refused without the token or from
 * another origin. Takes the screenshot docs/inspector.md shows (written there with
 * EFFECT_OAUTH_DOCS_SCREENSHOT=1).
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Browser from "@effect-oauth/testing/Browser"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Logger, TestClock } from "effect"
import type * as Puppeteer from "puppeteer-core"
import { Inspector, MachineGraph } from "../src/index.js"
import { credentialsOf, encodings } from "./helpers.js"

const path = Browser.executablePath()
const skipReason = "skipped: no Chromium (eval \"$(scripts/chromium.sh)\" installs it)"
if (path === undefined && process.env["CI"] === "true") {
  throw new Error("CI=true but Chromium is missing: the browser tests would be skipped")
}

// The picture docs/inspector.md shows is rewritten only when asked for
// (EFFECT_OAUTH_DOCS_SCREENSHOT=1): a test run leaves the tree as it was.
const screenshot = process.env["EFFECT_OAUTH_DOCS_SCREENSHOT"] === "1"
  ? fileURLToPath(new URL("../../../docs/inspector.png", import.meta.url))
  : join(tmpdir(), `effect-oauth-inspector-${process.pid}.png`)
const ttl = 60
const six = ["unauthorized", "authorizing", "authorized", "expired", "refreshing", "revoked"]

const promise = <A>(f: () => Promise<A>) => Effect.promise(f)

/** Waits until the statechart lights `state` (a top-level state id). */
const lit = (page: Puppeteer.Page, state: string) =>
  promise(() =>
    page.waitForFunction(
      (id) => document.querySelector(`#diagram g.state.active[data-state="${id}"]`) !== null,
      { timeout: 20_000 },
      state
    )
  )

/** How a page at `origin` fares opening `url` as a WebSocket: `open` or `refused`. */
const tryOpen = (page: Puppeteer.Page, url: string) =>
  promise(() =>
    page.evaluate((target) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(target)
        socket.onopen = () => {
          socket.close()
          resolve("open")
        }
        socket.onerror = () => resolve("refused")
      }), url)
  )

describe.skipIf(path === undefined)(`Inspector viewer in Chromium (${path === undefined ? skipReason : path})`, () => {
  it.scoped("draws the six states, follows authorized → expired → refreshing → authorized, and shows no credential", () =>
    Effect.gen(function*() {
      // The embedded server stamps ID tokens with the real time; the session's
      // timers run on the test clock, started there.
      yield* TestClock.setTime(Date.now())
      const server = yield* TestServer.TestServerTag
      const inspector = yield* Inspector.make()
      const browser = yield* Browser.launch
      const page = yield* promise(() => browser.newPage())
      yield* promise(() => page.setViewport({ width: 1600, height: 1000 }))
      const frames: Array<string> = []
      const cdp = yield* promise(() => page.createCDPSession())
      yield* promise(() => cdp.send("Network.enable"))
      cdp.on("Network.webSocketFrameReceived", (event) => void frames.push(event.response.payloadData))
      cdp.on("Network.webSocketFrameSent", (event) => void frames.push(event.response.payloadData))
      yield* promise(() => page.goto(inspector.url))
      // Every change of the lit top-level state, in order.
      yield* promise(() =>
        page.evaluate(() => {
          const seen: Array<string> = []
          ;(window as unknown as { seen: Array<string> }).seen = seen
          new MutationObserver(() => {
            const active = document.querySelector("#diagram g.state.active:not(.compound)")
              ?? document.querySelector("#diagram g.state.active")
            const id = active?.getAttribute("data-state")?.split(".")[0]
            if (id !== undefined && seen[seen.length - 1] !== id) seen.push(id)
          }).observe(document.getElementById("diagram")!, { subtree: true, attributes: true, attributeFilter: ["class"], childList: true })
        })
      )

      // The refresh request waits at this gate until the page has shown `refreshing`.
      const gate = yield* Deferred.make<void>()
      let holding = false
      const http = (yield* HttpClient.HttpClient).pipe(
        HttpClient.mapRequestEffect((request) => holding ? Effect.as(Deferred.await(gate), request) : Effect.succeed(request))
      )
      const { session } = yield* TestServer.session(server, {
        key: "alice@viewer",
        refresh: "lazy",
        clock: "effect",
        inspect: inspector.inspect
      }).pipe(Effect.provideService(HttpClient.HttpClient, http))

      yield* promise(() => page.waitForFunction((n) => document.querySelectorAll("#diagram svg g.state").length >= n, { timeout: 20_000 }, six.length))
      const drawn = yield* promise(() => page.$$eval("#diagram svg g.state", (nodes) => nodes.map((node) => node.getAttribute("data-state"))))
      for (const state of six) expect(drawn).toContain(state)
      yield* lit(page, "unauthorized")

      const request = yield* session.authorize()
      const callback = yield* server.approve(request.url, { accountId: "alice" })
      const first = yield* session.completeAuthorization(callback)
      yield* lit(page, "authorized")

      holding = true
      yield* TestClock.adjust(`${ttl} seconds`)
      yield* lit(page, "expired")
      const demand = yield* Effect.fork(session.accessToken)
      yield* lit(page, "refreshing")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(demand)
      yield* lit(page, "authorized")
      const second = yield* session.tokens

      const seen = yield* promise(() => page.evaluate(() => (window as unknown as { seen: Array<string> }).seen))
      expect(seen.slice(seen.indexOf("authorized"))).toEqual(["authorized", "expired", "refreshing", "authorized"])

      // The arrow just taken is marked, with its event in the transition panel.
      yield* promise(() => page.waitForFunction(() => document.querySelector("#diagram g.transition.taken") !== null, { timeout: 20_000 }))
      const taken = yield* promise(() => page.$eval("#diagram g.transition.taken", (node) => node.getAttribute("data-edge") ?? ""))
      const graph = MachineGraph.fromMachine(session.actor.logic)
      const takenEdges = taken.split(" ").map((index) => graph.edges[Number(index)])
      expect(takenEdges.some((edge) => edge?.source.split(".")[0] === "refreshing" && edge.targets.some((t) => t.startsWith("authorized")))).toBe(true)
      // The panel names the substate the arrow leaves (`refreshing.requesting → authorized`).
      expect(yield* promise(() => page.$eval("#transition", (node) => node.textContent ?? ""))).toMatch(/refreshing(\.\w+)? → authorized/)

      const timeline = yield* promise(() => page.$$eval("#timeline li", (items) => items.map((item) => item.textContent ?? "").reverse()))
      const moves = timeline.flatMap((line) => {
        const match = /(\w[\w.]*) → (\w[\w.]*)$/.exec(line)
        return match === null ? [] : [`${match[1]!.split(".")[0]} → ${match[2]!.split(".")[0]}`]
      }).filter((move, i, all) => i === 0 || all[i - 1] !== move)
      expect(moves.slice(moves.indexOf("authorizing → authorized"))).toEqual([
        "authorizing → authorized",
        "authorized → expired",
        "expired → refreshing",
        "refreshing → authorized"
      ])
      expect(timeline.some((line) => line.includes("after accessTokenExpiry") && line.includes("authorized → expired"))).toBe(true)
      expect(timeline.some((line) => line.includes("REFRESH") && line.includes("expired → refreshing"))).toBe(true)
      expect(timeline.every((line) => /^\+\d+\.\d\d s/.test(line))).toBe(true)

      const context = yield* promise(() => page.$eval("#context", (node) => node.textContent ?? ""))
      expect(context).toContain("alice@viewer")
      expect(context).toContain("<redacted>")
      expect(context).toMatch(/expires in \d+ s/)
      expect(context).toContain("openid")

      // The session list names the session and its state.
      expect(yield* promise(() => page.$eval("#sessions li.selected", (node) => node.textContent ?? ""))).toBe("alice@viewerauthorized")

      // Step back: the first snapshot is `unauthorized`, lit again; live returns.
      yield* promise(() => page.$eval("#step", (input) => {
        ;(input as HTMLInputElement).value = "0"
        input.dispatchEvent(new Event("input"))
      }))
      yield* lit(page, "unauthorized")
      yield* promise(() => page.click("#live"))
      yield* lit(page, "authorized")

      yield* promise(() => page.screenshot({ path: screenshot, fullPage: false }))
      expect(statSync(screenshot).size).toBeGreaterThan(0)
      if (!screenshot.startsWith(fileURLToPath(new URL("../../../docs/", import.meta.url)))) rmSync(screenshot)

      // A page opened now is sent the history: the same session, state and timeline.
      const late = yield* promise(() => browser.newPage())
      yield* promise(() => late.goto(inspector.url))
      yield* lit(late, "authorized")
      const replayed = yield* promise(() => late.$$eval("#timeline li .what", (items) => items.map((item) => item.textContent ?? "")))
      const shown = yield* promise(() => page.$$eval("#timeline li .what", (items) => items.map((item) => item.textContent ?? "")))
      expect(replayed).toEqual(shown)

      // No credential in any encoding, in the DOM or in a frame either way.
      const callbackParameters = [...new URL(callback).searchParams.values()].filter((value) => value.length >= 16)
      const credentials = [...credentialsOf(first), ...credentialsOf(second), ...callbackParameters]
      expect(credentials.length).toBeGreaterThanOrEqual(5)
      const dom = yield* promise(() => page.evaluate(() => document.documentElement.outerHTML))
      expect(frames.length).toBeGreaterThan(10)
      const wire = frames.join("\n")
      expect(wire).toContain("<redacted>")
      for (const credential of credentials) {
        for (const form of encodings(credential)) {
          expect(dom).not.toContain(form)
          expect(wire).not.toContain(form)
        }
      }

      // The stream refuses the viewer's own origin without the token, and
      // another origin with it.
      const port = inspector.port
      expect(yield* tryOpen(page, `ws://127.0.0.1:${port}/`)).toBe("refused")
      expect(yield* tryOpen(page, inspector.socketUrl)).toBe("open")
      const other = createServer((_request, response) => response.writeHead(200, { "content-type": "text/html" }).end("<p>elsewhere</p>"))
      yield* Effect.acquireRelease(
        promise(() => new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve))),
        () =>
          promise(() =>
            new Promise<void>((resolve) => {
              other.closeAllConnections()
              other.close(() => resolve())
            })
          )
      )
      const elsewhere = yield* promise(() => browser.newPage())
      yield* promise(() => elsewhere.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`))
      expect(yield* tryOpen(elsewhere, inspector.socketUrl)).toBe("refused")
    }).pipe(
      Effect.provide(TestServer.layer({ accessTokenTtl: ttl, rotateRefreshToken: true })),
      Effect.provide(FetchHttpClient.layer),
      Effect.provide(Logger.remove(Logger.defaultLogger))
    ), 120_000)
})
