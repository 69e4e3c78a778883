/**
 * The one reading of a session snapshot: whether a token is usable now (with a
 * refresh margin), and how a caller's demand ends. Pure: the machine's guards,
 * `OAuthSession` and `SessionRegistry` all ask here, so "usable" means one thing.
 *
 * @internal
 */
import { OAuthError, TokenSet } from "@effect-oauth/core"
import { Either } from "effect"
import { AuthorizationFailed, RefreshFailed, SessionRevoked, Unauthorized } from "../SessionError.js"
import type { AccessTokenError, RevocationFailed } from "../SessionError.js"
import type * as SessionMachine from "../SessionMachine.js"

type Snapshot = SessionMachine.Snapshot
type Context = SessionMachine.Context

/** The public (top-level) state of a snapshot: `refreshing` for `{ refreshing: "backingOff" }`. @internal */
export const stateOf = (snapshot: Pick<Snapshot, "value">): SessionMachine.State => {
  const value = snapshot.value
  return typeof value === "string" ? value : Object.keys(value)[0] as SessionMachine.State
}

/** The full state path of a snapshot: `refreshing.backingOff` for `{ refreshing: "backingOff" }`. @internal */
export const pathOf = (snapshot: Pick<Snapshot, "value">): string => {
  let path = ""
  let value: unknown = snapshot.value
  while (typeof value === "object" && value !== null) {
    const [key, inner] = Object.entries(value)[0] ?? []
    if (key === undefined) break
    path = path === "" ? key : `${path}.${key}`
    value = inner
  }
  return typeof value === "string" ? (path === "" ? value : `${path}.${value}`) : path
}

/** The held tokens when they can be used at `at`: present, not rejected, not lapsed, not expired. @internal */
export const usable = (context: Context, at: number): TokenSet.TokenSet | undefined => {
  const tokens = context.tokens
  return tokens !== undefined && !context.rejected && !context.lapsed && !TokenSet.isExpired(tokens, at)
    ? tokens
    : undefined
}

/**
 * The token `accessToken` hands out without asking the machine for anything:
 * usable, and outside the refresh window (or the last refresh failed: then it
 * is used until it expires).
 *
 * @internal
 */
export const held = (snapshot: Snapshot, at: number, margin: TokenSet.RefreshMargin): TokenSet.TokenSet | undefined => {
  if (stateOf(snapshot) !== "authorized") return undefined
  const tokens = usable(snapshot.context, at)
  return tokens === undefined || (snapshot.context.error === undefined && TokenSet.needsRefresh(tokens, at, margin))
    ? undefined
    : tokens
}

/** Work is in flight that a caller may join: a refresh, or a revocation (tag `busy`). @internal */
export const isBusy = (snapshot: Pick<Snapshot, "hasTag">): boolean => snapshot.hasTag("busy")

/**
 * Nothing in flight and nothing held back: stopping the actor interrupts no
 * program (authorizing, refreshing, revoking) and drops no issued-but-unstored
 * tokens (`unsaved`, which exist nowhere else). The registry releases only such sessions.
 *
 * @internal
 */
export const isSettled = (snapshot: Snapshot): boolean =>
  snapshot.status === "active" && snapshot.context.unsaved === undefined && !isBusy(snapshot) &&
  stateOf(snapshot) !== "authorizing"

/**
 * What a waiting caller has done so far: events it sent, and the busy spells
 * (refreshes, revocations) it saw start. A caller that saw one start has
 * joined it: it shares that work's outcome and its retry budget.
 *
 * @internal
 */
export interface Demand {
  sent: number
  joined: number
  inBusy: boolean
}

/** @internal */
export const demand = (): Demand => ({ sent: 0, joined: 0, inBusy: false })

/** Counts the busy spells `demand` has seen start, given the next snapshot. @internal */
export const observe = (self: Demand, snapshot: Snapshot): void => {
  const busy = isBusy(snapshot)
  if (busy && !self.inBusy) self.joined++
  self.inBusy = busy
}

const engaged = (self: Demand) => self.sent > 0 || self.joined > 0

/** What a caller does next: wait for another snapshot, send its event, or end. @internal */
export type Verdict<A, E> =
  | { readonly _tag: "Wait" }
  | { readonly _tag: "Send" }
  | { readonly _tag: "Done"; readonly result: Either.Either<A, E> }

const wait: Verdict<never, never> = { _tag: "Wait" }
const send: Verdict<never, never> = { _tag: "Send" }
const succeed = <A>(value: A): Verdict<A, never> => ({ _tag: "Done", result: Either.right(value) })
const fail = <E>(error: E): Verdict<never, E> => ({ _tag: "Done", result: Either.left(error) })

const expiredOnArrival = () =>
  new RefreshFailed({
    cause: new OAuthError.InvalidTokenResponse({
      reason: "InvalidField",
      status: 200,
      field: "expires_in",
      detail: "the access token expired before it could be used"
    }),
    attempts: 2
  })

