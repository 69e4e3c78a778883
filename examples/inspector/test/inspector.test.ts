import { get } from "node:http"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, Predicate, Redacted, TestClock } from "effect"
import type { InspectionEvent } from "xstate"
import { WebSocket } from "ws"
import * as Inspector from "../src/inspector.js"
import { lifecycle } from "../src/lifecycle.js"
import * as Relay from "../src/relay.js"

/** A viewer: a plain WebSocket client of the relay that keeps every raw message. */
const viewer = (url: string) =>
  Effect.acquireRelease(
    Effect.async<{ readonly socket: WebSocket; readonly messages: Array<string> }, Error>((resume) => {
      const socket = new WebSocket(url)
      const messages: Array<string> = []
      socket.on("message", (data) => void messages.push(data.toString()))
      socket.once("open", () => resume(Effect.succeed({ socket, messages })))
      socket.once("error", (error) => resume(Effect.fail(error)))
    }),
    ({ socket }) => Effect.sync(() => socket.terminate())
  )

/** Waits until the viewer holds `count` messages. */
const received = (socket: WebSocket, messages: Array<string>, count: number) =>
  Effect.async<void>((resume) => {
    if (messages.length >= count) return resume(Effect.void)
    const check = () => {
      if (messages.length < count) return
      socket.off("message", check)
      resume(Effect.void)
    }
    socket.on("message", check)
    return Effect.sync(() => socket.off("message", check))
  })

/**
 * Every credential the session held, read from the live inspection events in
 * process: the values inside `Redacted` (tokens, the authorization request's
 * state, PKCE verifier and nonce, the callback URL and its code).
 */
const collectSecrets = (value: unknown, into: Set<string>, seen = new Set<unknown>(), depth = 0): void => {
  if (depth > 8 || value === null || typeof value !== "object" || seen.has(value)) return
  seen.add(value)
  if (Redacted.isRedacted(value)) {
    const inner: unknown = Redacted.value(value)
    if (typeof inner === "string") {
      into.add(inner)
      if (URL.canParse(inner)) for (const [, parameter] of new URL(inner).searchParams) into.add(parameter)
    } else if (Predicate.isRecord(inner)) {
      for (const field of Object.values(inner)) if (typeof field === "string") into.add(field)
      collectSecrets(inner, into, seen, depth + 1)
    }
    return
  }
  for (const field of Object.values(value)) collectSecrets(field, into, seen, depth + 1)
}

const relayed = new Set(["@xstate.actor", "@xstate.event", "@xstate.snapshot"])

/** How the relay answers a WebSocket handshake sent with `headers`: `open` or `refused <HTTP status>`. */
const handshake = (url: string, headers: Record<string, string>) =>
  Effect.async<string>((resume) => {
    const socket = new WebSocket(url, { headers })
    socket.once("open", () => {
      socket.terminate()
      resume(Effect.succeed("open"))
    })
    socket.once("unexpected-response", (_request, response) => {
      socket.terminate()
      resume(Effect.succeed(`refused ${response.statusCode}`))
    })
    socket.once("error", () => resume(Effect.succeed("error")))
  })

