import { Callback, OAuthClient, TokenSet } from "@effect-oauth/core"
import type { OAuthError } from "@effect-oauth/core"
import { Cause, Clock, Effect, Either, Exit, Metric, Option, Redacted, Schedule } from "effect"
import type * as SessionMachine from "../SessionMachine.js"
import { AuthorizationFailed, RefreshFailed, RevocationFailed, SessionRevoked } from "../SessionError.js"
import * as TokenStore from "../TokenStore.js"
import type { Config } from "./config.js"
import { defaultBackOff, waitForLease } from "./lease.js"
import * as telemetry from "./telemetry.js"

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

/** The user the validated ID token names (`iss` and `sub`), if the tokens carry one. */
const subjectOf = (tokens: TokenSet.TokenSet): string | undefined => {
  const claims = TokenSet.claims(tokens)
  return claims === undefined ? undefined : `${claims.iss} ${claims.sub}`
}

/**
 * What a completed authorization stores: its tokens, replacing any previous
 * grant of the key — except that a new consent answered without a refresh token
 * keeps the stored one when both validated ID tokens name the same user (Google sends a
 * refresh token only on the first consent:
 * https://developers.google.com/identity/protocols/oauth2/web-server#offline).
 * Without that proof, nothing of another grant is carried over.
 */
const authorizationEntry = (stored: Option.Option<TokenStore.Entry>, tokens: TokenSet.TokenSet): TokenSet.TokenSet => {
  if (tokens.refreshToken !== undefined || Option.isNone(stored)) return tokens
  const previous = stored.value.tokens
  const subject = subjectOf(tokens)
  return previous.refreshToken !== undefined && subject !== undefined && subject === subjectOf(previous)
    ? TokenSet.merge(previous, tokens)
    : tokens
}

/** Writes a completed authorization over whatever the store holds. */
const writeOver = (store: TokenStore.Service, key: string, tokens: TokenSet.TokenSet) => {
  const once = Effect.flatMap(store.get(key), (entry) => {
    const next = authorizationEntry(entry, tokens)
    return Effect.map(
      store.compareAndSet(key, Option.match(entry, { onNone: () => undefined, onSome: (e) => e.version }), next),
      (version) => ({ tokens: next, version })
    )
  })
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
    const stored = yield* writeOver(store, config.key, tokens).pipe(
      Effect.mapError((cause) => new AuthorizationFailed({ reason: "Storage", cause }))
    )
    return { ...stored, source: "authorization" } as const
  }).pipe(Effect.withSpan("OAuthSession.completeAuthorization", { captureStackTrace: false }))

/** @internal */
export interface DeviceInput {
  readonly authorization: Redacted.Redacted<OAuthClient.DeviceAuthorization>
}

/**
 * Polls for the device authorization's tokens (RFC 8628 §3.4), reporting each
 * unsuccessful poll, then stores them; as for the code flow, the tokens reach
 * the machine only after they are stored (invariant 4).
 *
 * @internal
 */
export const pollDeviceToken = (
  config: Config,
  input: DeviceInput,
  onPoll: (poll: OAuthClient.DevicePoll) => Effect.Effect<void>
): Effect.Effect<Stored, AuthorizationFailed, Requirements> =>
  Effect.gen(function*() {
    const client = yield* OAuthClient.OAuthClient
    const store = yield* TokenStore.TokenStore
    const tokens = yield* client.pollDeviceToken(Redacted.value(input.authorization), { onPoll }).pipe(
      Effect.mapError((cause) =>
        new AuthorizationFailed({
          reason: cause._tag === "AuthorizationDenied" ? "Denied" : cause._tag === "DeviceCodeExpired" ? "Timeout" : "Exchange",
          cause
        })
      )
    )
    const stored = yield* writeOver(store, config.key, tokens).pipe(
      Effect.mapError((cause) => new AuthorizationFailed({ reason: "Storage", cause }))
    )
    return { ...stored, source: "authorization" } as const
  }).pipe(Effect.withSpan("OAuthSession.pollDeviceToken", { captureStackTrace: false }))

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
  /** An earlier attempt's response was lost: a refusal now is most likely the server's reuse detection. */
  readonly responseLost: boolean
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

const isGrantError = (
  error: OAuthError.TokenEndpointError | OAuthError.IdTokenInvalid
): error is OAuthError.OAuthError =>
  error._tag === "OAuthError" && error.remedy === "reauthorize"

