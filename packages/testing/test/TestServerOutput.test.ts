import { OAuthClient, Provider } from "@effect-oauth/core"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { vi } from "vitest"

// In a file of its own: oidc-provider prints its runtime warning when first loaded,
// the others on a server's first discovery, token and interaction requests.
it.effect("a server started and used prints none of oidc-provider's development warnings", () =>
  Effect.gen(function*() {
    const printed: Array<string> = []
    const warn = vi.spyOn(console, "warn").mockImplementation((line) => void printed.push(String(line)))
    yield* Effect.gen(function*() {
      const server = yield* TestServer.make()
      const provider = yield* Provider.discover(server.issuer)
      const oauth = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
      const request = yield* oauth.authorizationUrl()
      yield* server.approve(request.url, { accountId: "alice" })
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer), Effect.ensuring(Effect.sync(() => warn.mockRestore())))
    expect(printed.filter((line) => line.includes("oidc-provider"))).toEqual([])
  }))
