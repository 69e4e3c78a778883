/**
 * effect-oauth beside the clients a user would pick instead — openid-client,
 * google-auth-library, simple-oauth2 — and a raw-fetch reference, against one
 * embedded authorization server (oidc-provider, refresh-token rotation on) that
 * runs in a process of its own (`bench/server.ts`) and counts token requests.
 *
 * Every figure is a ratio to a physical reference measured in the same round;
 * rounds interleave the cases (the order rotates each round) and the table shows
 * the median with the min–max over rounds.
 */
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { Callback, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { AuthorizedHttpClient, OAuthSession, SessionPromise, TokenStore } from "@effect-oauth/session"
import { MovableClock } from "@effect-oauth/testing"
import { fork } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type { ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect, Exit, Logger, LogLevel, Redacted, Ref, Runtime, Scope } from "effect"
import type { Clock } from "effect"
import { OAuth2Client } from "google-auth-library"
import * as openid from "openid-client"
import { AuthorizationCode } from "simple-oauth2"
import { basicOf, endpointsOf, googleHolder, openidHolder, rawCodeFlow, rawHolder, rawToken, simpleHolder, tokenSetOf } from "./holders.js"
import type { Holder, RawTokens } from "./holders.js"
import type { WorkerReply, WorkerRequest } from "./peerWorker.js"
import type { PlainClient, ServerMessage, ServerRequest } from "./server.js"
import type { Row, Suite } from "./suite.js"

export interface PeersOptions {
  /** Calls per case per round on the hot path. */
  readonly hotIterations?: number | undefined
  /** Requests per case per round for the authorized GET and the refresh. */
  readonly requests?: number | undefined
  readonly rounds?: number | undefined
  /** Concurrent callers of each storm. */
  readonly storms?: ReadonlyArray<number> | undefined
  /** Expiries per storm. */
  readonly expiries?: number | undefined
  /** Live sessions held for the heap figure: one size, or several measured in turn. */
  readonly liveSessions?: number | ReadonlyArray<number> | undefined
  /** Process counts of the cross-process trials. */
  readonly processes?: ReadonlyArray<number> | undefined
  /** Trials per process count and client: a fresh grant each, one expiry. */
  readonly trials?: number | undefined
  /** Concurrent callers per process in a cross-process trial. */
  readonly callersPerProcess?: number | undefined
}

// ---------------------------------------------------------------------------
// the server process

export interface Server {
  readonly issuer: string
  readonly resourceUrl: string
  readonly web: PlainClient
  readonly post: PlainClient
  readonly approve: (url: string, accountId: string) => Promise<string>
  readonly counts: () => Promise<{ readonly refresh: number; readonly invalidGrant: number }>
  readonly stop: () => void
}

export const startServer = (): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = fork(fileURLToPath(new URL("./server.ts", import.meta.url)), [], {
      execArgv: ["--import", "tsx", "--conditions=source", "--no-warnings"],
      stdio: ["ignore", "ignore", "ignore", "ipc"]
    })
    let next = 0
    const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
    const call = (request: { readonly op: "approve"; readonly url: string; readonly accountId: string } | { readonly op: "counts" }) =>
      new Promise<unknown>((res, rej) => {
        const id = next++
        pending.set(id, { resolve: res, reject: rej })
        const message: ServerRequest = { ...request, id }
        child.send(message)
      })
    child.on("error", reject)
    child.on("exit", (code) => reject(new Error(`server process exited (${code})`)))
    child.on("message", (message: ServerMessage) => {
      if ("ready" in message) {
        resolve({
          issuer: message.issuer,
          resourceUrl: message.resourceUrl,
          web: message.web,
          post: message.post,
          approve: (url, accountId) => call({ op: "approve", url, accountId }) as Promise<string>,
          counts: async () => {
            const counts = await call({ op: "counts" }) as {
              readonly byGrantType: Record<string, number>
              readonly invalidGrant: number
            }
            return { refresh: counts.byGrantType["refresh_token"] ?? 0, invalidGrant: counts.invalidGrant }
          },
          stop: () => child.disconnect()
        })
        return
      }
      const waiting = pending.get(message.id)
      pending.delete(message.id)
      if (message.error !== undefined) waiting?.reject(new Error(message.error))
      else waiting?.resolve(message.result)
    })
  })

