/** `HttpStub` clients that serve documented response shapes and record what was sent. */
import { HttpStub } from "@effect-oauth/testing"

export type Seen = HttpStub.Seen

/** A JSON answer with the charset the providers send. */
export const jsonResponse = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } })

/** A client whose every request is answered by `respond`; `seen` lists the requests in order. */
export const stub = (respond: (seen: Seen) => Response) => HttpStub.make(respond)
