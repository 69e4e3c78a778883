import { OAuthClient, Provider } from "@effect-oauth/core"
import { SessionRegistry, TokenStore } from "@effect-oauth/session"
import { FetchHttpClient, HttpApp, HttpServerRequest } from "@effect/platform"
import { Context, Effect, Layer, ManagedRuntime, Option } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import type * as WebHandler from "../WebHandler.js"
import * as WebSignIn from "../WebSignIn.js"

interface Ready {
  readonly signIn: WebSignIn.WebSignIn
  readonly registry: SessionRegistry.Service
  readonly handler: (request: Request) => Promise<Response>
}

class ReadyTag extends Context.Tag("@effect-oauth/http/WebHandler/Ready")<ReadyTag, Ready>() {}

/** A web `Request` of a Node request; the body is read only when asked and the method has one. */
const toRequest = async (request: IncomingMessage, origin: string | undefined, withBody: boolean): Promise<Request> => {
  const url = new URL(request.url ?? "/", origin ?? `http://${request.headers.host ?? "localhost"}`)
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one)
  }
  const method = request.method ?? "GET"
  if (!withBody || method === "GET" || method === "HEAD") return new Request(url, { method, headers })
  const chunks: Array<Uint8Array> = []
  for await (const chunk of request) chunks.push(chunk as Uint8Array)
  return new Request(url, { method, headers, body: Buffer.concat(chunks) })
}

const writeResponse = async (response: Response, out: ServerResponse): Promise<void> => {
  const headers: Record<string, string | Array<string>> = {}
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers["set-cookie"] = cookies
  out.writeHead(response.status, headers)
  out.end(Buffer.from(await response.arrayBuffer()))
}

/** @internal */
export const make = (options: WebHandler.Options): WebHandler.WebHandler => {
  const { provider, client: registration, name = "idp", store, httpClient, registry: registryOptions, ...signInOptions } =
    options
  const basePath = (signInOptions.basePath ?? "/auth").replace(/\/+$/, "")
  const ready = Layer.scoped(
    ReadyTag,
    Effect.gen(function*() {
      const descriptor = "tokenEndpoint" in provider ? provider : yield* Provider.discover(provider.issuer)
      const client = yield* OAuthClient.make({ provider: descriptor, client: registration })
      // Scoped to the layer: `dispose` releases every session.
      const registry = yield* SessionRegistry.make({ ...registryOptions, clients: { [name]: client } })
      const signIn = yield* WebSignIn.make({ ...signInOptions, provider: name, client }).pipe(
        Effect.provideService(SessionRegistry.SessionRegistry, registry)
      )
      const runtime = yield* Effect.runtime<never>()
      return { signIn, registry, handler: HttpApp.toWebHandlerRuntime(runtime)(signIn.routes) }
    })
  ).pipe(Layer.provide(Layer.mergeAll(store ?? TokenStore.layerMemory, httpClient ?? FetchHttpClient.layer)))

  let runtime = ManagedRuntime.make(ready)
  // A failed start (discovery unreachable) is not kept: the next request tries again.
  const started = (): Promise<Ready> =>
    runtime.runPromise(ReadyTag).catch(async (error: unknown) => {
      const failed = runtime
      runtime = ManagedRuntime.make(ready)
      await failed.dispose()
      throw error
    })

  const fetch = async (request: Request): Promise<Response> => (await started()).handler(request)

  const user = async (request: Request | IncomingMessage): Promise<WebHandler.User | undefined> => {
    const { registry, signIn } = await started()
    const web = request instanceof Request ? request : await toRequest(request, signInOptions.origin, false)
    const found = await runtime.runPromise(
      Effect.scoped(Effect.provideService(signIn.user, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(web)))
    )
    if (Option.isNone(found)) return undefined
    const key = found.value.key
    return { key, accessToken: () => runtime.runPromise(registry.accessToken(key)) }
  }

  const node = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void): void => {
    const path = (request.url ?? "/").split("?")[0] ?? "/"
    if (!path.startsWith(`${basePath}/`)) {
      if (next !== undefined) return next()
      response.writeHead(404).end()
      return
    }
    toRequest(request, signInOptions.origin, true)
      .then(fetch)
      .then((answer) => writeResponse(answer, response))
      .catch((error: unknown) => {
        if (next !== undefined) return next(error)
        response.writeHead(500).end()
      })
  }

  return { fetch, node, user, dispose: () => runtime.dispose() }
}
