import { get } from "node:http"
import { SessionMachine } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import { createActor, createMachine } from "xstate"
import { Inspector } from "../src/index.js"
import { credentialsOf, encodings, handshake, listen, until } from "./helpers.js"

const typeOf = (message: string) => (JSON.parse(message) as { readonly type: string }).type

describe("Inspector / make", () => {
  it.scoped("listens on 127.0.0.1 only, behind an unguessable token in its URL", () =>
    Effect.gen(function*() {
      const first = yield* Inspector.make()
      const second = yield* Inspector.make()
      const url = new URL(first.url)
      expect(url.hostname).toBe("127.0.0.1")
      const token = url.searchParams.get("token") ?? ""
      expect(token).toMatch(/^[\w-]{43}$/)
      expect(new URL(second.url).searchParams.get("token")).not.toBe(token)
      expect(first.socketUrl).toBe(`ws://127.0.0.1:${first.port}/?token=${token}`)

      const page = yield* Effect.promise(() => fetch(first.url))
      expect(page.status).toBe(200)
      expect(page.headers.get("content-security-policy")).toContain("default-src 'none'")
      expect(page.headers.get("referrer-policy")).toBe("no-referrer")
      const html = yield* Effect.promise(() => page.text())
      const assets = yield* Effect.forEach(["/viewer.js", "/viewer.css"], (path) =>
        Effect.promise(() => fetch(`http://127.0.0.1:${first.port}${path}`).then((response) => response.text())))
      for (const text of [html, ...assets]) {
        // Every asset is the inspector's own: nothing names another host.
        expect(text).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
        expect(text).not.toContain(token)
      }
      const without = yield* Effect.promise(() => fetch(`http://127.0.0.1:${first.port}/`))
      expect(without.status).toBe(401)
      const wrong = yield* Effect.promise(() => fetch(first.url.replace(token, second.url.split("token=")[1] ?? "")))
      expect(wrong.status).toBe(401)
      const rebound = yield* Effect.async<number | undefined>((resume) => {
        get(first.url, { headers: { host: `attacker.example:${first.port}` } }, (response) => {
          response.resume()
          resume(Effect.succeed(response.statusCode))
        }).once("error", () => resume(Effect.succeed(undefined)))
      })
      expect(rebound).toBe(403)
    }))

  it.scoped("refuses a WebSocket without the token, with another's token, from another origin or host name", () =>
    Effect.gen(function*() {
      const inspector = yield* Inspector.make({ allowedOrigins: ["http://bridge.localhost:8080"] })
      const bare = `ws://127.0.0.1:${inspector.port}/`
      const own = `http://127.0.0.1:${inspector.port}`
      expect(yield* handshake(bare)).toBe("refused 401")
      expect(yield* handshake(`${bare}?token=${"A".repeat(43)}`)).toBe("refused 401")
      expect(yield* handshake(bare, { origin: own })).toBe("refused 401")
      expect(yield* handshake(inspector.socketUrl, { origin: "https://attacker.example" })).toBe("refused 403")
      expect(yield* handshake(inspector.socketUrl, { origin: `http://127.0.0.1:${inspector.port + 1}` })).toBe("refused 403")
      expect(yield* handshake(inspector.socketUrl, { host: `attacker.example:${inspector.port}` })).toBe("refused 403")
      expect(yield* handshake(inspector.socketUrl, { origin: own })).toBe("open")
      expect(yield* handshake(inspector.socketUrl, { origin: "http://bridge.localhost:8080" })).toBe("open")
      expect(yield* handshake(inspector.socketUrl)).toBe("open")
    }))

  it.scoped("fails with InspectorUnavailable when its port is taken", () =>
    Effect.gen(function*() {
      const first = yield* Inspector.make()
      const error = yield* Effect.flip(Inspector.make({ port: first.port }))
      expect(error._tag).toBe("InspectorUnavailable")
      expect(error.message).toContain("127.0.0.1")
    }))
})

