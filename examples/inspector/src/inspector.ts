/**
 * `@statelyai/inspect`'s WebSocket inspector as a scoped resource: connected to
 * `url` when acquired, flushed and closed when the scope closes. Closing it
 * explicitly matters: an inspector left open (or closed while still
 * connecting) retries its connection on a timer and keeps Node running.
 */
import { createWebSocketInspector } from "@statelyai/inspect"
import { Effect } from "effect"
import type { Scope } from "effect"
import type { InspectionEvent, Observer } from "xstate"

/** What `OAuthSession.make({ inspect })` takes. */
export type Inspect = Observer<InspectionEvent>

interface Socket {
  readonly readyState: number
  addEventListener(type: "open" | "close" | "error", listener: () => void, options?: { once: boolean }): void
}

// The adapter's socket is not part of the package's types; it is read only to
// wait for the connection to settle before closing it.
const socketOf = (adapter: unknown): Socket | undefined => {
  const ws = (adapter as { readonly ws?: unknown }).ws
  return typeof ws === "object" && ws !== null && "readyState" in ws ? ws as Socket : undefined
}

const CONNECTING = 0
const CLOSED = 3

const settled = (socket: Socket | undefined, state: "open" | "close") =>
  Effect.async<void>((resume) => {
    if (socket === undefined || socket.readyState === CLOSED || (state === "open" && socket.readyState !== CONNECTING)) {
      return resume(Effect.void)
    }
    socket.addEventListener(state, () => resume(Effect.void), { once: true })
    socket.addEventListener("error", () => resume(Effect.void), { once: true })
  })

// The inspector converts and sends each event on a zero-delay timer: one
// macrotask later every event of the session has been handed to the socket.
const nextMacrotask = Effect.async<void>((resume) => {
  const timer = setTimeout(() => resume(Effect.void), 0)
  return Effect.sync(() => clearTimeout(timer))
})

/** Connects an inspector to the relay at `url`; closes it with the scope. */
export const connect = (url: string): Effect.Effect<Inspect, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => createWebSocketInspector({ url })),
      (inspector) =>
        Effect.gen(function*() {
          yield* nextMacrotask
          const socket = socketOf(inspector.adapter)
          yield* settled(socket, "open")
          inspector.stop()
          yield* settled(socket, "close")
        })
    ),
    (inspector) => inspector.inspect
  )
