import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { WebSocket } from "ws"

const root = fileURLToPath(new URL("../../..", import.meta.url))

describe("npm run inspector", () => {
  it.live("prints a loopback URL with a token and streams alice's whole round and bob's registry session", () =>
    Effect.gen(function*() {
      const messages: Array<Record<string, unknown>> = []
      const output = yield* Effect.async<string, Error>((resume) => {
        const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", "examples/inspector/src/main.ts", "--rounds", "1"], {
          cwd: root,
          stdio: ["ignore", "pipe", "pipe"]
        })
        let stdout = ""
        let socket: WebSocket | undefined
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString()
          const url = /inspector: (http:\/\/\S+)/.exec(stdout)?.[1]
          if (url === undefined || socket !== undefined) return
          socket = new WebSocket(url.replace("http://", "ws://"))
          socket.on("message", (data) => void messages.push(JSON.parse(data.toString()) as Record<string, unknown>))
        })
        child.once("exit", (code) => {
          socket?.terminate()
          resume(code === 0 ? Effect.succeed(stdout) : Effect.fail(new Error(`exit ${code}: ${stdout}`)))
        })
        return Effect.sync(() => child.kill())
      })
      expect(output).toMatch(/^inspector: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/m)
      expect(output).toContain("round 1: alice revoked, bob refreshed")

      const roots = messages.filter((message) => message["type"] === "@xstate.actor" && message["parentId"] === undefined)
      const valuesOf = (sessionId: unknown) =>
        messages
          .filter((message) => message["type"] === "@xstate.snapshot" && message["sessionId"] === sessionId)
          // The top-level name; a nested state's value is `{ refreshing: "requesting" }`.
          .map((message) => JSON.stringify((message["snapshot"] as { readonly value: unknown }).value).replaceAll("\"", ""))
          .map((value) => value.replace(/^\{(\w+):.*$/, "$1"))
          .filter((value, i, all) => i === 0 || all[i - 1] !== value)
      const keyOf = (sessionId: unknown) =>
        messages.flatMap((message) => {
          const context = (message["snapshot"] as { readonly context?: { readonly key?: string } } | undefined)?.context
          return message["sessionId"] === sessionId && context?.key !== undefined ? [context.key] : []
        })[0]
      const alice = roots.find((actor) => keyOf(actor["sessionId"]) === "alice")
      const bob = roots.find((actor) => keyOf(actor["sessionId"]) === "demo:bob")
      const aliceStates = valuesOf(alice?.["sessionId"])
      expect(aliceStates.slice(aliceStates.indexOf("authorizing"))).toEqual(
        expect.arrayContaining(["authorizing", "authorized", "expired", "refreshing", "revoked"])
      )
      expect(aliceStates.indexOf("expired")).toBeLessThan(aliceStates.lastIndexOf("refreshing"))
      // The injected 503 failed a refresh attempt, which was retried.
      const failures = messages.filter((message) =>
        message["type"] === "@xstate.event" && message["sessionId"] === alice?.["sessionId"] &&
        (message["event"] as { readonly type: string }).type === "FAILED"
      )
      expect(failures.length).toBeGreaterThanOrEqual(1)
      expect(JSON.stringify(failures)).toContain("503")
      expect(valuesOf(bob?.["sessionId"]).map((value) => value.replace(/^\{(\w+):.*$/, "$1"))).toEqual(expect.arrayContaining(["authorized", "refreshing"]))
      expect(JSON.stringify(messages)).toContain("<redacted>")
    }), 120_000)
})
