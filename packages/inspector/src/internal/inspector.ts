import { timingSafeEqual } from "node:crypto"
import { createServer } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Runtime } from "effect"
import type { Scope } from "effect"
import { WebSocket, WebSocketServer } from "ws"
import type { AnyStateMachine, InspectionEvent, Observer } from "xstate"
import type * as Inspector from "../Inspector.js"
import { InspectorUnavailable } from "../Inspector.js"
import * as MachineGraph from "../MachineGraph.js"
import * as diagram from "./diagram.js"
import { page, script, style } from "./page.js"
import { convert, isMachine } from "./protocol.js"

const host = "127.0.0.1"

const newToken = (): string => {
  const bytes = new Uint8Array(32)
  crypto.getRandomValues(bytes)
  return Buffer.from(bytes).toString("base64url")
}

const sameToken = (given: string | null, token: string): boolean => {
  if (given === null) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

const listen = (server: ReturnType<typeof createServer>, port: number) =>
  Effect.async<number, Inspector.InspectorUnavailable>((resume) => {
    const onError = (error: Error) => resume(Effect.fail(new InspectorUnavailable({ reason: error.message })))
    server.once("error", onError)
    server.listen(port, host, () => {
      server.off("error", onError)
      resume(Effect.succeed((server.address() as AddressInfo).port))
    })
  })

/** @internal */
export const make = (options: Inspector.Options = {}): Effect.Effect<Inspector.Service, Inspector.InspectorUnavailable, Scope.Scope> =>
  Effect.gen(function*() {
    const token = newToken()
    const limit = options.history ?? 5000
    const sessionLimit = 1000
    const clock = yield* Effect.clock
    const runtime = yield* Effect.runtime<never>()
    let port = 0

    /** Root actors' `@xstate.actor` messages, kept apart from `history`: a late page needs every session's start. */
    const actors = new Map<string, string>()
    /** The drawings, one per machine definition. */
    const diagrams = new Map<string, string>()
    const diagramOf = new WeakMap<AnyStateMachine, string>()
    const history: Array<string> = []

    const allowedHosts = () => [`${host}:${port}`, `localhost:${port}`]
    const allowedOrigins = () => [...allowedHosts().map((h) => `http://${h}`), ...(options.allowedOrigins ?? [])]
    const hostAllowed = (request: IncomingMessage) => allowedHosts().includes(request.headers.host ?? "")
    const tokenOf = (request: IncomingMessage) => new URL(request.url ?? "/", `http://${host}`).searchParams.get("token")

    const broadcast = (message: string, except?: WebSocket) => {
      for (const client of sockets.clients) {
        if (client !== except && client.readyState === WebSocket.OPEN) client.send(message)
      }
    }
    const record = (message: string, kind: unknown, sessionId: unknown, root: boolean, except?: WebSocket) => {
      if (kind === "@xstate.actor" && root && typeof sessionId === "string") {
        actors.set(sessionId, message)
        // A registry that starts and releases many sessions: the newest are kept.
        if (actors.size > sessionLimit) actors.delete(actors.keys().next().value!)
      } else {
        history.push(message)
        if (history.length > limit) history.splice(0, history.length - limit)
      }
      broadcast(message, except)
    }

    // Each session may build its own machine object: one drawing per distinct definition.
    const byShape = new Map<string, string>()
    const draw = (machine: AnyStateMachine): string => {
      const known = diagramOf.get(machine)
      if (known !== undefined) return known
      const graph = MachineGraph.fromMachine(machine)
      const shape = JSON.stringify(graph)
      const drawn = byShape.get(shape)
      if (drawn !== undefined) {
        diagramOf.set(machine, drawn)
        return drawn
      }
      const id = `diagram-${byShape.size + 1}`
      byShape.set(shape, id)
      diagramOf.set(machine, id)
      Runtime.runFork(runtime)(
        diagram.toSvg(graph).pipe(
          Effect.map((svg) => {
            const message = JSON.stringify({ type: "@effect-oauth.diagram", id, machine: graph.id, graph, svg })
            diagrams.set(id, message)
            broadcast(message)
          }),
          Effect.catchAllCause(Effect.logWarning)
        )
      )
      return id
    }

    const inspect: Observer<InspectionEvent> = {
      next: (event) => {
        try {
          const root = (event.actorRef as { readonly _parent?: unknown })._parent === undefined
          const logic = (event.actorRef as { readonly logic?: unknown }).logic
          const extra = event.type === "@xstate.actor" && root && isMachine(logic) ? { diagram: draw(logic) } : {}
          const message = convert(event, clock.unsafeCurrentTimeMillis(), extra)
          if (message === undefined) return
          record(JSON.stringify(message), message["type"], message["sessionId"], root)
        } catch {
          // An event that cannot be shown is dropped; the session it comes from carries on.
        }
      }
    }

    const headers = (type: string) => ({
      "content-type": type,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer"
    })
    const serve = (request: IncomingMessage, response: ServerResponse) => {
      if (!hostAllowed(request)) return response.writeHead(403, headers("text/plain")).end("forbidden host")
      const path = new URL(request.url ?? "/", `http://${host}`).pathname
      if (request.method !== "GET") return response.writeHead(405, headers("text/plain")).end()
      if (path === "/viewer.js") return response.writeHead(200, headers("text/javascript; charset=utf-8")).end(script)
      if (path === "/viewer.css") return response.writeHead(200, headers("text/css; charset=utf-8")).end(style)
      if (path !== "/") return response.writeHead(404, headers("text/plain")).end("not found")
      if (!sameToken(tokenOf(request), token)) {
        return response.writeHead(401, headers("text/plain")).end("open the URL the inspector printed: it carries the token")
      }
      response.writeHead(200, {
        ...headers("text/html; charset=utf-8"),
        "content-security-policy": [
          "default-src 'none'",
          "script-src 'self'",
          "style-src 'self'",
          `connect-src ws://${host}:${port} ws://localhost:${port}`,
          "base-uri 'none'",
          "form-action 'none'",
          "frame-ancestors 'none'"
        ].join("; ")
      })
      response.end(page)
    }

    const http = createServer(serve)
    const sockets = new WebSocketServer({
      server: http,
      maxPayload: 1 << 20,
      verifyClient: ({ req }: { req: IncomingMessage }, done: (ok: boolean, code?: number) => void) => {
        if (!sameToken(tokenOf(req), token)) return done(false, 401)
        const origin = req.headers.origin
        if (!hostAllowed(req) || (origin !== undefined && !allowedOrigins().includes(origin))) return done(false, 403)
        done(true)
      }
    })
    // The HTTP server's errors reach `listen`; the WebSocket server repeats them.
    sockets.on("error", () => {})
    sockets.on("connection", (socket) => {
      for (const message of diagrams.values()) socket.send(message)
      for (const message of actors.values()) socket.send(message)
      for (const message of history) socket.send(message)
      // Another process's `createWebSocketInspector` may report here too: its
      // messages are relayed like ours.
      socket.on("message", (data) => {
        const text = data.toString()
        try {
          const message: unknown = JSON.parse(text)
          if (typeof message !== "object" || message === null || !("type" in message)) return
          const type = message.type
          if (type !== "@xstate.actor" && type !== "@xstate.event" && type !== "@xstate.snapshot") return
          const sessionId = "sessionId" in message ? message.sessionId : undefined
          record(text, type, sessionId, !("parentId" in message) || message.parentId === undefined, socket)
        } catch {
          // not JSON: ignored
        }
      })
    })

    port = yield* Effect.acquireRelease(
      listen(http, options.port ?? 0),
      () =>
        Effect.async<void>((resume) => {
          for (const client of sockets.clients) client.terminate()
          sockets.close()
          http.closeAllConnections()
          http.close(() => resume(Effect.void))
        })
    )
    return {
      url: `http://${host}:${port}/?token=${token}`,
      socketUrl: `ws://${host}:${port}/?token=${token}`,
      port,
      inspect
    }
  })
