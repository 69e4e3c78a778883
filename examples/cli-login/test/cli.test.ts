import { Browser } from "@effect-oauth/node"
import { TestServer } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Either, Fiber, Layer, Queue, TestClock } from "effect"
import { execFile } from "node:child_process"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { parse, run, scopeReport } from "../src/cli.js"

const grantType = "urn:ietf:params:oauth:grant-type:device_code"
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

interface Output {
  readonly code: number
  readonly out: ReadonlyArray<string>
  readonly err: ReadonlyArray<string>
}

/** Starts the CLI in a fiber (a new runtime for the same store directory); `lines` streams its stderr. */
const start = (argv: ReadonlyArray<string>, browser?: Layer.Layer<Browser.Browser>) =>
  Effect.gen(function*() {
    const out: Array<string> = []
    const err: Array<string> = []
    const lines = yield* Queue.unbounded<string>()
    const fiber = yield* Effect.fork(
      run(argv, {
        env: {},
        io: {
          out: (line) => Effect.sync(() => void out.push(line)),
          err: (line) => Effect.zipRight(Effect.sync(() => void err.push(line)), Queue.offer(lines, line))
        },
        ...(browser === undefined ? {} : { browser })
      })
    )
    const result = Effect.map(Fiber.join(fiber), (code): Output => ({ code, out, err }))
    /** The next stderr line that matches. */
    const line = (pattern: RegExp) =>
      Effect.gen(function*() {
        while (true) {
          const next = yield* Queue.take(lines)
          const match = pattern.exec(next)
          if (match !== null) return match
        }
      })
    return { result, line }
  })

const cli = (argv: ReadonlyArray<string>, browser?: Layer.Layer<Browser.Browser>) =>
  Effect.flatMap(start(argv, browser), (started) => started.result)

const tempDir = Effect.acquireRelease(
  Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "cli-login-test-"))),
  (dir) => Effect.promise(() => Fs.rm(dir, { recursive: true, force: true }))
)

const callResource = (server: TestServer.TestServer, token: string) =>
  Effect.promise(() => fetch(server.resourceUrl, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status))

/** The CLI as a separate Node process (tsx with the workspace's source condition). */
const processRun = (argv: ReadonlyArray<string>) =>
  Effect.async<Output>((resume) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--conditions=source", main, ...argv],
      { env: { ...process.env, OAUTH_ISSUER: "", OAUTH_CLIENT_ID: "" }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resume(Effect.succeed({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : 1,
          out: stdout.split("\n").filter((line) => line !== ""),
          err: stderr.split("\n").filter((line) => line !== "")
        }))
    )
  })

const tokenShaped = /[A-Za-z0-9_-]{43}/

