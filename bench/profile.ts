/**
 * One case of the peers suite, alone and many times, for `node --cpu-prof`: the
 * profile that names the functions behind a ratio of `docs/benchmarks.md`.
 *
 *   npm run bench:profile -- <case> [iterations] [out.cpuprofile]
 *
 * Cases: `refresh-raw`, `refresh-client`, `refresh-session`, `refresh-openid`,
 * `refresh-openid-verified` (its non-repudiation checks on: the ID token's
 * signature checked, as ours is),
 * `refresh-httpclient` (the refresh request by hand through a plain Effect
 * `HttpClient`: what any client on `@effect/platform` pays),
 * `get-plain`, `get-authorized`, `flow-raw`, `flow-client` (without PAR, as the
 * peers suite's row), `flow-client-par`. The embedded server
 * runs in a process of its own (`bench/server.ts`), and the profile covers
 * only the measured loop (after a warm-up of 50 calls), so it holds the
 * client's work and nothing of starting up. `bench/profileSummary.ts` prints the
 * profile's largest self times, grouped by function and by package.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Callback, TokenSet } from "@effect-oauth/core"
import { AuthorizedHttpClient } from "@effect-oauth/session"
import { Effect, Redacted, Scope } from "effect"
import * as Fs from "node:fs"
import { Session } from "node:inspector/promises"
import { basicOf, endpointsOf, openidHolder, rawCodeFlow, rawHolder, tokenSetOf } from "./holders.js"
import { effectOAuthAt, startServer } from "./peers.js"

const cases = [
  "refresh-raw",
  "refresh-client",
  "refresh-session",
  "refresh-openid",
  "refresh-openid-verified",
  "refresh-httpclient",
  "get-plain",
  "get-authorized",
  "flow-raw",
  "flow-client",
  "flow-client-par"
] as const
type Case = typeof cases[number]

const main = async () => {
  const which = process.argv[2] as Case | undefined
  const iterations = Number(process.argv[3] ?? 2000)
  const out = process.argv[4] ?? `${which}.cpuprofile`
  if (which === undefined || !cases.includes(which)) {
    console.error(`usage: bench/profile.ts <${cases.join("|")}> [iterations]`)
    return 2
  }
  const server = await startServer()
  const scope = Effect.runSync(Scope.make())
  const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope | HttpClient.HttpClient>) =>
    Effect.runPromise(effect.pipe(Scope.extend(scope), Effect.provide(FetchHttpClient.layer)))
  try {
    const endpoints = await endpointsOf(server.issuer)
    let accounts = 0
    const grant = () => rawCodeFlow(server.approve, endpoints, server.web, `profile-${accounts++}`)
    const { oauthClient: client, sessionOf: session } = await effectOAuthAt(server, run, grant)
    // The flows run their user part (login, consent) in the server process; the
    // loop below is what the client does around it.
    const op: () => Promise<unknown> = await (async () => {
      switch (which) {
        case "refresh-raw": {
          const holder = rawHolder(endpoints, server.web, await grant())
          return holder.refresh
        }
        case "refresh-openid":
        case "refresh-openid-verified": {
          const holder = await openidHolder(server.issuer, server.web, await grant(), which === "refresh-openid-verified")
          return holder.refresh
        }
        case "refresh-httpclient": {
          let refreshToken = (await grant()).refresh_token
          const http = await run(HttpClient.HttpClient)
          return async () => {
            const request = HttpClientRequest.post(endpoints.token).pipe(
              HttpClientRequest.setHeader("authorization", basicOf(server.web)),
              HttpClientRequest.bodyUrlParams({ grant_type: "refresh_token", refresh_token: refreshToken })
            )
            const json = await run(Effect.flatMap(http.execute(request), (r) => r.json)) as { readonly refresh_token: string }
            refreshToken = json.refresh_token
          }
        }
        case "refresh-client": {
          let held = tokenSetOf(await grant(), Date.now())
          return async () => {
            held = TokenSet.merge(held, await run(client.refresh(held)))
          }
        }
        case "refresh-session": {
          const mine = await session("profile")
          return () => run(mine.refresh)
        }
        case "get-plain":
        case "get-authorized": {
          const mine = await session("profile")
          const token = Redacted.value(await run(mine.accessToken))
          const http = await run(HttpClient.HttpClient)
          const authorized = AuthorizedHttpClient.make(mine, http)
          const plain = HttpClientRequest.get(server.resourceUrl).pipe(HttpClientRequest.bearerToken(token))
          return which === "get-plain"
            ? () => run(Effect.flatMap(http.execute(plain), (r) => r.json))
            : () => run(Effect.flatMap(authorized.get(server.resourceUrl), (r) => r.json))
        }
        case "flow-raw":
          return () => rawCodeFlow(server.approve, endpoints, server.web, `profile-${accounts++}`)
        case "flow-client":
        case "flow-client-par":
          return async () => {
            const pushed = which === "flow-client-par"
            const request = await run(client.authorizationUrl({ scopes: ["openid", "offline_access"], pushed, params: { prompt: "consent" } }))
            const callback = await server.approve(request.url, `profile-${accounts++}`)
            return run(Effect.flatMap(Callback.parse(callback, request), client.exchangeCode))
          }
      }
    })()
    for (let i = 0; i < Math.min(50, iterations); i++) await op()
    const inspector = new Session()
    inspector.connect()
    await inspector.post("Profiler.enable")
    await inspector.post("Profiler.start")
    const before = process.cpuUsage()
    const start = performance.now()
    for (let i = 0; i < iterations; i++) await op()
    const used = process.cpuUsage(before)
    const wall = performance.now() - start
    const { profile } = await inspector.post("Profiler.stop")
    Fs.writeFileSync(out, JSON.stringify(profile))
    inspector.disconnect()
    console.log(
      `${which}: ${iterations} calls, ${((used.user + used.system) / 1000 / iterations).toFixed(3)} ms CPU and ${(wall / iterations).toFixed(3)} ms wall each; profile in ${out}`
    )
    return 0
  } finally {
    await Effect.runPromise(Scope.close(scope, { _tag: "Success", value: undefined } as never)).catch(() => undefined)
    server.stop()
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error)
  process.exit(1)
})