/**
 * One refresh attempt, safe across processes sharing a store:
 *
 * 1. take the key's refresh lease; while another holder has it, wait until the
 *    store reports a change (or the next poll), re-read, and adopt the tokens
 *    it writes (no request of our own);
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
    const removed = () => new SessionRevoked({ reason: "GrantRemoved" })

    /**
     * No access token of a response whose ID token failed is handed out, and
     * its rotated refresh token is never simply lost. `UnknownKey` (the key set
     * may catch up): the rotated refresh token is stored and the failure is
     * transient. Any other reason (the tokens may be someone else's): the
     * store is cleared, the rotated refresh token revoked (best effort, RFC
     * 7009 §2.1), and the grant ends with the error.
     */
    const idTokenRefused = (
      base: TokenStore.Entry,
      error: OAuthError.IdTokenInvalid,
      write: (tokens: TokenSet.TokenSet) => Effect.Effect<Stored, RefreshFailed | SessionRevoked | Unsaved>
    ): Effect.Effect<Stored, RefreshFailed | SessionRevoked | Unsaved> =>
      Effect.gen(function*() {
        const rotated = error.refreshToken
        if (error.remedy === "retry") {
          if (rotated !== undefined) {
            const { refreshTokenExpiresAt: _, ...rest } = base.tokens
            const stored = yield* write(new TokenSet.TokenSet({ ...rest, refreshToken: rotated }, true))
            if (stored.source === "store") return stored
          }
          return yield* failed(error)
        }
        yield* Effect.uninterruptible(retryStoreErrors(store.delete(key, base.version))).pipe(Effect.mapError(failed))
        const newest = rotated ?? base.tokens.refreshToken
        if (newest !== undefined && client.provider.revocationEndpoint !== undefined) {
          yield* Effect.ignore(client.revoke(newest, { hint: "refresh_token" }))
        }
        return yield* new SessionRevoked({ reason: "IdTokenRejected", idTokenInvalid: error })
      })

    const read = store.get(key).pipe(
      Effect.mapError(failed),
      Effect.flatMap(Option.match({ onNone: () => Effect.fail(removed()), onSome: Effect.succeed }))
    )
    // Another holder's tokens are taken over when they are not due yet.
    const adoptable = (entry: TokenStore.Entry) =>
      Effect.map(
        Clock.currentTimeMillis,
        (now) => entry.version !== input.version && !TokenSet.needsRefresh(entry.tokens, now, config.margin)
      )
    const adopt = (entry: TokenStore.Entry): Stored => ({ tokens: entry.tokens, version: entry.version, source: "store" })

    const startedAt = yield* Clock.currentTimeMillis
    // While another holder has the lease: wait (woken by the store's watch, or
    // polling), re-read, and adopt what it wrote.
    const acquire = waitForLease(store, key, {
      ttl: config.leaseTtlMillis,
      timeoutMillis: 2 * config.leaseTtlMillis,
      backOff: defaultBackOff,
      recheck: Effect.flatMap(read, (entry) => Effect.map(adoptable(entry), (yes) => yes ? Option.some(adopt(entry)) : Option.none()))
    }).pipe(Effect.catchTags({
      TokenStoreError: (error) => Effect.fail(failed(error)),
      LeaseUnavailable: (busy) => Effect.fail(failed(busy))
    }))

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
        if (error._tag === "IdTokenInvalid") return yield* idTokenRefused(base, error, write)
        if (!isGrantError(error)) return yield* failed(error)
        const again = yield* read
        if (again.version !== base.version) {
          if (yield* adoptable(again)) return adopt(again)
          return yield* failed(new TokenStore.VersionConflict({ key, expected: base.version, actual: again.version }))
        }
        yield* store.delete(key, base.version).pipe(Effect.mapError(failed))
        return yield* new SessionRevoked({ reason: input.responseLost ? "ResponseLost" : "GrantRejected", cause: error })
      }
      return yield* write(TokenSet.merge(base.tokens, result.right))
    })

    // The lease kept by the attempt that could not store its tokens is still ours while it is live.
    const kept = input.lease !== undefined && input.lease.expiresAt > startedAt ? input.lease : undefined
    const lease = kept === undefined ? yield* acquire : Either.left(kept)
    if (Either.isRight(lease)) return lease.right
    return yield* underLease(lease.left).pipe(
      Effect.onExit((exit) =>
        Exit.isFailure(exit) && Option.exists(Cause.failureOption(exit.cause), (error) => error._tag === "Unsaved")
          ? Effect.void
          : Effect.ignore(store.releaseLease(lease.left))
      )
    )
  }).pipe(
    Effect.tapBoth({
      onSuccess: (stored) =>
        Metric.increment(Metric.tagged(telemetry.refreshes, "outcome", stored.source === "store" ? "adopted" : "refreshed")),
      onFailure: (error) =>
        error._tag === "Unsaved"
          ? Effect.void
          : Effect.zipRight(
            Metric.increment(Metric.tagged(telemetry.refreshes, "outcome", "failed")),
            Metric.increment(Metric.tagged(telemetry.failures, "remedy", error.remedy))
          )
    }),
    Effect.withSpan("OAuthSession.refreshTokens", { attributes: { attempt: input.attempt + 1 }, captureStackTrace: false })
  )

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
  }).pipe(Effect.withSpan("OAuthSession.revokeGrant", { captureStackTrace: false }))
