import type { TokenSet } from "@effect-oauth/core"
import { Effect, Redacted } from "effect"
import { WebSocket } from "ws"

/** A client of the stream that keeps every raw message. */
export const listen = (url: string, headers: Record<string, string> = {}) =>
  Effect.acquireRelease(
    Effect.async<{ readonly socket: WebSocket; readonly messages: Array<string> }, Error>((resume) => {
      const socket = new WebSocket(url, { headers })
      const messages: Array<string> = []
      socket.on("message", (data) => void messages.push(data.toString()))
      socket.once("open", () => resume(Effect.succeed({ socket, messages })))
      socket.once("error", (error) => resume(Effect.fail(error)))
    }),
    ({ socket }) => Effect.sync(() => socket.terminate())
  )

/** Waits until `messages` holds one that satisfies `done`. */
export const until = (socket: WebSocket, messages: Array<string>, done: (message: string) => boolean) =>
  Effect.async<void>((resume) => {
    if (messages.some(done)) return resume(Effect.void)
    const check = () => {
      if (!messages.some(done)) return
      socket.off("message", check)
      resume(Effect.void)
    }
    socket.on("message", check)
    return Effect.sync(() => socket.off("message", check))
  })

/** How the stream answers a handshake: `open`, or `refused <HTTP status>`. */
export const handshake = (url: string, headers: Record<string, string> = {}) =>
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
    socket.once("error", (error) => resume(Effect.succeed(`error ${error.message}`)))
  })

/**
 * A credential in the forms it could leak in: as is, percent-encoded, and
 * base64 / base64url of its bytes (padding dropped, so a substring matches).
 */
export const encodings = (secret: string): ReadonlyArray<string> => {
  const bytes = Buffer.from(secret)
  return [
    secret,
    encodeURIComponent(secret),
    bytes.toString("base64").replace(/=+$/, ""),
    bytes.toString("base64url")
  ]
}

/** The credentials of a token set: access, refresh and ID token values. */
export const credentialsOf = (tokens: TokenSet.TokenSet): ReadonlyArray<string> =>
  [tokens.accessToken, tokens.refreshToken, tokens.idToken].flatMap((value) =>
    value === undefined ? [] : [typeof value === "string" ? value : Redacted.value(value)]
  )
