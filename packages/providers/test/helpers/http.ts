/** `HttpStub` clients that serve documented response shapes and record what was sent. */
import { OAuthClient, type Provider } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { HttpStub } from "@effect-oauth/testing"
import type { HttpClient } from "@effect/platform"
import { Effect, type Layer } from "effect"

export type Seen = HttpStub.Seen

/** A JSON answer with the charset the providers send. */
export const jsonResponse = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } })

/** A client whose every request is answered by `respond`; `seen` lists the requests in order. */
export const stub = (respond: (seen: Seen) => Response) => HttpStub.make(respond)

/**
 * A session (`clock: "effect"`, so `TestClock` moves it) of `provider` over the
 * stubbed `http` layer and a memory store, returned with the store to inspect.
 */
export const sessionOver = (
  http: Layer.Layer<HttpClient.HttpClient>,
  provider: Provider.Provider,
  client: OAuthClient.Client,
  options: { readonly key: string; readonly refresh?: "lazy" | "eager" | undefined }
) =>
  Effect.gen(function*() {
    const store = yield* TokenStore.makeMemory
    const make = OAuthSession.make({ key: options.key, refresh: options.refresh ?? "lazy", clock: "effect" }).pipe(
      Effect.provide(OAuthClient.layer({ provider, client })),
      Effect.provide(http),
      Effect.provideService(TokenStore.TokenStore, store)
    )
    return { make, store }
  })

/**
 * A client that serves `document` at `issuer`'s OpenID Connect discovery path
 * (and 404 elsewhere), recording the requests.
 */
export const discoveryStub = (issuer: string, document: Record<string, unknown>) =>
  HttpStub.make((seen) =>
    seen.url.href === `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`
      ? jsonResponse({ issuer, ...document })
      : new Response("not found", { status: 404 })
  )