describe("Inspector / stream", () => {
  // Live clock: the embedded server stamps ID tokens with the real time.
  it.live("relays a session in @statelyai/inspect's protocol, replays it to a late client, and carries no credential", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const inspector = yield* Inspector.make()
      const early = yield* listen(inspector.socketUrl)
      const { session } = yield* TestServer.session(server, { key: "alice@stream", refresh: "lazy", inspect: inspector.inspect })

      const request = yield* session.authorize()
      const first = yield* session.completeAuthorization(yield* server.approve(request.url, { accountId: "alice" }))
      const second = yield* session.refresh
      yield* session.revoke
      const revoked = (message: string) => message.includes("\"@xstate.snapshot\"") && message.includes("\"value\":{\"revoked\":\"done\"}")
      yield* until(early.socket, early.messages, revoked)

      const late = yield* listen(inspector.socketUrl)
      yield* until(late.socket, late.messages, revoked)
      yield* until(late.socket, late.messages, (message) => typeOf(message) === "@effect-oauth.diagram")

      for (const { messages } of [early, late]) {
        const parsed = messages.map((message) => JSON.parse(message) as Record<string, unknown>)
        const root = parsed.find((message) => message["type"] === "@xstate.actor" && message["parentId"] === undefined)
        expect(root).toMatchObject({ name: "session", _version: "0.7.2", id: null })
        expect(typeof root?.["definition"]).toBe("string")
        expect(typeof root?.["diagram"]).toBe("string")
        const states = parsed
          .filter((message) => message["type"] === "@xstate.snapshot" && message["sessionId"] === root?.["sessionId"])
          // The public state: a substate (`{ refreshing: "requesting" }`) reads as its state.
          .map((message) => SessionMachine.stateOf(message["snapshot"] as { readonly value: SessionMachine.Snapshot["value"] }))
          .filter((state, i, all) => i === 0 || all[i - 1] !== state)
        expect(states).toEqual(["unauthorized", "authorizing", "authorized", "refreshing", "authorized", "revoked"])
        const events = parsed.flatMap((message) =>
          message["type"] === "@xstate.event" ? [(message["event"] as { readonly type: string }).type] : []
        )
        for (const type of ["AUTHORIZE", "CALLBACK", "STORED", "REFRESH", "REVOKE"]) expect(events).toContain(type)
        const diagram = parsed.find((message) => message["type"] === "@effect-oauth.diagram")
        expect(diagram?.["id"]).toBe(root?.["diagram"])
        expect(String(diagram?.["svg"])).toContain("data-state=\"refreshing\"")
      }
      const raw = [...early.messages, ...late.messages].join("\n")
      expect(raw).toContain("<redacted>")
      const credentials = [...credentialsOf(first), ...credentialsOf(second)]
      expect(credentials.length).toBeGreaterThanOrEqual(4)
      for (const credential of credentials) {
        for (const form of encodings(credential)) expect(raw).not.toContain(form)
      }
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.merge(TestServer.layer({ rotateRefreshToken: true }), FetchHttpClient.layer)),
      Effect.provide(Logger.remove(Logger.defaultLogger))
    ), 60_000)

  it.scoped("relays what an inspector in another process sends, to every other client", () =>
    Effect.gen(function*() {
      const inspector = yield* Inspector.make()
      const viewer = yield* listen(inspector.socketUrl)
      const reporter = yield* listen(inspector.socketUrl)
      const event = { type: "@xstate.event", _version: "0.7.2", sessionId: "x:1", event: { type: "PING" }, createdAt: "1" }
      reporter.socket.send(JSON.stringify(event))
      reporter.socket.send("not json")
      reporter.socket.send(JSON.stringify({ type: "@other.kind" }))
      yield* until(viewer.socket, viewer.messages, (message) => message.includes("PING"))
      expect(viewer.messages.map((message) => JSON.parse(message) as unknown)).toEqual([event])
      expect(reporter.messages).toEqual([])
    }))

  it.scoped("lays out one drawing per distinct machine definition, however many sessions build their own", () =>
    Effect.gen(function*() {
      const inspector = yield* Inspector.make()
      const viewer = yield* listen(inspector.socketUrl)
      const build = (id: string) => createMachine({ id, initial: "a", states: { a: { on: { GO: "b" } }, b: {} } })
      const actors = [build("same"), build("same"), build("same"), build("other")].map((machine) =>
        createActor(machine, { inspect: inspector.inspect }).start()
      )
      for (const actor of actors) actor.stop()
      const diagrams = (message: string) => typeOf(message) === "@effect-oauth.diagram"
      yield* until(viewer.socket, viewer.messages, (message) => viewer.messages.filter(diagrams).length === 2 && diagrams(message))
      const roots = viewer.messages.map((message) => JSON.parse(message) as Record<string, unknown>)
        .filter((message) => message["type"] === "@xstate.actor")
      expect(roots.map((root) => root["diagram"])).toEqual(["diagram-1", "diagram-1", "diagram-1", "diagram-2"])
      expect(viewer.messages.filter(diagrams).map((message) => (JSON.parse(message) as { readonly id: string }).id).sort())
        .toEqual(["diagram-1", "diagram-2"])
    }))

  it.scoped("shows strings under credential names as <redacted> even outside Redacted, and errors with their remedy", () =>
    Effect.gen(function*() {
      const inspector = yield* Inspector.make()
      const viewer = yield* listen(inspector.socketUrl)
      class Refused extends Error {
        readonly _tag = "Refused"
        get remedy() {
          return "reauthorize"
        }
      }
      const machine = createMachine({
        id: "plain",
        context: {
          access_token: "plain-access-token-value",
          nested: { refreshToken: "plain-refresh-token-value", tokenType: "Bearer" },
          error: new Refused("the grant is dead"),
          count: 1
        },
        initial: "idle",
        states: { idle: { on: { GO: "done" } }, done: {} }
      })
      const actor = createActor(machine, { inspect: inspector.inspect }).start()
      actor.send({ type: "GO" })
      actor.stop()
      yield* until(viewer.socket, viewer.messages, (message) => message.includes("\"value\":\"done\""))
      const raw = viewer.messages.join("\n")
      expect(raw).not.toContain("plain-access-token-value")
      expect(raw).not.toContain("plain-refresh-token-value")
      const snapshot = viewer.messages.map((message) => JSON.parse(message) as Record<string, unknown>)
        .find((message) => message["type"] === "@xstate.snapshot")
      expect((snapshot?.["snapshot"] as { readonly context: unknown }).context).toEqual({
        access_token: "<redacted>",
        nested: { refreshToken: "<redacted>", tokenType: "Bearer" },
        error: { _tag: "Refused", message: "the grant is dead", remedy: "reauthorize" },
        count: 1
      })
    }))
})
