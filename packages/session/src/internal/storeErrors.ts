import { Schema } from "effect"

/** @internal */
export const Operation = Schema.Literal("open", "get", "compareAndSet", "delete", "acquireLease", "releaseLease")

/**
 * The storage failed: an I/O error, a stored entry that does not decode, or a
 * lock that could not be taken in time. Names the key and the operation, never
 * the tokens. `reason`:
 *
 * - `Io`: the storage itself failed (permissions, disk full, connection lost).
 * - `Corrupt`: a stored entry is not a valid entry (see `detail` for the fields).
 * - `Timeout`: a short internal lock (the file store's write lock) stayed busy.
 * - `Unencodable`: the tokens cannot be written as JSON (a response nested too
 *   deep, a value JSON cannot hold); nothing was written.
 * - `RolledBack`: an encrypted entry authenticates but was written as another
 *   version of its key: an older entry restored in place of the current one.
 *
 * @since 0.1.0
 * @category errors
 */
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

/**
 * A compare-and-set (or a conditional delete) found another version than the
 * one expected: another writer got there first. Re-read and decide again.
 *
 * @since 0.1.0
 * @category errors
 */
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

/**
 * Another holder has the refresh lease of this key until `expiresAt`.
 *
 * @since 0.1.0
 * @category errors
 */
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
