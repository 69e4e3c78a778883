import { Callback, OAuthClient, TokenSet } from "@effect-oauth/core"
import type { OAuthError } from "@effect-oauth/core"
import { Cause, Clock, Effect, Either, Exit, Option, Redacted, Schedule } from "effect"
import type * as SessionMachine from "../SessionMachine.js"
import { AuthorizationFailed, RefreshFailed, RevocationFailed, SessionRevoked } from "../SessionError.js"
import * as TokenStore from "../TokenStore.js"
import { sleepMillis } from "./clock.js"
import type { Config } from "./config.js"

/** What the `STORED` event carries. @internal */
export interface Stored {
  readonly tokens: TokenSet.TokenSet
  readonly version: number
  readonly source: SessionMachine.TokenSource
}

type Requirements = OAuthClient.OAuthClient | TokenStore.TokenStore

// A store write that fails after the server issued tokens would lose a rotated
// refresh token: try it a few times before giving up.
const retryStoreErrors = <A, E extends { readonly _tag: string }, R>(self: Effect.Effect<A, E, R>) =>
  Effect.retry(self, {
    while: (error) => error._tag === "TokenStoreError",
    schedule: Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(3)))
  })

/**
 * Writes `tokens` over whatever the store holds (a completed authorization
 * replaces any previous grant of the key).
 */
const writeOver = (store: TokenStore.Service, key: string, tokens: TokenSet.TokenSet) => {
  const once = Effect.flatMap(store.get(key), (entry) =>
    store.compareAndSet(key, Option.match(entry, { onNone: () => undefined, onSome: (e) => e.version }), tokens))
  return retryStoreErrors(once).pipe(
    Effect.retry({ while: (error) => error._tag === "VersionConflict", times: 3 })
  )
}

/** @internal */
export interface AuthorizationInput {
  readonly request: Redacted.Redacted<Callback.AuthorizationRequest>
  readonly callback: Redacted.Redacted<string>
}

/**
 * `Callback.parse` → `exchangeCode` → store write. The tokens reach the machine
 * only after they are stored (DESIGN §4, invariant 4).
 *
 * @internal
 */
export const completeAuthorization = (
  config: Config,
  input: AuthorizationInput
): Effect.Effect<Stored, AuthorizationFailed, Requirements> =>
  Effect.gen(function*() {
    const client = yield* OAuthClient.OAuthClient
    const store = yield* TokenStore.TokenStore
    const response = yield* Callback.parse(Redacted.value(input.callback), Redacted.value(input.request)).pipe(
      Effect.mapError((cause) => new AuthorizationFailed({ reason: "Callback", cause }))
    )
    const tokens = yield* client.exchangeCode(response).pipe(
      Effect.mapError((cause) => new AuthorizationFailed({ reason: "Exchange", cause }))
    )
    const version = yield* writeOver(store, config.key, tokens).pipe(
      Effect.mapError((cause) => new AuthorizationFailed({ reason: "Storage", cause }))
    )
    return { tokens, version, source: "authorization" } as const
  }).pipe(Effect.withSpan("OAuthSession.completeAuthorization"))

/** @internal */
export interface RefreshInput {
  readonly tokens: TokenSet.TokenSet
  readonly version: number | undefined
  /** Tokens a previous attempt got from the server but could not store. */
  readonly unsaved: TokenSet.TokenSet | undefined
  /** The refresh lease that attempt kept while `unsaved` is not stored. */
  readonly lease: TokenStore.Lease | undefined
  /** Failed attempts so far. */
  readonly attempt: number
  /** Wait before this attempt (ms). */
  readonly delay: number
}

/**
 * A refresh whose tokens the server issued but the store refused: the failure,
 * plus the tokens, which the machine keeps (never hands out) so that the next
 * attempt stores them instead of spending the rotated refresh token again, and
 * the refresh lease, kept (not released) until then: another holder that took
 * it would refresh with the refresh token these tokens replaced, which a
 * server with reuse detection answers by revoking the whole grant.
 *
 * @internal
 */
export class Unsaved {
  readonly _tag = "Unsaved"
  constructor(
    readonly error: RefreshFailed,
    readonly tokens: TokenSet.TokenSet,
    readonly lease: TokenStore.Lease
  ) {}
}

const isGrantError = (error: OAuthError.TokenEndpointError): error is OAuthError.OAuthError =>
  error._tag === "OAuthError" && error.remedy === "reauthorize"

/**
 * One refresh attempt, safe across processes sharing a store:
 *
 * 1. take the key's refresh lease; while another holder has it, poll the store
 *    and adopt the tokens it writes (no request of our own);
 * 2. under the lease, re-read the store: a newer entry that is not due is
 *    adopted; otherwise the newest entry's refresh token is used (invariant 3);
 * 3. refresh; on a `reauthorize` error, re-read once more: a version newer than
 *    the one refreshed means another holder rotated the token first (RFC 9700
 *    §4.14.2 rotation), so adopt it; else clear the store and report the grant dead;
 * 4. write by compare-and-set, then hand the tokens to the machine (invariant 4).
 *    Tokens the store refuses come back as {@link Unsaved}; the next attempt
 *    writes them (when the store did not change meanwhile) without a request, so
 *    a rotated refresh token is not lost to a store outage (invariant 3).
 *
 * @internal
 */
