import { Schema } from "effect"

/** @internal */
export const Operation = Schema.Literal("open", "get", "compareAndSet", "delete", "acquireLease", "releaseLease")

/** @internal */
export class TokenStoreError extends Schema.TaggedError<TokenStoreError>("@effect-oauth/session/TokenStoreError")(
  "TokenStoreError",
  {
    reason: Schema.Literal("Io", "Corrupt", "Timeout", "Unencodable", "RolledBack"),
    operation: Operation,
    key: Schema.String,
    detail: Schema.String
  }
) {
  /** Always `retry`: the stored grant, if any, is unaffected. */
  get remedy(): "retry" {
    return "retry"
  }

  override get message(): string {
    const of = this.operation === "open" ? "" : ` of "${this.key}"`
    return `token store ${this.operation}${of} failed (${this.reason}): ${this.detail}`
  }
}

/** @internal */
export class VersionConflict extends Schema.TaggedError<VersionConflict>("@effect-oauth/session/VersionConflict")(
  "VersionConflict",
  {
    key: Schema.String,
    /** `undefined`: the writer expected no entry. */
    expected: Schema.optional(Schema.Number),
    /** `undefined`: there is no entry. */
    actual: Schema.optional(Schema.Number)
  }
) {
  /** Always `retry`: re-read, then try again. */
  get remedy(): "retry" {
    return "retry"
  }

  override get message(): string {
    const show = (version: number | undefined) => version === undefined ? "none" : `version ${version}`
    return `token store entry "${this.key}" changed: expected ${show(this.expected)}, found ${show(this.actual)}`
  }
}

/** @internal */
export class LeaseUnavailable extends Schema.TaggedError<LeaseUnavailable>("@effect-oauth/session/LeaseUnavailable")(
  "LeaseUnavailable",
  {
    key: Schema.String,
    /** When the current holder's lease lapses (epoch ms). */
    expiresAt: Schema.Number
  }
) {
  /** Always `retry`: wait, re-read, try again. */
  get remedy(): "retry" {
    return "retry"
  }

  override get message(): string {
    return `the refresh lease of "${this.key}" is held by another holder`
  }
}
