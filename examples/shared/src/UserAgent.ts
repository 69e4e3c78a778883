/**
 * The browser's part of a redirect flow, played by a program: open a URL and
 * read where the server sends the user next (the `Location` of a 3xx), without
 * following it.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { Data, Effect } from "effect"

/** The server answered without a redirect. */
export class NoRedirect extends Data.TaggedError("NoRedirect")<{ readonly url: string; readonly status: number }> {
  override get message(): string {
    const url = new URL(this.url)
    return `expected a redirect from ${url.origin}${url.pathname}, got HTTP ${this.status}`
  }
}

/** Opens `url` (a GET, redirects not followed) and returns the `Location` it redirects to. */
export const redirectOf = (
  url: string,
  headers: Readonly<Record<string, string>> = {}
): Effect.Effect<string, NoRedirect, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.get(url, { headers }).pipe(
      Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" }),
      Effect.orElseSucceed(() => undefined)
    )
    const location = response?.headers["location"]
    if (response === undefined || response.status < 300 || response.status > 399 || location === undefined) {
      return yield* new NoRedirect({ url, status: response?.status ?? 0 })
    }
    return new URL(location, url).toString()
  })