/**
 * effect-oauth against `server`: its client (the `client_secret_basic` one), and a
 * lazy session over a memory store holding a fresh grant, on `clock` when given.
 */
export const effectOAuthAt = async (
  server: Server,
  run: <A, E>(effect: Effect.Effect<A, E, Scope.Scope | HttpClient.HttpClient>) => Promise<A>,
  grant: () => Promise<RawTokens>
) => {
  const provider = await run(Provider.discover(server.issuer))
  const oauthClient = await run(OAuthClient.make({
    provider,
    client: { clientId: server.web.clientId, clientSecret: Redacted.make(server.web.clientSecret), redirectUri: server.web.redirectUri }
  }))
  const sessionOf = async (key: string, clock?: Clock.Clock) => {
    const store = await run(TokenStore.makeMemory)
    await run(store.compareAndSet(key, undefined, tokenSetOf(await grant(), Date.now())))
    const make = OAuthSession.make({ key, refresh: "lazy" }).pipe(
      Effect.provideService(OAuthClient.OAuthClient, oauthClient),
      Effect.provideService(TokenStore.TokenStore, store),
      // The storms move their clock hours past the server's: the refreshed ID
      // token's warning ("exp is in the past") would print at each expiry.
      Logger.withMinimumLogLevel(LogLevel.Error)
    )
    return run(clock === undefined ? make : Effect.withClock(make, clock))
  }
  return { oauthClient, sessionOf }
}

// ---------------------------------------------------------------------------
// measuring

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const ratio = (values: ReadonlyArray<number>) =>
  `${median(values).toFixed(2)}× (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`

/**
 * Runs every case once per round, in an order that rotates each round, and
 * returns each case's measurements over the rounds.
 */
const interleave = async <K extends string>(
  rounds: number,
  cases: Readonly<Record<K, () => Promise<number>>>
): Promise<Record<K, Array<number>>> => {
  const names = Object.keys(cases) as Array<K>
  const out = Object.fromEntries(names.map((name) => [name, [] as Array<number>])) as Record<K, Array<number>>
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!
      out[name].push(await cases[name]())
    }
  }
  return out
}

/** Wall time (ms) of `iterations` sequential awaits of `op`. */
const timeAwaits = (op: () => Promise<unknown>, iterations: number) => async () => {
  const start = performance.now()
  for (let i = 0; i < iterations; i++) await op()
  return performance.now() - start
}

/** Wall time (ms) of `iterations` runs of `op` in one fiber. */
const timeEffect = <A, E>(op: Effect.Effect<A, E>, iterations: number) => () =>
  Effect.runPromise(Effect.gen(function*() {
    const start = performance.now()
    for (let i = 0; i < iterations; i++) yield* op
    return performance.now() - start
  }).pipe(Effect.orDie))

/** Client CPU (user + system, ms) of `iterations` sequential calls; the server is another process. */
const cpuOf = (op: () => Promise<unknown>, iterations: number) => async () => {
  const before = process.cpuUsage()
  for (let i = 0; i < iterations; i++) await op()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

const perRound = <K extends string>(
  results: Record<K, Array<number>>,
  of: K,
  reference: K
) => results[of].map((value, round) => value / results[reference][round]!)

/** A full collection: `global.gc` when Node runs with `--expose-gc`, else enabled on the fly. */
const collector = async (): Promise<() => void> => {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed !== undefined) return exposed
  const { setFlagsFromString } = await import("node:v8")
  const { runInNewContext } = await import("node:vm")
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
}

const heapAfterGc = async () => {
  const gc = await collector()
  gc()
  gc()
  await new Promise((resolve) => setTimeout(resolve, 10))
  gc()
  return process.memoryUsage().heapUsed
}


// ---------------------------------------------------------------------------
// application processes

/** An application process (`bench/peerWorker.ts`), asked one request at a time. */
export interface Worker {
  readonly ask: (request: WorkerRequest) => Promise<WorkerReply>
  readonly stop: () => void
}

