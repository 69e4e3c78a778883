/**
 * An `HttpClient` for unit tests of request building, parsing and retry: every
 * request is recorded and answered by a function, with no network. Flows belong
 * against `TestServer`; a stub suits asserting exactly what was sent.
 *
 * ```ts
 * const { layer, seen } = HttpStub.make(() => Response.json({ access_token: "at", token_type: "Bearer" }))
 * yield* oauth.refresh(tokens).pipe(Effect.provide(layer))
 * expect(seen[0]?.form.get("grant_type")).toBe("refresh_token")
 * ```
 *
 * @since 0.1.0
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Layer } from "effect"

/**
 * One request as the stub saw it.
 *
 * @since 0.1.0
 * @category testing
 */
export interface Seen {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  /** The body as text (empty when the request has none). */
  readonly body: string
  /** The body read as `application/x-www-form-urlencoded`. */
  readonly form: URLSearchParams
  /** The parameters a token endpoint reads: the query of a GET, the form body otherwise. */
  readonly params: URLSearchParams
}

/**
 * A stub client, its layer, and the requests it has seen, in order.
 *
 * @since 0.1.0
 * @category testing
 */
export interface Stub {
  readonly seen: ReadonlyArray<Seen>
  readonly client: HttpClient.HttpClient
  readonly layer: Layer.Layer<HttpClient.HttpClient>
}

/**
 * A client whose every request is recorded in `seen` and answered by `respond`
 * (a `Response`, or an effect giving one: to wait on a `TestClock`, say).
 *
 * @since 0.1.0
 * @category testing
 */
export const make = (respond: (seen: Seen) => Response | Effect.Effect<Response>): Stub => {
  const seen: Array<Seen> = []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      const form = new URLSearchParams(body)
      const entry: Seen = {
        method: request.method,
        url,
        headers: request.headers,
        body,
        form,
        params: request.method === "GET" ? url.searchParams : form
      }
      seen.push(entry)
      const response = respond(entry)
      return HttpClientResponse.fromWeb(request, Effect.isEffect(response) ? yield* response : response)
    })
  )
  return { seen, client, layer: Layer.succeed(HttpClient.HttpClient, client) }
}
