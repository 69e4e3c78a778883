import { TestServer } from "@effect-oauth/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

/** The server's answer to an RP-Initiated Logout request naming `postLogoutRedirectUri`. */
const endSession = (server: TestServer.TestServer, postLogoutRedirectUri: string) =>
  Effect.promise(async () => {
    const discovery = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json() as {
      readonly end_session_endpoint: string
    }
    const url = new URL(discovery.end_session_endpoint)
    url.searchParams.set("client_id", server.clients.web.clientId)
    url.searchParams.set("post_logout_redirect_uri", postLogoutRedirectUri)
    const response = await fetch(url, { redirect: "manual" })
    return { status: response.status, body: await response.text() }
  })

describe("TestServer / postLogoutRedirectUris", () => {
  it.scoped("lets a client's end-session request name a registered post-logout URI, and refuses another", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make({ postLogoutRedirectUris: ["http://127.0.0.1:8080/signed-out"] })
      const registered = yield* endSession(server, "http://127.0.0.1:8080/signed-out")
      expect(registered.status).toBe(200)
      // No session at the server: it goes straight on to its confirmation step.
      expect(registered.body).toContain("/session/end/confirm")
      const other = yield* endSession(server, "http://127.0.0.1:8080/elsewhere")
      expect(other.status).toBe(400)
      expect(other.body).toContain("post_logout_redirect_uri not registered")
    }), 30_000)

  it.scoped("registers none by default", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make()
      const refused = yield* endSession(server, "http://127.0.0.1:8080/signed-out")
      expect(refused.status).toBe(400)
      expect(refused.body).toContain("post_logout_redirect_uri not registered")
    }), 30_000)
})
