/**
 * A WebSocket relay for XState inspection events, on the loopback interface
 * only. `createWebSocketInspector` is a WebSocket client; this is the server it
 * connects to. Every message a client sends is passed on to every other client
 * and kept (the last `history` of them) for clients that connect later, so a
 * viewer opened after the session started still sees the whole lifecycle.
 *
 * `GET /` serves a small viewer page (no external resources) that connects back
 * to the relay and shows the states, events and context as they arrive.
 *
 * Only loopback clients are accepted: the `Host` header must name the relay
 * (a page reached through a DNS-rebound name is refused) and a browser's
 * `Origin`, when sent, must be the relay itself (a web page from elsewhere
 * cannot read the events).
 */
import { createServer } from "node:http"
import type { IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"
import type { Scope } from "effect"
import { WebSocket, WebSocketServer } from "ws"
import { viewerPage } from "./viewer.js"

export interface RelayOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number | undefined
  /** Messages kept for clients that connect later. Default 1000. */
  readonly history?: number | undefined
}

export interface Relay {
  /** Where inspectors connect: `ws://127.0.0.1:<port>`. */
  readonly url: string
  /** The viewer page: `http://127.0.0.1:<port>/`. */
  readonly viewerUrl: string
}

const host = "127.0.0.1"

const isLocal = (request: IncomingMessage, port: number) => {
  const allowedHosts = [`${host}:${port}`, `localhost:${port}`]
  if (!allowedHosts.includes(request.headers.host ?? "")) return false
  const origin = request.headers.origin
  return origin === undefined || allowedHosts.some((allowed) => origin === `http://${allowed}`)
}

/** Starts a relay; it stops, closing every connection, when the scope closes. */
export const make = (options: RelayOptions = {}): Effect.Effect<Relay, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const history: Array<string> = []
    const limit = options.history ?? 1000
    let port = 0

    const http = createServer((request, response) => {
      if (!isLocal(request, port)) {
        response.writeHead(403).end()
        return
      }
      if (request.method !== "GET" || request.url !== "/") {
        response.writeHead(404).end()
        return
      }
      response.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": `default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src ws://${host}:${port} ws://localhost:${port}`,
        "cache-control": "no-store"
      })
      response.end(viewerPage)
    })
    const sockets = new WebSocketServer({
      server: http,
      verifyClient: ({ req }: { req: IncomingMessage }) => isLocal(req, port)
    })
    sockets.on("connection", (socket) => {
      for (const message of history) socket.send(message)
      socket.on("message", (data) => {
        const message = data.toString()
        history.push(message)
        if (history.length > limit) history.shift()
        for (const client of sockets.clients) {
          if (client !== socket && client.readyState === WebSocket.OPEN) client.send(message)
        }
      })
    })

    yield* Effect.acquireRelease(
      Effect.async<void, Error>((resume) => {
        const onError = (error: Error) => resume(Effect.fail(error))
        http.once("error", onError)
        try {
          http.listen(options.port ?? 0, host, () => {
            http.off("error", onError)
            port = (http.address() as AddressInfo).port
            resume(Effect.void)
          })
        } catch (error) {
          onError(error instanceof Error ? error : new Error(String(error)))
        }
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const client of sockets.clients) client.terminate()
          sockets.close()
          http.closeAllConnections()
          http.close(() => resume(Effect.void))
        })
    )
    return { url: `ws://${host}:${port}`, viewerUrl: `http://${host}:${port}/` }
  })