const missingRefreshToken = () =>
  new RefreshFailed({
    cause: new OAuthError.ConfigurationError({ reason: "MissingCredential", detail: "the grant has no refresh token" }),
    attempts: 0
  })

const unauthorized = (context: Context) =>
  context.error?._tag === "Unauthorized" ? context.error : new Unauthorized({ reason: "NoGrant" })

/** @internal */
export const revokedError = (context: Context): SessionRevoked =>
  context.error?._tag === "SessionRevoked" ? context.error : new SessionRevoked({ reason: "Revoked" })

/** A refresh this demand sent or joined has ended (its failure is the demand's). */
const ended = (self: Demand) => self.joined > 0

// Fresh tokens that expired on arrival (a lifetime shorter than the round trip,
// a write held back longer than that): ask once more, then report the response
// as unusable. The grant is stored and alive: never "authorize first".
const askAgain = (self: Demand) => Math.max(self.sent, self.joined) < 2

/**
 * How `accessToken` ends, as `REFRESH` demands: the usable token (ahead of
 * expiry, the held one while a refresh runs); the failure of the refresh it
 * sent or joined; or why there is no grant.
 *
 * @internal
 */
export const tokens = (
  snapshot: Snapshot,
  at: number,
  margin: TokenSet.RefreshMargin,
  self: Demand
): Verdict<TokenSet.TokenSet, AccessTokenError> => {
  const context = snapshot.context
  const live = usable(context, at)
  switch (stateOf(snapshot)) {
    case "authorized": {
      if (live !== undefined && (engaged(self) || context.error !== undefined || !TokenSet.needsRefresh(live, at, margin))) {
        return succeed(live)
      }
      if (!engaged(self)) return send
      if (context.error?._tag === "RefreshFailed") return fail(context.error)
      if (context.tokens !== undefined && !context.rejected && askAgain(self)) return send
      return fail(context.tokens === undefined ? new Unauthorized({ reason: "NoGrant" }) : expiredOnArrival())
    }
    case "refreshing":
      return live === undefined ? wait : succeed(live)
    case "expired":
      if (!engaged(self)) return send
      return context.error?._tag === "RefreshFailed" ? fail(context.error) : wait
    case "unauthorized":
      return fail(unauthorized(context))
    case "authorizing":
      return fail(new Unauthorized({ reason: "Authorizing" }))
    case "revoked":
      return fail(revokedError(context))
  }
}

/**
 * How `refresh` ends: the tokens of the refresh it sent or joined, once
 * stored; that refresh's failure; `MissingCredential` when no refresh could
 * start; or why there is no grant.
 *
 * @internal
 */
export const refresh = (
  snapshot: Snapshot,
  at: number,
  self: Demand
): Verdict<TokenSet.TokenSet, AccessTokenError> => {
  const context = snapshot.context
  switch (stateOf(snapshot)) {
    case "refreshing":
      return wait
    case "authorized":
    case "expired": {
      if (!engaged(self)) return send
      if (context.error?._tag === "RefreshFailed") return fail(context.error)
      if (stateOf(snapshot) === "expired") return wait
      if (!ended(self)) return fail(missingRefreshToken())
      if (context.tokens === undefined) return fail(new Unauthorized({ reason: "NoGrant" }))
      if (!TokenSet.isExpired(context.tokens, at)) return succeed(context.tokens)
      return askAgain(self) ? send : fail(expiredOnArrival())
    }
    case "unauthorized":
      return fail(unauthorized(context))
    case "authorizing":
      return fail(new Unauthorized({ reason: "Authorizing" }))
    case "revoked":
      return fail(revokedError(context))
  }
}

/** How `revoke` ends, as a `REVOKE` demand: once the revocation it sent or joined is over. @internal */
export const revocation = (snapshot: Snapshot, self: Demand): Verdict<void, RevocationFailed> => {
  if (stateOf(snapshot) === "revoked") {
    if (isBusy(snapshot)) return wait
    const error = snapshot.context.error
    return engaged(self) && error?._tag === "RevocationFailed" ? fail(error) : succeed(undefined)
  }
  return self.sent > 0 ? succeed(undefined) : send
}

/**
 * How an awaited authorization ends: nothing yet while it is still the pending
 * one; its tokens once stored; its failure; or `Superseded` when another
 * authorization, a revocation or another holder's grant took its place.
 *
 * @internal
 */
export const authorization = (snapshot: Snapshot, pending: boolean): Verdict<TokenSet.TokenSet, AuthorizationFailed> => {
  const { error, tokens } = snapshot.context
  const superseded = () => new AuthorizationFailed({ reason: "Superseded" })
  switch (stateOf(snapshot)) {
    case "authorizing":
      return pending ? wait : fail(superseded())
    case "unauthorized":
      return fail(error?._tag === "AuthorizationFailed" ? error : superseded())
    case "revoked":
      return fail(superseded())
    default:
      return tokens === undefined ? fail(superseded()) : succeed(tokens)
  }
}