export const refreshTokens = (
  config: Config,
  input: RefreshInput
): Effect.Effect<Stored, RefreshFailed | SessionRevoked | Unsaved, Requirements> =>
  Effect.gen(function*() {
    const client = yield* OAuthClient.OAuthClient
    const store = yield* TokenStore.TokenStore
    const key = config.key
    const attempts = input.attempt + 1
    const failed = (cause: RefreshFailed["cause"]) => new RefreshFailed({ cause, attempts })
    const removed = new SessionRevoked({ reason: "GrantRemoved" })

    const read = store.get(key).pipe(
      Effect.mapError(failed),
      Effect.flatMap(Option.match({ onNone: () => Effect.fail(removed), onSome: Effect.succeed }))
    )
    // Another holder's tokens are taken over when they are not due yet.
    const adoptable = (entry: TokenStore.Entry) =>
      Effect.map(
        Clock.currentTimeMillis,
        (now) => entry.version !== input.version && !TokenSet.needsRefresh(entry.tokens, now, config.margin)
      )
    const adopt = (entry: TokenStore.Entry): Stored => ({ tokens: entry.tokens, version: entry.version, source: "store" })

    if (input.delay > 0) yield* sleepMillis(input.delay)

    const startedAt = yield* Clock.currentTimeMillis
    const acquire = (round: number): Effect.Effect<Either.Either<Stored, TokenStore.Lease>, RefreshFailed | SessionRevoked> =>
      store.acquireLease(key, config.leaseTtlMillis).pipe(
        Effect.map(Either.left),
        Effect.catchTags({
          TokenStoreError: (error) => Effect.fail(failed(error)),
          LeaseUnavailable: (busy) =>
            Effect.gen(function*() {
              const now = yield* Clock.currentTimeMillis
              if (now - startedAt > 2 * config.leaseTtlMillis) return yield* failed(busy)
              yield* sleepMillis(Math.max(1, Math.min(50 * 2 ** Math.min(round, 5), busy.expiresAt - now)))
              const entry = yield* read
              if (yield* adoptable(entry)) return Either.right(adopt(entry))
              return yield* acquire(round + 1)
            })
        })
      )

    const underLease = (lease: TokenStore.Lease) => Effect.gen(function*() {
      const base = yield* read
      const write = (tokens: TokenSet.TokenSet) =>
        retryStoreErrors(store.compareAndSet(key, base.version, tokens)).pipe(
          Effect.map((version): Stored => ({ tokens, version, source: "refresh" })),
          Effect.catchTags({
            VersionConflict: (conflict) =>
              Effect.flatMap(read, (entry) =>
                Effect.flatMap(adoptable(entry), (yes) => yes ? Effect.succeed(adopt(entry)) : Effect.fail(failed(conflict)))),
            TokenStoreError: (error) => Effect.fail(new Unsaved(failed(error), tokens, lease))
          })
        )
      if (input.unsaved !== undefined && base.version === input.version) return yield* write(input.unsaved)
      if (yield* adoptable(base)) return adopt(base)
      const result = yield* Effect.either(client.refresh(base.tokens))
      if (Either.isLeft(result)) {
        const error = result.left
        if (!isGrantError(error)) return yield* failed(error)
        const again = yield* read
        if (again.version !== base.version) {
          if (yield* adoptable(again)) return adopt(again)
          return yield* failed(new TokenStore.VersionConflict({ key, expected: base.version, actual: again.version }))
        }
        yield* store.delete(key, base.version).pipe(Effect.mapError(failed))
        return yield* new SessionRevoked({ reason: "GrantRejected", cause: error })
      }
      return yield* write(TokenSet.merge(base.tokens, result.right))
    })

    // The lease kept by the attempt that could not store its tokens is still ours while it is live.
    const kept = input.lease !== undefined && input.lease.expiresAt > startedAt ? input.lease : undefined
    const lease = kept === undefined ? yield* acquire(0) : Either.left(kept)
    if (Either.isRight(lease)) return lease.right
    return yield* underLease(lease.left).pipe(
      Effect.onExit((exit) =>
        Exit.isFailure(exit) && Option.exists(Cause.failureOption(exit.cause), (error) => error._tag === "Unsaved")
          ? Effect.void
          : Effect.ignore(store.releaseLease(lease.left))
      )
    )
  }).pipe(Effect.withSpan("OAuthSession.refreshTokens", { attributes: { attempt: input.attempt + 1 } }))

/** @internal */
export interface RevocationInput {
  readonly tokens: TokenSet.TokenSet | undefined
}

/**
 * Clears the store entry, then revokes the newest grant at the server
 * (RFC 7009 §2: revoking a refresh token revokes the grant). The delete is
 * uninterruptible: once asked to revoke, no restart may resurrect the grant.
 *
 * @internal
 */
export const revokeGrant = (
  config: Config,
  input: RevocationInput
): Effect.Effect<void, RevocationFailed, Requirements> =>
  Effect.gen(function*() {
    const client = yield* OAuthClient.OAuthClient
    const store = yield* TokenStore.TokenStore
    const stored = yield* Effect.option(store.get(config.key))
    const newest = Option.getOrElse(
      Option.map(Option.flatten(stored), (entry) => entry.tokens),
      () => input.tokens
    )
    const cleared = yield* Effect.either(Effect.uninterruptible(retryStoreErrors(store.delete(config.key))))
    const revoked = newest === undefined ? Either.right(undefined) : yield* Effect.either(client.revoke(newest))
    if (Either.isLeft(cleared)) return yield* new RevocationFailed({ cause: cleared.left })
    if (Either.isLeft(revoked)) return yield* new RevocationFailed({ cause: revoked.left })
  }).pipe(Effect.withSpan("OAuthSession.revokeGrant"))
