/**
 * One application process of the cross-process trials of `bench/peers.ts`: it
 * holds the grant written to the shared file through one client, and at the
 * parent's word treats its access token as expired and serves `callers`
 * concurrent demands. `lock-file` is the physical reference: a process that finds
 * the token expired takes an exclusive lock file, re-reads the shared file, adopts
 * what another process wrote or refreshes and writes it, then lets the lock go.
 */
import * as Fs from "node:fs"
import { googleHolder, openidHolder, rawToken, simpleHolder } from "./holders.js"
import type { Endpoints, Holder, RawTokens } from "./holders.js"
import type { PlainClient } from "./server.js"

/** What the parent sends. */
export type WorkerRequest =
  | {
    readonly op: "load"
    readonly kind: "openid-client" | "google-auth-library" | "simple-oauth2" | "lock-file"
    readonly file: string
    readonly issuer: string
    readonly endpoints: Endpoints
    readonly client: PlainClient
  }
  | { readonly op: "storm"; readonly callers: number }

/** What a worker answers: after `load`, `{ loaded }`; after `storm`, its outcome. */
export type WorkerReply =
  | { readonly loaded: true }
  | { readonly failed: number; readonly millis: number; readonly refreshToken: string | undefined }
  | { readonly error: string }

interface Stored extends RawTokens {
  readonly expires_at: number
}

const read = (file: string): Stored => JSON.parse(Fs.readFileSync(file, "utf8")) as Stored

const write = (file: string, tokens: Stored) => {
  const temporary = `${file}.${process.pid}`
  Fs.writeFileSync(temporary, JSON.stringify(tokens))
  Fs.renameSync(temporary, file)
}

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

/** The lock file plus re-read: one refresh in the cluster, the others adopt it from the file. */
const lockFileHolder = (file: string, endpoints: Endpoints, client: PlainClient): Holder => {
  let tokens = read(file)
  let expired = false
  let inFlight: Promise<void> | undefined
  const lock = `${file}.lock`
  const renew = async () => {
    const stale = tokens.access_token
    for (;;) {
      let fd: number
      try {
        fd = Fs.openSync(lock, "wx")
      } catch {
        await sleep(1)
        const current = read(file)
        if (current.access_token !== stale) {
          tokens = current
          return
        }
        continue
      }
      try {
        const current = read(file)
        if (current.access_token !== stale) {
          tokens = current
          return
        }
        const next = await rawToken(endpoints, client, { grant_type: "refresh_token", refresh_token: current.refresh_token })
        tokens = { ...next, expires_at: Date.now() + next.expires_in * 1000 }
        write(file, tokens)
        return
      } finally {
        Fs.closeSync(fd)
        Fs.rmSync(lock, { force: true })
      }
    }
  }
  return {
    name: "lock file + re-read",
    accessToken: async () => {
      if (!expired && Date.now() < tokens.expires_at - 60_000) return tokens.access_token
      inFlight ??= renew().finally(() => {
        expired = false
        inFlight = undefined
      })
      await inFlight
      return tokens.access_token
    },
    expire: () => void (expired = true),
    refresh: renew,
    refreshToken: () => tokens.refresh_token
  }
}

let holder: Holder | undefined

const reply = (message: WorkerReply) => process.send?.(message)

process.on("message", async (request: WorkerRequest) => {
  try {
    if (request.op === "load") {
      const stored = read(request.file)
      holder = request.kind === "lock-file"
        ? lockFileHolder(request.file, request.endpoints, request.client)
        : request.kind === "openid-client"
        ? await openidHolder(request.issuer, request.client, stored)
        : request.kind === "google-auth-library"
        ? googleHolder(request.endpoints, request.client, stored)
        : simpleHolder(request.endpoints, request.client, stored)
      reply({ loaded: true })
      return
    }
    const current = holder!
    current.expire()
    const start = performance.now()
    const outcomes = await Promise.allSettled(Array.from({ length: request.callers }, () => current.accessToken()))
    reply({
      failed: outcomes.filter((outcome) => outcome.status === "rejected").length,
      millis: performance.now() - start,
      refreshToken: current.refreshToken()
    })
  } catch (error) {
    reply({ error: error instanceof Error ? error.message : String(error) })
  }
})
process.on("disconnect", () => process.exit(0))
