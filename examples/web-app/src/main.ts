/**
 * Starts the app and its authorization server, signs a user in and out the way a
 * browser would (printing each step), and exits; with `--serve`, keeps the app
 * running for a real browser (Ctrl-C stops it).
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { start } from "./app.js"

const serve = Effect.gen(function*() {
  const running = yield* start({ port: 3000, accessTokenTtl: 30, endSession: true })
  yield* Console.log(`open ${running.url}/ (sign in as anyone, any password; access tokens last 30 s); Ctrl-C stops`)
  return yield* Effect.never
})

/** One sign-in and sign-out with a cookie jar, redirects followed by hand. */
const walkThrough = Effect.gen(function*() {
  const running = yield* start()
  const jar = new Map<string, string>()
  const open = (path: string, init: RequestInit = {}) =>
    Effect.promise(async () => {
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ")
      const response = await fetch(new URL(path, running.url), { ...init, redirect: "manual", headers: { cookie, origin: running.url } })
      for (const line of response.headers.getSetCookie()) {
        const [name, value] = line.split(";")[0]!.split("=") as [string, string]
        if (value === "") jar.delete(name)
        else jar.set(name, value)
      }
      const body = await response.text()
      const shown = /<h1[^>]*>(.*?)<\/h1>/.exec(body)?.[1]?.replace(/<[^>]+>/g, "") ?? ""
      console.log(`${init.method ?? "GET"} ${path.split("?")[0]} → ${response.status} ${shown}`.trimEnd())
      return response
    })
  yield* open("/")
  const login = yield* open("/auth/login?returnTo=/profile")
  const callback = new URL(yield* running.server.approve(login.headers.get("location")!, { accountId: "alice" }))
  yield* Console.log("(alice signs in and consents at the authorization server)")
  yield* open(`${callback.pathname}${callback.search}`)
  yield* open("/profile")
  yield* open("/auth/logout", { method: "POST" })
  yield* open("/")
})

NodeRuntime.runMain(
  (process.argv.includes("--serve") ? serve : walkThrough).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
)