describe("cli-login, end to end against the embedded authorization server", () => {
  it.scoped("logs in with the device flow, survives restarts from the stored grant, refreshes, and logs out", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ deviceFlow: true, rotateRefreshToken: true, accessTokenTtl: 60 })
      const dir = yield* tempDir
      // No openid here: this runtime's clock starts at 0 (so that a separate process, on
      // the real clock, finds the stored token expired), and an ID token stamped with
      // the real time would rightly be refused as issued in the future.
      const args = [
        "--issuer",
        server.issuer,
        "--client-id",
        server.clients.native.clientId,
        "--dir",
        dir,
        "--scope",
        "offline_access api:read"
      ]
      const devicePolls = Effect.map(server.tokenRequests, (counts) => counts.byGrantType[grantType] ?? 0)
      const refreshes = Effect.map(server.tokenRequests, (counts) => counts.byGrantType["refresh_token"] ?? 0)

      const before = yield* cli(["status", ...args])
      expect(before.code).toBe(0)
      expect(before.out).toContain("state:   unauthorized")

      // login --device: the user code and URI, a line per poll, then the approval.
      const login = yield* start(["login", "--device", ...args])
      const [, verificationUri, userCode] = yield* login.line(/^To sign in, open (\S+) and enter the code (\S+)$/)
      expect(verificationUri).toBe(`${server.issuer}/device`)
      yield* TestClock.adjust("5 seconds")
      yield* login.line(/waiting for approval \(authorization_pending, next check in 5 s\)/)
      yield* server.approveDevice(userCode!)
      yield* TestClock.adjust("5 seconds")
      const loggedIn = yield* login.result
      expect(loggedIn.code).toBe(0)
      expect(loggedIn.out).toEqual([])
      expect(loggedIn.err.at(-1)).toBe("Logged in (granted: offline_access api:read; requested: offline_access api:read).")
      expect(yield* devicePolls).toBe(2)

      // status in a new runtime: the state, expiry and scopes from the store, no token.
      const status = yield* cli(["status", ...args])
      expect(status.out).toContain("state:   authorized")
      expect(status.out.join("\n")).toMatch(/expires: in 60 s/)
      expect(status.out.join("\n")).toMatch(/scopes: {2}offline_access api:read/)
      expect(status.out.join("\n")).not.toMatch(tokenShaped)

      // token: exactly the access token on stdout, usable at the resource server.
      const first = yield* cli(["token", ...args])
      expect(first.code).toBe(0)
      expect(first.out).toHaveLength(1)
      expect(first.err).toEqual([])
      expect(yield* callResource(server, first.out[0]!)).toBe(200)
      expect(yield* refreshes).toBe(0)

      // After expiry, a new runtime refreshes from the stored refresh token.
      yield* TestClock.adjust("61 seconds")
      expect((yield* cli(["status", ...args])).out.join("\n")).toMatch(/expires: expired 1 s ago/)
      const refreshed = yield* cli(["token", ...args])
      expect(refreshed.code).toBe(0)
      expect(refreshed.out[0]).not.toBe(first.out[0])
      expect(yield* refreshes).toBe(1)
      expect(yield* callResource(server, refreshed.out[0]!)).toBe(200)

      // A new process: its clock is past the stored expiry, so it refreshes the
      // rotated grant the previous runtime stored, and prints the new token.
      const child = yield* processRun(["token", ...args])
      expect(child.code).toBe(0)
      expect(child.out).toHaveLength(1)
      expect(child.out[0]).not.toBe(refreshed.out[0])
      expect(yield* refreshes).toBe(2)
      expect(yield* callResource(server, child.out[0]!)).toBe(200)

      // logout: revoked at the server, forgotten here.
      const logout = yield* cli(["logout", ...args])
      expect(logout.code).toBe(0)
      expect(logout.err.join("\n")).toContain("revoked at the server")
      expect(yield* callResource(server, child.out[0]!)).toBe(401)
      const after = yield* cli(["token", ...args])
      expect(after.code).toBe(1)
      expect(after.out).toEqual([])
      expect(after.err.join("\n")).toContain("the session has no grant")
      expect((yield* cli(["status", ...args])).out).toContain("state:   unauthorized")
    }), { timeout: 60_000 })

  it.live("logs in through the loopback redirect in the browser, then logs out", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      const dir = yield* tempDir
      const args = ["--issuer", server.issuer, "--client-id", server.clients.native.clientId, "--dir", dir]
      const page = yield* Deferred.make<number>()
      // The test plays the browser: sign in and consent, then follow the redirect.
      const browser = Layer.succeed(Browser.Browser, {
        open: (url) =>
          Effect.asVoid(Effect.forkDaemon(
            Effect.flatMap(server.approve(url), (callback) =>
              Effect.flatMap(Effect.promise(() => fetch(callback)), (response) => Deferred.succeed(page, response.status)))
          ))
      })
      const login = yield* cli(["login", ...args], browser)
      expect(login.code).toBe(0)
      expect(login.err.join("\n")).toMatch(/redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fcallback/)
      expect(yield* Deferred.await(page)).toBe(200)
      const again = yield* cli(["login", ...args], browser)
      expect(again.err).toContain("Already logged in (run logout first to sign in again).")
      const token = yield* cli(["token", ...args])
      expect(yield* callResource(server, token.out[0]!)).toBe(200)
      expect((yield* cli(["logout", ...args])).code).toBe(0)
      expect(yield* callResource(server, token.out[0]!)).toBe(401)
    }).pipe(Effect.scoped))

  it.live("--demo runs offline against its own server, every command in one go, and prints no token but the one asked for", () =>
    Effect.gen(function*() {
      const demo = yield* cli(["--demo", "login", "status", "token", "logout", "status"])
      expect(demo.code).toBe(0)
      expect(demo.err.join("\n")).toContain("(demo) embedded authorization server at http://127.0.0.1:")
      const tokens = demo.out.filter((line) => tokenShaped.test(line))
      expect(tokens).toHaveLength(1)
      expect(demo.out.filter((line) => line.startsWith("state:"))).toEqual(["state:   authorized", "state:   unauthorized"])
      expect(demo.err.join("\n")).not.toContain(tokens[0]!)
    }))

  it.effect("refuses bad usage with exit code 2 and the usage text", () =>
    Effect.gen(function*() {
      const missing = yield* cli(["token"])
      expect(missing.code).toBe(2)
      expect(missing.err[0]).toContain("--issuer and --client-id")
      expect(missing.err[0]).toContain("usage: cli-login")
      expect((yield* cli(["--issuer"])).err[0]).toContain("--issuer needs a value")
      expect((yield* cli(["fly", "--demo"])).err[0]).toContain('unknown argument "fly"')
      // The environment configures the server and client; flags win over it.
      const env = { OAUTH_ISSUER: "https://issuer.example", OAUTH_CLIENT_ID: "from-env", OAUTH_SCOPES: "openid api" }
      expect(parse(["token"], env)).toEqual(Either.right({
        commands: ["token"],
        device: false,
        demo: false,
        issuer: "https://issuer.example",
        clientId: "from-env",
        scopes: ["openid", "api"],
        dir: undefined
      }))
      expect(Either.map(parse(["login", "--device", "--client-id", "from-flag"], env), (s) => [s.clientId, s.device])).toEqual(
        Either.right(["from-flag", true])
      )
    }))
})

describe("scopeReport", () => {
  it("names the granted and the requested scopes, and those the server did not grant", () => {
    expect(scopeReport(["openid"], ["openid", "offline_access"])).toBe(
      "granted: openid; requested: openid offline_access; not granted: offline_access"
    )
    expect(scopeReport(["api:read"], ["api:read"])).toBe("granted: api:read; requested: api:read")
    expect(scopeReport([], [])).toBe("granted: none; requested: none")
  })
})
