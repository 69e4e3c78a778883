import type { TokenSet } from "@effect-oauth/core"
import { Duration } from "effect"
import type * as SessionMachine from "../SessionMachine.js"

/** The machine's options with every default applied. @internal */
export interface Config {
  readonly key: string
  readonly eager: boolean
  readonly margin: TokenSet.RefreshMargin
  readonly maxAttempts: number
  readonly initialDelayMillis: number
  readonly maxDelayMillis: number
  readonly leaseTtlMillis: number
  readonly authorizationTimeoutMillis: number
  readonly refreshTokenWarningMillis: number
}

const millis = (input: Duration.DurationInput | undefined, fallback: number) =>
  input === undefined ? fallback : Duration.toMillis(input)

const isMargin = (input: TokenSet.RefreshMargin | Duration.DurationInput): input is TokenSet.RefreshMargin =>
  typeof input === "object" && input !== null && !Array.isArray(input) && !Duration.isDuration(input)

// The default refresh margin, one object for every session that keeps it.
const defaultMargin: TokenSet.RefreshMargin = {}

/** @internal */
export const resolve = (options: SessionMachine.Options): Config => {
  const window = options.refreshWindow
  return {
    key: options.key,
    eager: options.refresh === "eager",
    margin: window === undefined ? defaultMargin : isMargin(window) ? window : { fraction: 0.5, max: window },
    maxAttempts: Math.max(1, Math.floor(options.retry?.maxAttempts ?? 4)),
    initialDelayMillis: millis(options.retry?.initialDelay, 500),
    maxDelayMillis: millis(options.retry?.maxDelay, 30_000),
    leaseTtlMillis: millis(options.leaseTtl, 60_000),
    authorizationTimeoutMillis: millis(options.authorizationTimeout, 10 * 60_000),
    refreshTokenWarningMillis: millis(options.refreshTokenWarning, 24 * 60 * 60_000)
  }
}
