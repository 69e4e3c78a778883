/**
 * A small HTTP server on 127.0.0.1 with an ephemeral port, for the examples'
 * provider fixtures: a table of routes, each answering with a documented
 * response shape. Handlers are Effect programs run on the runtime that started
 * the server, so they see its `Clock` (a `TestClock` in tests). The server
 * stops, connections closed, when the scope closes.
 */
import type { Provider } from "@effect-oauth/core"
import { Effect, Runtime } from "effect"
import type { Scope } from "effect"
import { createHash, randomBytes } from "node:crypto"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** A request as a route sees it. */
export interface Request {
  readonly method: string
  /** The path, without the query. */
  readonly path: string
  readonly query: URLSearchParams
  /** An `application/x-www-form-urlencoded` body, else empty. */
  readonly form: URLSearchParams
  /** A JSON body, else `undefined`. */
  readonly json: unknown
  readonly headers: Http.IncomingHttpHeaders
  /** The `Bearer` token of the `Authorization` header, if any. */
  readonly bearer: string | undefined
}

/** A response, with the documentation page its shape comes from. */
export interface Reply {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown
  /** Where the provider documents this shape. */
  readonly source: string
}

/** One row of the route table; `path` may hold `:name` segments. */
export interface Route {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly handle: (request: Request, params: Readonly<Record<string, string>>) => Effect.Effect<Reply>
}

/** A request the server answered, for assertions. */
export interface Served {
  readonly method: string
  readonly path: string
  readonly status: number
  readonly source: string
}

/** A running server. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Every request answered so far, in order. */
  readonly served: Effect.Effect<ReadonlyArray<Served>>
}

/** A reply for a request no route matches. */
const notFound: Reply = { status: 404, body: { error: "not_found" }, source: "local" }

const match = (pattern: string, path: string): Record<string, string> | undefined => {
  const expected = pattern.split("/")
  const actual = path.split("/")
  if (expected.length !== actual.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < expected.length; i++) {
    const segment = expected[i]!
    const value = actual[i]!
    if (segment.startsWith(":")) params[segment.slice(1)] = decodeURIComponent(value)
    else if (segment !== value) return undefined
  }
  return params
}

const readBody = (incoming: Http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
    incoming.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    incoming.on("error", reject)
  })

const toRequest = (incoming: Http.IncomingMessage, body: string): Request => {
  const url = new URL(incoming.url ?? "/", "http://127.0.0.1")
  const type = incoming.headers["content-type"] ?? ""
  let json: unknown = undefined
  if (type.startsWith("application/json")) {
    try {
      json = JSON.parse(body)
    } catch {
      json = undefined
    }
  }
  const authorization = incoming.headers.authorization
  const bearer = authorization !== undefined && /^bearer /i.test(authorization) ? authorization.slice(7).trim() : undefined
  return {
    method: incoming.method ?? "GET",
    path: url.pathname,
    query: url.searchParams,
    form: type.startsWith("application/x-www-form-urlencoded") ? new URLSearchParams(body) : new URLSearchParams(),
    json,
    headers: incoming.headers,
    bearer
  }
}

/** Starts a server answering `routes`; unmatched requests get a 404. */
export const make = (routes: ReadonlyArray<Route>): Effect.Effect<LocalServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    const served: Array<Served> = []
    const answer = async (incoming: Http.IncomingMessage, outgoing: Http.ServerResponse) => {
      const request = toRequest(incoming, await readBody(incoming))
      let reply = notFound
      for (const route of routes) {
        const params = route.method === request.method ? match(route.path, request.path) : undefined
        if (params !== undefined) {
          reply = await Runtime.runPromise(runtime)(route.handle(request, params))
          break
        }
      }
      served.push({ method: request.method, path: request.path, status: reply.status, source: reply.source })
      const text = typeof reply.body === "string" ? reply.body : reply.body === undefined ? "" : JSON.stringify(reply.body)
      outgoing.writeHead(reply.status, {
        ...(typeof reply.body === "string" || reply.body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
        ...reply.headers
      })
      outgoing.end(text)
    }
    const server = yield* Effect.acquireRelease(
      Effect.async<Http.Server>((resume) => {
        const server = Http.createServer((incoming, outgoing) => {
          answer(incoming, outgoing).catch(() => {
            outgoing.writeHead(500)
            outgoing.end()
          })
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      served: Effect.sync(() => [...served])
    }
  })

/**
 * The credentials a fixture server issued (codes, tokens, secrets), so a test
 * can check that none of them was printed.
 */
export interface Issued {
  /** A new random credential with the provider's prefix, recorded. */
  readonly mint: (prefix: string) => string
  /** A new random credential of `length` hex digits, recorded. */
  readonly mintHex: (length: number) => string
  /** Records a credential made elsewhere (a client secret). */
  readonly record: (value: string) => string
  /** Every credential issued so far. */
  readonly all: () => ReadonlyArray<string>
}

/** A new, empty ledger of issued credentials. */
export const issued = (): Issued => {
  const values: Array<string> = []
  const record = (value: string) => {
    values.push(value)
    return value
  }
  return {
    mint: (prefix) => record(`${prefix}${randomBytes(24).toString("base64url")}`),
    mintHex: (length) => record(randomBytes(Math.ceil(length / 2)).toString("hex").slice(0, length)),
    record,
    all: () => [...values]
  }
}

/** The PKCE `S256` challenge of a verifier (RFC 7636 §4.2), for servers that check it. */
export const s256 = (verifier: string): string => createHash("sha256").update(verifier).digest("base64url")

const endpointFields = [
  "authorizationEndpoint",
  "tokenEndpoint",
  "revocationEndpoint",
  "introspectionEndpoint",
  "userinfoEndpoint",
  "deviceAuthorizationEndpoint",
  "pushedAuthorizationRequestEndpoint",
  "registrationEndpoint",
  "jwksUri"
] as const

/**
 * A provider preset moved onto a local server: every endpoint keeps its path and
 * query and gets `url`'s origin; the issuer becomes `url`. The local server
 * serves the provider's paths, so the preset is used as it ships.
 */
export const rehome = (provider: Provider.Provider, url: string): Provider.Provider => {
  const origin = new URL(url)
  const moved: Record<string, string> = {}
  for (const field of endpointFields) {
    const value = provider[field]
    if (value === undefined) continue
    const endpoint = new URL(value)
    moved[field] = `${origin.origin}${endpoint.pathname}${endpoint.search}`
  }
  return { ...provider, ...moved, ...(provider.issuer === undefined ? {} : { issuer: origin.origin }) }
}