export const startWorker = (): Worker => {
  const child = fork(fileURLToPath(new URL("./peerWorker.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx", "--conditions=source", "--no-warnings"],
    stdio: ["ignore", "ignore", "inherit", "ipc"]
  })
  let waiting: ((reply: WorkerReply) => void) | undefined
  child.on("message", (reply: WorkerReply) => {
    const resume = waiting
    waiting = undefined
    resume?.(reply)
  })
  return {
    ask: (request) =>
      new Promise((resolve) => {
        waiting = resolve
        child.send(request)
      }),
    stop: () => child.disconnect()
  }
}

// ---------------------------------------------------------------------------
// the suite

export const peers = (options: PeersOptions = {}): Suite => ({
  name: "peers",
  description: "effect-oauth beside openid-client, google-auth-library, simple-oauth2 and raw fetch, one embedded server",
  run: async () => {
    const hotIterations = options.hotIterations ?? 200_000
    const requests = options.requests ?? 50
    const rounds = options.rounds ?? 5
    const storms = options.storms ?? [1_000, 10_000]
    const expiries = options.expiries ?? 3
    const liveSessions = options.liveSessions ?? [10_000, 100_000]
    const processCounts = options.processes ?? [2, 4]
    const trials = options.trials ?? 20
    const callersPerProcess = options.callersPerProcess ?? 250
    const server = await startServer()
    const rows: Array<Row> = []
    const row = (work: string, metric: string, value: string, note?: string) =>
      rows.push({ suite: "peers", case: work, metric, value, ...(note === undefined ? {} : { note }) })
    const scope = Effect.runSync(Scope.make())
    const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope | HttpClient.HttpClient>) =>
      Effect.runPromise(effect.pipe(Scope.extend(scope), Effect.provide(FetchHttpClient.layer)))
    try {
      const endpoints = await endpointsOf(server.issuer)
      let accounts = 0
      const grant = (client: PlainClient = server.web) => rawCodeFlow(server.approve, endpoints, client, `peer-${accounts++}`)

      // effect-oauth: a session over a memory store, on a clock the storms move.
      const { oauthClient, sessionOf } = await effectOAuthAt(server, run, () => grant())
      const ours = async (key: string) => {
        const time = MovableClock.make()
        const session = await sessionOf(key, time.clock)
        const face = await run(SessionPromise.fromSession(session).pipe(Effect.withClock(time.clock)))
        return { session, face, time }
      }

      // --- hot path: a valid token, from Promise code and from Effect code
      {
        const cached = "a-cached-token"
        const baseline = async () => cached
        const mine = await ours("hot")
        const openidH = await openidHolder(server.issuer, server.web, await grant())
        const googleH = googleHolder(endpoints, server.post, await grant(server.post))
        const simpleH = simpleHolder(endpoints, server.web, await grant())
        const ref = Effect.runSync(Ref.make(cached))
        const results = await interleave(rounds, {
          baseline: timeAwaits(baseline, hotIterations),
          promise: timeAwaits(mine.face.accessToken, hotIterations),
          runPromise: timeAwaits(() => Effect.runPromise(mine.session.accessToken), hotIterations),
          openid: timeAwaits(openidH.accessToken, hotIterations),
          google: timeAwaits(googleH.accessToken, hotIterations),
          simple: timeAwaits(simpleH.accessToken, hotIterations),
          refGet: timeEffect(Ref.get(ref), hotIterations),
          effect: timeEffect(mine.session.accessToken, hotIterations)
        })
        const note = `${hotIterations.toLocaleString("en-US")} calls a round`
        row("hot path, Promise: SessionPromise.accessToken()", "× async () => cached", ratio(perRound(results, "promise", "baseline")), `goal ≤ 3×; ${note}`)
        row("hot path, Promise: Effect.runPromise(session.accessToken)", "× async () => cached", ratio(perRound(results, "runPromise", "baseline")), "what SessionPromise avoids")
        row("hot path, Promise: openid-client check-then-return", "× async () => cached", ratio(perRound(results, "openid", "baseline")))
        row("hot path, Promise: google-auth-library getAccessToken()", "× async () => cached", ratio(perRound(results, "google", "baseline")))
        row("hot path, Promise: simple-oauth2 expired() then token", "× async () => cached", ratio(perRound(results, "simple", "baseline")))
        row("hot path, Effect: OAuthSession.accessToken", "× Ref.get", ratio(perRound(results, "effect", "refGet")), "goal ≤ 1.3×")
      }

      // --- TokenSet construction
      {
        const n = 100_000
        const at = Redacted.make("at")
        const results = await interleave(rounds, {
          strings: async () => {
            const start = performance.now()
            for (let i = 0; i < n; i++) TokenSet.make({ accessToken: "at", refreshToken: "rt", issuedAt: i, expiresAt: i + 1, scopes: [] })
            return ((performance.now() - start) * 1000) / n
          },
          redacted: async () => {
            const start = performance.now()
            for (let i = 0; i < n; i++) TokenSet.make({ accessToken: at, issuedAt: i, expiresAt: i + 1 })
            return ((performance.now() - start) * 1000) / n
          }
        })
        const us = (values: ReadonlyArray<number>) =>
          `${median(values).toFixed(2)} µs (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`
        row("TokenSet.make from strings", "per token set", us(results.strings), "goal ≤ 1 µs; two Redacted.make are most of it")
        row("TokenSet.make from Redacted values", "per token set", us(results.redacted))
      }

      // --- one authorized GET
      {
        const mine = await ours("get")
        const http = await run(HttpClient.HttpClient)
        const authorized = AuthorizedHttpClient.make(mine.session, http)
        const token = await mine.face.accessToken()
        const plain = HttpClientRequest.get(server.resourceUrl).pipe(HttpClientRequest.bearerToken(token))
        // A GET costs about a millisecond: four times the refreshes' count keeps a round's noise down.
        const gets = requests * 4
        const results = await interleave(rounds, {
          plain: timeAwaits(() => Effect.runPromise(Effect.scoped(Effect.flatMap(http.execute(plain), (r) => r.json))), gets),
          authorized: timeAwaits(
            () => Effect.runPromise(Effect.scoped(Effect.flatMap(authorized.get(server.resourceUrl), (r) => r.json))),
            gets
          ),
          fetch: timeAwaits(() => fetch(server.resourceUrl, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json()), gets),
          face: timeAwaits(() => mine.face.fetch(server.resourceUrl).then((r) => r.json()), gets)
        })
        row("one GET: AuthorizedHttpClient", "× plain HttpClient", ratio(perRound(results, "authorized", "plain")), `goal ≤ 1.1×; ${gets} GETs a round, wall time`)
        row("one GET: SessionPromise.fetch", "× fetch with the header", ratio(perRound(results, "face", "fetch")))
      }

      // --- refresh: client CPU of sequential refreshes (rotation on), the server in its own process
      {
        // A fresh grant for each case and round, taken before its CPU is counted: the
        // server's development store is an LRU of 1000 entries, which thousands of
        // interleaved refreshes would otherwise evict live grants from.
        let round = 0
        const fresh = <H>(make: () => Promise<H>, refresh: (holder: H) => Promise<unknown>) => async () => {
          const holder = await make()
          return cpuOf(() => refresh(holder), requests)()
        }
        const results = await interleave(rounds, {
          raw: fresh(async () => rawHolder(endpoints, server.web, await grant()), (h) => h.refresh()),
          client: fresh(async () => ({ held: tokenSetOf(await grant(), Date.now()) }), async (h) => {
            h.held = TokenSet.merge(h.held, await run(oauthClient.refresh(h.held)))
          }),
          session: fresh(() => ours(`refresh-${round++}`), (h) => run(h.session.refresh)),
          // The same request by hand through a plain Effect HttpClient: what any
          // client on @effect/platform pays before doing anything of its own.
          httpClient: fresh(async () => ({ refreshToken: (await grant()).refresh_token }), async (h) => {
            const request = HttpClientRequest.post(endpoints.token).pipe(
              HttpClientRequest.setHeader("authorization", basicOf(server.web)),
              HttpClientRequest.bodyUrlParams({ grant_type: "refresh_token", refresh_token: h.refreshToken })
            )
            const json = await run(Effect.flatMap(HttpClient.execute(request), (r) => r.json)) as { readonly refresh_token: string }
            h.refreshToken = json.refresh_token
          }),
          openid: fresh(async () => openidHolder(server.issuer, server.web, await grant()), (h) => h.refresh()),
          openidVerified: fresh(async () => openidHolder(server.issuer, server.web, await grant(), true), (h) => h.refresh()),
          google: fresh(async () => googleHolder(endpoints, server.post, await grant(server.post)), (h) => h.refresh()),
          simple: fresh(async () => simpleHolder(endpoints, server.web, await grant()), (h) => h.refresh())
        })
        const note = `${requests} refreshes a round, CPU of the client process`
        row("refresh: OAuthSession.refresh (store write, lease)", "client CPU × raw fetch", ratio(perRound(results, "session", "raw")), `goal ≤ 1.3×; ${note}`)
        row("refresh: OAuthClient.refresh", "client CPU × raw fetch", ratio(perRound(results, "client", "raw")))
        row("refresh: the request by hand through a plain Effect HttpClient", "client CPU × raw fetch", ratio(perRound(results, "httpClient", "raw")), "the floor of any client on @effect/platform")
        row("refresh: OAuthClient.refresh", "client CPU × plain HttpClient", ratio(perRound(results, "client", "httpClient")), "what the client adds to the platform")
        row("refresh: openid-client refreshTokenGrant", "client CPU × raw fetch", ratio(perRound(results, "openid", "raw")), "the ID token's signature not checked (its default)")
        row("refresh: openid-client refreshTokenGrant, non-repudiation checks on", "client CPU × raw fetch", ratio(perRound(results, "openidVerified", "raw")), "the ID token's signature checked, as effect-oauth does")
        row("refresh: google-auth-library refreshToken (rotation kept by hand)", "client CPU × raw fetch", ratio(perRound(results, "google", "raw")))
        row("refresh: simple-oauth2 token.refresh", "client CPU × raw fetch", ratio(perRound(results, "simple", "raw")))
        row("refresh: raw fetch", "client CPU per refresh", `${(median(results.raw) / requests).toFixed(2)} ms`)
      }

      // --- the whole code + PKCE flow, client part: the user's steps run in the server process
      {
        const flows = Math.max(2, Math.round(requests / 2))
        const scopes = ["openid", "offline_access"]
        const ourFlow = (pushed: boolean) => async () => {
          const request = await run(oauthClient.authorizationUrl({ scopes, pushed, params: { prompt: "consent" } }))
          const callback = await server.approve(request.url, `flow-${accounts++}`)
          await run(Effect.flatMap(Callback.parse(callback, request), oauthClient.exchangeCode))
        }
        const config = await openid.discovery(
          new URL(server.issuer),
          server.web.clientId,
          undefined,
          openid.ClientSecretBasic(server.web.clientSecret),
          { execute: [openid.allowInsecureRequests] }
        )
        const verifiedConfig = await openid.discovery(
          new URL(server.issuer),
          server.web.clientId,
          undefined,
          openid.ClientSecretBasic(server.web.clientSecret),
          { execute: [openid.allowInsecureRequests, openid.enableNonRepudiationChecks] }
        )
        const openidFlow = (config: openid.Configuration) => async () => {
          const verifier = openid.randomPKCECodeVerifier()
          const state = openid.randomState()
          const nonce = openid.randomNonce()
          const url = openid.buildAuthorizationUrl(config, {
            redirect_uri: server.web.redirectUri,
            scope: scopes.join(" "),
            code_challenge: await openid.calculatePKCECodeChallenge(verifier),
            code_challenge_method: "S256",
            state,
            nonce,
            prompt: "consent"
          })
          const callback = await server.approve(url.toString(), `flow-${accounts++}`)
          await openid.authorizationCodeGrant(config, new URL(callback), {
            pkceCodeVerifier: verifier,
            expectedState: state,
            expectedNonce: nonce
          })
        }
        const parTrip = (pushed: boolean) => async () => {
          const start = performance.now()
          for (let i = 0; i < flows; i++) await run(oauthClient.authorizationUrl({ scopes, pushed }))
          return (performance.now() - start) / flows
        }
        const results = await interleave(rounds, {
          raw: cpuOf(() => grant(), flows),
          ours: cpuOf(ourFlow(false), flows),
          oursPar: cpuOf(ourFlow(true), flows),
          openid: cpuOf(openidFlow(config), flows),
          openidVerified: cpuOf(openidFlow(verifiedConfig), flows),
          url: parTrip(false),
          par: parTrip(true)
        })
        const note = `${flows} flows a round: authorization URL, callback, code exchange; CPU of the client process`
        row("code + PKCE flow: OAuthClient, without PAR", "client CPU × raw fetch", ratio(perRound(results, "ours", "raw")), `goal ≤ 1.5×; ${note}`)
        row("code + PKCE flow: OAuthClient, with PAR", "client CPU × raw fetch", ratio(perRound(results, "oursPar", "raw")))
        row("code + PKCE flow: openid-client", "client CPU × raw fetch", ratio(perRound(results, "openid", "raw")), "the ID token's signature not checked (its default)")
        row("code + PKCE flow: openid-client, non-repudiation checks on", "client CPU × raw fetch", ratio(perRound(results, "openidVerified", "raw")), "the ID token's signature checked, as effect-oauth does")
        row(
          "code + PKCE flow: PAR round trip (RFC 9126)",
          "ms per authorization URL, with / without",
          `${median(results.par).toFixed(2)} / ${median(results.url).toFixed(2)}`,
          "wall time; the push is one authenticated POST to the server"
        )
      }

      // --- storms: concurrent callers at expiry, token requests counted by the server
      for (const callers of storms) {
        const label = `${callers.toLocaleString("en-US")} callers × ${expiries} expiries`
        const holders: Array<{ readonly holder: Holder; readonly beforeExpiry: () => void }> = []
        const mine = await ours(`storm-${callers}`)
        holders.push({
          holder: {
            name: "effect-oauth SessionPromise",
            accessToken: mine.face.accessToken,
            expire: () => {
              const tokens = Runtime.runSync(Runtime.defaultRuntime)(mine.session.snapshot).context.tokens
              mine.time.moveTo(tokens?.expiresAt ?? 0)
            },
            refresh: () => run(mine.session.refresh),
            refreshToken: () => undefined
          },
          beforeExpiry: () => {}
        })
        holders.push({ holder: await openidHolder(server.issuer, server.web, await grant()), beforeExpiry: () => {} })
        holders.push({ holder: googleHolder(endpoints, server.post, await grant(server.post)), beforeExpiry: () => {} })
        holders.push({ holder: simpleHolder(endpoints, server.web, await grant()), beforeExpiry: () => {} })
        for (const { holder } of holders) {
          let requestsPerExpiry: Array<number> = []
          let failed = 0
          let invalid = 0
          for (let expiry = 0; expiry < expiries; expiry++) {
            holder.expire()
            const before = await server.counts()
            const outcomes = await Promise.allSettled(Array.from({ length: callers }, () => holder.accessToken()))
            const after = await server.counts()
            requestsPerExpiry.push(after.refresh - before.refresh)
            invalid += after.invalidGrant - before.invalidGrant
            failed += outcomes.filter((outcome) => outcome.status === "rejected").length
          }
          const alive = await holder.accessToken().then(() => "alive", () => "lost")
          row(
            `storm ${label}: ${holder.name}`,
            "token requests per expiry / failed callers / grant",
            `${requestsPerExpiry.join(", ")} / ${failed.toLocaleString("en-US")} / ${alive}`,
            `${invalid} invalid_grant`
          )
          requestsPerExpiry = []
        }
      }

      // --- many processes, one grant: each trial a fresh grant in a shared file, one expiry
      if (trials > 0 && processCounts.length > 0) {
        const directory = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-oauth-peers-"))
        const workers = Array.from({ length: Math.max(...processCounts) }, startWorker)
        try {
          const kinds = ["lock-file", "openid-client", "google-auth-library", "simple-oauth2"] as const
          for (const count of processCounts) {
            for (const kind of kinds) {
              const client = kind === "google-auth-library" ? server.post : server.web
              const file = Path.join(directory, `${kind}-${count}.json`)
              let survived = 0
              let failed = 0
              let requests = 0
              let invalid = 0
              const latencies: Array<number> = []
              for (let trial = 0; trial < trials; trial++) {
                const raw = await grant(client)
                Fs.writeFileSync(file, JSON.stringify({ ...raw, expires_at: Date.now() + raw.expires_in * 1000 }))
                const group = workers.slice(0, count)
                await Promise.all(group.map((worker) => worker.ask({ op: "load", kind, file, issuer: server.issuer, endpoints, client })))
                const before = await server.counts()
                const replies = await Promise.all(group.map((worker) => worker.ask({ op: "storm", callers: callersPerProcess })))
                const after = await server.counts()
                requests += after.refresh - before.refresh
                invalid += after.invalidGrant - before.invalidGrant
                const outcomes = replies.flatMap((reply) => "failed" in reply ? [reply] : [])
                failed += outcomes.reduce((sum, reply) => sum + reply.failed, 0) + (count - outcomes.length) * callersPerProcess
                latencies.push(Math.max(...outcomes.map((reply) => reply.millis)))
                // The grant survived when a refresh token some process holds still works.
                const held = new Set(outcomes.flatMap((reply) => reply.refreshToken === undefined ? [] : [reply.refreshToken]))
                let alive = false
                for (const refreshToken of held) {
                  if (alive) break
                  alive = await rawToken(endpoints, client, { grant_type: "refresh_token", refresh_token: refreshToken }).then(() => true, () => false)
                }
                if (alive && outcomes.every((reply) => reply.failed === 0)) survived++
              }
              const name = kind === "lock-file" ? "lock file + re-read (reference)" : kind
              row(
                `${count} processes × ${callersPerProcess} callers, ${trials} trials: ${name}`,
                "sessions survived / token requests per expiry / failed callers",
                `${survived}/${trials} / ${(requests / trials).toFixed(1)} / ${failed.toLocaleString("en-US")}`,
                `${invalid} invalid_grant; all served in ${median(latencies).toFixed(0)} ms median`
              )
            }
          }
        } finally {
          for (const worker of workers) worker.stop()
          Fs.rmSync(directory, { recursive: true, force: true })
        }
      }

      // --- heap per live session: authorized, timer armed, beside the peers' holders of a token
      for (const n of typeof liveSessions === "number" ? [liveSessions] : liveSessions) {
        if (n <= 0) continue
        const raw = await grant()
        const store = await run(TokenStore.makeMemory)
        const tokens = tokenSetOf(raw, Date.now())
        for (let i = 0; i < n; i++) await run(store.compareAndSet(`live-${i}`, undefined, tokens))
        const sessionScope = Effect.runSync(Scope.make())
        const measure = async (build: () => Promise<unknown> | unknown) => {
          const held: Array<unknown> = []
          const before = await heapAfterGc()
          for (let i = 0; i < n; i++) held.push(await build())
          const after = await heapAfterGc()
          const kb = (after - before) / n / 1024
          held.length = 0
          return kb
        }
        let index = 0
        const sessionKb = await measure(() =>
          Effect.runPromise(
            OAuthSession.make({ key: `live-${index++}`, refresh: "lazy" }).pipe(
              Effect.provideService(OAuthClient.OAuthClient, oauthClient),
              Effect.provideService(TokenStore.TokenStore, store),
              Scope.extend(sessionScope)
            )
          )
        )
        await Effect.runPromise(Scope.close(sessionScope, Exit.void))
        const googleKb = await measure(() => {
          const client = new OAuth2Client({ clientId: server.post.clientId, clientSecret: server.post.clientSecret })
          client.setCredentials({ access_token: `${raw.access_token}${index++}`, refresh_token: raw.refresh_token, expiry_date: Date.now() + 3_600_000 })
          return client
        })
        const simpleClient = new AuthorizationCode({
          client: { id: server.web.clientId, secret: server.web.clientSecret },
          auth: { tokenHost: server.issuer }
        })
        const simpleKb = await measure(() => simpleClient.createToken({ ...raw, access_token: `${raw.access_token}${index++}` }))
        const tokenKb = await measure(() => ({ ...raw, access_token: `${raw.access_token}${index++}` }))
        const label = `heap per live session (${n.toLocaleString("en-US")} held)`
        row(`${label}: effect-oauth OAuthSession`, "KB", sessionKb.toFixed(2), "goal ≤ 4 KB; authorized, expiry timer armed")
        row(`${label}: google-auth-library OAuth2Client`, "KB", googleKb.toFixed(2))
        row(`${label}: simple-oauth2 AccessToken`, "KB", simpleKb.toFixed(2), "one shared client")
        row(`${label}: a token object (reference)`, "KB", tokenKb.toFixed(2), "openid-client holds this (its response object)")
      }
      return rows
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      server.stop()
    }
  }
})
