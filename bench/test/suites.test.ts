import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { hotPath } from "../hotPath.js"
import { peers } from "../peers.js"
import { runStorm } from "../refreshStorm.js"
import { measureMemory } from "../sessionMemory.js"
import { formatTable } from "../suite.js"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))
const tsx = (args: ReadonlyArray<string>) =>
  new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["--import", "tsx", "--conditions=source", ...args], { cwd: root }, (error, stdout, stderr) =>
      error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`))))

// The suites at small sizes: they run, and what they count holds. No timing is asserted.
describe("bench suites", () => {
  it.live("refresh storm: 10,000 concurrent accessToken calls at expiry make exactly 1 token request at oidc-provider, all callers get the same new token", () =>
    Effect.gen(function*() {
      const { callers, rounds } = yield* runStorm({ callers: 10_000, rounds: 1 })
      expect(callers).toBe(10_000)
      expect(rounds).toHaveLength(1)
      for (const round of rounds) {
        expect(round).toMatchObject({ refreshRequests: 1, invalidGrant: 0, distinctTokens: 1, renewed: true })
      }
    }))

  it.live("session memory: every stored grant is used once, at most maxLive sessions are in memory, none after the idle timeout", () =>
    Effect.gen(function*() {
      const figures = yield* measureMemory({ stored: 300, maxLive: 20 })
      expect(figures).toMatchObject({ stored: 300, maxLive: 20, peakLive: 20, liveAfterIdle: 0 })
    }))

  it.live("hot path: prints the Ref.get baseline, the session and the registry rows and the two floors, with no token request while measuring", () =>
    Effect.gen(function*() {
      const rows = yield* Effect.promise(() => hotPath({ iterations: 1000, rounds: 1 }).run())
      expect(rows.map((row) => `${row.case} / ${row.metric}`)).toEqual([
        "Ref.get (baseline) / ops/s",
        "OAuthSession.accessToken / ops/s",
        "OAuthSession.accessToken / slowdown vs Ref.get",
        "SessionRegistry.accessToken / ops/s",
        "SessionRegistry.accessToken / slowdown vs Ref.get",
        "Effect.suspend(() => built Effect.succeed) / slowdown vs Ref.get",
        "the same, after one read of the Effect Clock / slowdown vs Ref.get"
      ])
      expect(rows[2]!.note).toContain("0 token requests while measuring")
      expect(rows[4]!.note).toBe("same token as the session")
      expect(formatTable(rows).split("\n")).toHaveLength(rows.length + 2)
    }))

  it.live("profile: one case alone writes a CPU profile, and the summary reads it by package, by function and by call path", () =>
    Effect.gen(function*() {
      const directory = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-oauth-profile-"))
      try {
        const file = Path.join(directory, "refresh.cpuprofile")
        const ran = yield* Effect.promise(() => tsx(["bench/profile.ts", "refresh-client", "5", file]))
        expect(ran).toContain("refresh-client: 5 calls")
        const summary = yield* Effect.promise(() => tsx(["bench/profileSummary.ts", file, "400", "--callers", "packages/core"]))
        expect(summary).toContain("by package (self time)")
        expect(summary).toContain("call paths to packages/core")
      } finally {
        Fs.rmSync(directory, { recursive: true, force: true })
      }
    }), 120_000)

  it.live("peers: at expiry effect-oauth makes 1 token request, fails no caller and keeps the grant; every work row is printed", () =>
    Effect.gen(function*() {
      const rows = yield* Effect.promise(() =>
        peers({ hotIterations: 200, requests: 2, rounds: 1, storms: [300], expiries: 2, liveSessions: 20, processes: [], trials: 0 }).run()
      )
      const ours = rows.find((row) => row.case === "storm 300 callers × 2 expiries: effect-oauth SessionPromise")
      expect(ours).toMatchObject({
        metric: "token requests per expiry / failed callers / grant",
        value: "1, 1 / 0 / alive",
        note: "0 invalid_grant"
      })
      for (const work of ["hot path, Promise", "hot path, Effect", "TokenSet.make", "one GET", "refresh:", "heap per live session"]) {
        expect(rows.some((row) => row.case.startsWith(work))).toBe(true)
      }
      for (const peer of ["openid-client", "google-auth-library", "simple-oauth2"]) {
        expect(rows.filter((row) => row.case.includes(peer)).length).toBeGreaterThanOrEqual(3)
      }
    }), 120_000)
})
