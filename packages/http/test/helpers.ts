import { WebSignIn } from "@effect-oauth/http"
import { OAuthClient, Provider } from "@effect-oauth/core"
import { SessionRegistry, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient, HttpApp, HttpClient, HttpClientRequest, HttpRouter, HttpServerResponse } from "@effect/platform"
import { Effect, Redacted } from "effect"

export const origin = "http://127.0.0.1:8080"
export const secret = Redacted.make("0123456789abcdef0123456789abcdef")

/**
 * An app at {@link origin} with the sign-in routes and `GET /me`, over the
 * embedded authorization server; `fetch` sends a request to it in-process, with
 * a cookie jar of its own (`jar`) the way a browser keeps cookies.
 */
export const setup = (options: Partial<WebSignIn.Options> & { readonly accessTokenTtl?: number } = {}) =>
  Effect.gen(function*() {
    const server = yield* TestServer.make({
      redirectUri: `${origin}/auth/callback`,
      ...(options.accessTokenTtl === undefined ? {} : { accessTokenTtl: options.accessTokenTtl })
    })
    const provider = yield* Provider.discover(server.issuer)
    const client = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
    const memory = yield* TokenStore.makeMemory
    /** `failGets`: the store cannot be read (a database down). */
    const faults = { failGets: false }
    const store: TokenStore.Service = {
      ...memory,
      get: (key) =>
        faults.failGets
          ? Effect.fail(new TokenStore.TokenStoreError({ reason: "Io", operation: "get", key, detail: "disk unavailable" }))
          : memory.get(key)
    }
    const registry = yield* SessionRegistry.make({ clients: { idp: client } }).pipe(
      Effect.provideService(TokenStore.TokenStore, store)
    )
    const signIn = yield* WebSignIn.make({ provider: "idp", client, secret, ...options }).pipe(
      Effect.provideService(TokenStore.TokenStore, store),
      Effect.provideService(SessionRegistry.SessionRegistry, registry)
    )
    const httpClient = yield* HttpClient.HttpClient
    const app = signIn.routes.pipe(
      HttpRouter.get(
        "/me",
        signIn.requireUser()(Effect.gen(function*() {
          const user = yield* WebSignIn.CurrentUser
          const me = yield* user.httpClient.execute(HttpClientRequest.get(`${server.issuer}/api/me`)).pipe(
            Effect.flatMap((response) => response.json),
            Effect.orDie
          )
          return yield* HttpServerResponse.json({ account: user.key.account, me })
        }))
      )
    )
    const handler = HttpApp.toWebHandler(app)
    const jar = new Map<string, string>()
    const send = sender(handler, jar)
    return { server, client, store, registry, signIn, send, jar, httpClient, faults }
  }).pipe(Effect.provide(FetchHttpClient.layer))

/**
 * Sends a request to `handler` in-process as a browser would: the cookies of
 * `jar` go with it and its `Set-Cookie` lines update `jar`.
 */
export const sender = (handler: (request: Request) => Promise<Response>, jar: Map<string, string>) =>
(path: string, init: RequestInit & { readonly cookies?: Record<string, string> } = {}) =>
  Effect.promise(async () => {
    const cookies = init.cookies ?? Object.fromEntries(jar)
    const headers = new Headers(init.headers)
    const cookie = Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join("; ")
    if (cookie !== "") headers.set("cookie", cookie)
    const response = await handler(new Request(new URL(path, origin), { ...init, headers, redirect: "manual" }))
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";")
      const at = pair!.indexOf("=")
      const name = pair!.slice(0, at)
      const value = pair!.slice(at + 1)
      if (value === "" || /max-age=0/i.test(line)) jar.delete(name)
      else jar.set(name, value)
    }
    return { response, body: await response.text(), setCookies: response.headers.getSetCookie() }
  })

/** The forms a secret could take in a header or page: clear, base64, base64url, percent-encoded. */
export const encodings = (secretValue: string): ReadonlyArray<string> => [
  secretValue,
  Buffer.from(secretValue).toString("base64"),
  Buffer.from(secretValue).toString("base64url"),
  encodeURIComponent(secretValue)
]
