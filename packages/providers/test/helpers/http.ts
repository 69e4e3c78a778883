/** `HttpClient.make` stubs that serve documented response shapes and record what was sent. */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Layer } from "effect"

export interface Seen {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  /** The form body (POST) or the query (GET). */
  readonly params: URLSearchParams
}

export const jsonResponse = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } })

/** A client whose every request is answered by `respond`; `seen` lists the requests in order. */
export const stub = (respond: (seen: Seen) => Response) => {
  const seen: Array<Seen> = []
  const client = HttpClient.make((request, url) => {
    const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
    const entry: Seen = {
      method: request.method,
      url,
      headers: request.headers,
      params: request.method === "GET" ? url.searchParams : new URLSearchParams(body)
    }
    seen.push(entry)
    return Effect.succeed(HttpClientResponse.fromWeb(request, respond(entry)))
  })
  return { seen, layer: Layer.succeed(HttpClient.HttpClient, client) }
}