describe("inspector / relay", () => {
  it.scoped("listens on 127.0.0.1 only and refuses foreign origins and DNS-rebound host names", () =>
    Effect.gen(function*() {
      const relay = yield* Relay.make()
      const port = new URL(relay.url).port
      expect(yield* handshake(relay.url, {})).toBe("open")
      expect(yield* handshake(relay.url, { origin: `http://127.0.0.1:${port}` })).toBe("open")
      expect(yield* handshake(relay.url, { origin: "https://attacker.example" })).toBe("refused 401")
      expect(yield* handshake(relay.url, { host: `attacker.example:${port}` })).toBe("refused 401")

      const page = yield* Effect.promise(() => fetch(relay.viewerUrl))
      expect(page.status).toBe(200)
      expect(page.headers.get("content-security-policy")).toContain("default-src 'none'")
      const html = yield* Effect.promise(() => page.text())
      expect(html).toContain("new WebSocket(")
      expect(html).not.toMatch(/(src|href)=["']?https?:/)
      const rebound = yield* Effect.async<number | undefined>((resume) => {
        get(relay.viewerUrl, { headers: { host: `attacker.example:${port}` } }, (response) => {
          response.resume()
          resume(Effect.succeed(response.statusCode))
        }).once("error", () => resume(Effect.succeed(undefined)))
      })
      expect(rebound).toBe(403)
    }))
})

describe("inspector", () => {
  it.effect("relays the machine's actors, events and snapshots over loopback, states in order, and no credential", () =>
    Effect.gen(function*() {
      // The embedded server stamps its ID tokens with the real time, which the
      // client checks against the Clock: start the test clock there.
      yield* TestClock.setTime(Date.now())
      const relay = yield* Relay.make()
      expect(relay.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/)
      const { messages, socket } = yield* viewer(relay.url)

      const secrets = new Set<string>()
      const accessTokens = new Set<string>()
      let sent = 0
      const printed: Array<string> = []
      const original = console.log
      yield* Effect.gen(function*() {
        const inspector = yield* Inspector.connect(relay.url)
        const inspect = {
          next: (event: InspectionEvent) => {
            if (relayed.has(event.type)) sent++
            if (event.type === "@xstate.snapshot") {
              const snapshot: object = event.snapshot
              collectSecrets("context" in snapshot ? snapshot.context : undefined, secrets)
              collectSecrets("input" in snapshot ? snapshot.input : undefined, secrets)
              const context: unknown = "context" in snapshot ? snapshot.context : undefined
              if (Predicate.isRecord(context) && Predicate.isRecord(context["tokens"])) {
                const token = context["tokens"]["accessToken"]
                if (Redacted.isRedacted(token)) accessTokens.add(String(Redacted.value(token)))
              }
            }
            if (event.type === "@xstate.event") collectSecrets(event.event, secrets)
            inspector.next?.(event)
          }
        }
        console.log = (...args: Array<unknown>) => void printed.push(args.join(" "))
        yield* lifecycle({ inspect, clock: "effect", whileWaiting: TestClock.adjust("3 seconds") })
      }).pipe(Effect.scoped, Effect.ensuring(Effect.sync(() => { console.log = original })))
      expect(printed.filter((line) => line.includes("→")).map((line) => line.trim())).toEqual([
        "unauthorized → authorizing",
        "authorizing → authorized",
        "authorized → expired",
        "expired → refreshing",
        "refreshing → authorized",
        "authorized → refreshing",
        "refreshing → authorized",
        "authorized → revoked"
      ])
      yield* received(socket, messages, sent)

      const parsed = messages.map((message) => JSON.parse(message) as Record<string, unknown>)
      expect(parsed).toHaveLength(sent)
      expect(new Set(parsed.map((message) => message["type"]))).toEqual(relayed)

      const root = parsed.find((message) => message["type"] === "@xstate.actor" && message["name"] === "session")
      expect(root?.["definition"]).toContain("refreshing")
      const states = parsed
        .filter((message) => message["type"] === "@xstate.snapshot" && message["sessionId"] === root?.["sessionId"])
        // A substate shows as `{refreshing:requesting}`, as the viewer prints it.
        .map((message) => JSON.stringify((message["snapshot"] as { readonly value: unknown }).value).replaceAll('"', ""))
        .filter((state, i, all) => i === 0 || all[i - 1] !== state)
      expect(states).toEqual([
        "unauthorized",
        "authorizing",
        "authorized",
        "expired",
        "{refreshing:requesting}",
        "authorized",
        "{refreshing:requesting}",
        "authorized",
        "revoked"
      ])
      const events = parsed.flatMap((message) =>
        message["type"] === "@xstate.event" ? [(message["event"] as { readonly type: string }).type] : []
      )
      for (const type of ["AUTHORIZE", "CALLBACK", "STORED", "REFRESH", "TOKEN_REJECTED", "REVOKE", "REVOKED"]) {
        expect(events).toContain(type)
      }

      // Three access tokens (authorization, expiry, rejection) and their refresh
      // tokens were in the context the inspector saw, and none reached the wire.
      expect(accessTokens.size).toBe(3)
      const credentials = [...secrets].filter((secret) => secret.length >= 16)
      expect(credentials.length).toBeGreaterThanOrEqual(6)
      for (const token of accessTokens) expect(credentials).toContain(token)
      const raw = messages.join("\n")
      expect(raw).toContain("<redacted>")
      for (const credential of credentials) expect(raw).not.toContain(credential)
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.merge(TestServer.layer({ rotateRefreshToken: true, accessTokenTtl: 3 }), FetchHttpClient.layer)),
      Effect.provide(Logger.remove(Logger.defaultLogger))
    ))
})
