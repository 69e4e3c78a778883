/**
 * The browser's part of a redirect flow, played by a program: open a URL and
 * read where the server sends the user next (the `Location` of a 3xx), without
 * following it.
 */
import { Cookies, FetchHttpClient, HttpClient } from "@effect/platform"
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

/** One request of a {@link Browser} visit. */
export interface Hop {
  readonly url: string
  readonly status: number
  /** Where a 3xx sent the browser next. */
  readonly location: string | undefined
}

/** Where a visit ended: the last page, and every hop on the way. */
export interface Page {
  readonly url: string
  readonly status: number
  readonly body: string
  readonly hops: ReadonlyArray<Hop>
}

/** A request of the browser failed below HTTP (connection refused, …). */
export class BrowserError extends Data.TaggedError("BrowserError")<{ readonly url: string; readonly detail: string }> {
  override get message(): string {
    const url = new URL(this.url)
    return `could not load ${url.origin}${url.pathname}: ${this.detail}`
  }
}

/** A browser reduced to what redirect flows need: GETs, redirects, cookies. */
export interface Browser {
  /**
   * Opens `url` and follows redirects (at most 10; none with `follow: false`),
   * sending and keeping cookies per origin.
   */
  readonly open: (
    url: string,
    options?: { readonly follow?: boolean | undefined } | undefined
  ) => Effect.Effect<Page, BrowserError, HttpClient.HttpClient>
  /** The cookies the browser holds for `url`'s origin. */
  readonly cookies: (url: string) => Readonly<Record<string, string>>
  /** Puts a cookie in the jar for `url`'s origin (as a script or an attacker could). */
  readonly setCookie: (url: string, name: string, value: string) => void
}

/** A new browser with an empty cookie jar. */
export const browser = (): Browser => {
  // origin → cookie name → value (attributes other than the name are not needed here).
  const jar = new Map<string, Map<string, string>>()
  const load = (url: string) =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const origin = new URL(url).origin
      const cookies = [...(jar.get(origin) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`).join("; ")
      const response = yield* client.get(url, { headers: cookies === "" ? {} : { cookie: cookies } }).pipe(
        Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" }),
        Effect.mapError((error) => new BrowserError({ url, detail: error.reason }))
      )
      const received = Cookies.toRecord(response.cookies)
      if (Object.keys(received).length > 0) {
        jar.set(origin, new Map([...(jar.get(origin) ?? new Map<string, string>()), ...Object.entries(received)]))
      }
      const body = yield* response.text.pipe(Effect.mapError((error) => new BrowserError({ url, detail: error.reason })))
      const location = response.headers["location"]
      return {
        status: response.status,
        body,
        location: response.status >= 300 && response.status < 400 && location !== undefined
          ? new URL(location, url).toString()
          : undefined
      }
    })
  return {
    cookies: (url) => Object.fromEntries(jar.get(new URL(url).origin) ?? []),
    setCookie: (url, name, value) => {
      const origin = new URL(url).origin
      jar.set(origin, new Map([...(jar.get(origin) ?? new Map<string, string>()), [name, value]]))
    },
    open: (start, options) =>
      Effect.gen(function*() {
        const hops: Array<Hop> = []
        let url = start
        while (true) {
          const { body, location, status } = yield* load(url)
          hops.push({ url, status, location })
          if (location === undefined || options?.follow === false || hops.length > 10) return { url, status, body, hops }
          url = location
        }
      })
  }
}
