/**
 * Messages between a cluster test (or the bench) and its worker processes. Each
 * worker runs one `OAuthSession` on a shared store, with a clock offset the
 * parent moves so that tokens expire by the client's clock without waiting.
 */

/** Where the shared grant lives; every worker opens the same one. */
export type StoreSpec =
  | { readonly kind: "file"; readonly directory: string }
  | { readonly kind: "sqlite"; readonly filename: string }
  | { readonly kind: "pg"; readonly url: string; readonly tablePrefix: string }

export interface Init {
  readonly type: "init"
  readonly store: StoreSpec
  readonly key: string
  readonly issuer: string
  readonly client: {
    readonly clientId: string
    readonly clientSecret: string
    readonly authMethod: "client_secret_basic" | "client_secret_post" | "none"
    readonly redirectUri: string
    readonly scopes: ReadonlyArray<string>
  }
  readonly leaseTtlMillis: number
  /** Record each storm's phases (see {@link Mark}) and send them with its result. */
  readonly trace?: boolean | undefined
}

export type Command =
  | Init
  /** Moves the worker's clock forward. */
  | { readonly type: "advance"; readonly byMillis: number }
  /**
   * `callers` concurrent `accessToken` calls. With `stall`, the worker's token
   * requests are held (and `stalled` reported) until `release`.
   */
  | { readonly type: "storm"; readonly callers: number; readonly stall?: boolean | undefined }
  | { readonly type: "release" }
  | { readonly type: "exit" }

export interface StormResult {
  readonly type: "stormed"
  readonly ok: number
  /** `_tag`s of the failures. */
  readonly failures: ReadonlyArray<string>
  /** Tokens returned that were expired by the worker's clock when returned. */
  readonly expired: number
  /** SHA-256 prefixes of the distinct access tokens returned. */
  readonly fingerprints: ReadonlyArray<string>
  readonly state: string
  /** The storm's phases, when the worker was started with `trace`. */
  readonly trace?: ReadonlyArray<Mark> | undefined
  /** With `trace`: the process's CPU time (user and system) from the storm's start to the last caller served. */
  readonly cpuMillis?: number | undefined
}

/**
 * A moment of a traced storm in a worker: `at` in epoch milliseconds with
 * sub-millisecond precision (`performance.timeOrigin + performance.now()`), so
 * that the parent lines up the processes' marks on one axis.
 */
export interface Mark {
  readonly at: number
  readonly what: string
}

/** Now, as a {@link Mark} time. */
export const markTime = (): number => performance.timeOrigin + performance.now()

export type Reply =
  | { readonly type: "ready" }
  | { readonly type: "advanced" }
  | { readonly type: "stalled" }
  | { readonly type: "released" }
  | StormResult
  | { readonly type: "failed"; readonly message: string }

/** A fingerprint of a token, so that tokens are compared without being sent. */
export const fingerprint = async (token: string): Promise<string> => {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))
  return Array.from(new Uint8Array(digest).slice(0, 8), (byte) => byte.toString(16).padStart(2, "0")).join("")
}
