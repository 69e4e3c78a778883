import { Callback } from "@effect-oauth/core"
import type { KeyValueStore } from "@effect/platform"
import { Effect, Encoding, Option, Schema } from "effect"
import { SignInFailed } from "../WebSignIn.js"
import type * as SealedCookie from "./sealedCookie.js"

/** The pending authorization request between `login` and `callback`. @internal */
export const Pending = Schema.Struct({
  v: Schema.Literal(1),
  request: Callback.AuthorizationRequest,
  returnTo: Schema.String,
  exp: Schema.Number
})

const decodePending = Schema.decodeUnknownOption(Pending)
/** @internal */
export const encodePending = Schema.encodeSync(Pending)

type PendingRequest = typeof Pending.Type
type PendingEncoded = typeof Pending.Encoded

/** @internal */
export const invalidCookie = () =>
  new SignInFailed({ reason: "InvalidCookie", detail: "the sign-in cookie was altered or is not this site's" })
const pendingStorage = (error: { readonly message: string }) =>
  new SignInFailed({ reason: "Storage", detail: `the pending sign-in could not be kept: ${error.message}` })

/** Where the pending request waits between `login` and `callback`. @internal */
export interface PendingKeeper {
  /** Keeps the request; the cookie's value. */
  readonly put: (request: PendingEncoded, now: number) => Effect.Effect<string, SignInFailed>
  /** The request under the cookie's value, good once. */
  readonly take: (value: string) => Effect.Effect<PendingRequest, SignInFailed>
}

/** The request sealed in the cookie itself: no server state. @internal */
export const cookieKeeper = (sealer: SealedCookie.Sealer, name: string): PendingKeeper => ({
  put: (request) => sealer.seal(name, request),
  take: (value) =>
    sealer.open(name, value).pipe(
      Effect.flatMap((opened) => Option.flatMap(opened, decodePending)),
      Effect.mapError(invalidCookie)
    )
})

const handlePattern = /^[A-Za-z0-9_-]{43}$/

/**
 * The request in the app's `KeyValueStore`, the cookie holding a random 256-bit
 * handle. The entry's key is the SHA-256 of the handle (the store never holds
 * the handle), its value is sealed under that key (a shared store's reader sees
 * no verifier), and it is removed before it is used. Entries this instance wrote
 * and no callback took are removed once expired, at its next logins.
 *
 * @internal
 */
export const storeKeeper = (sealer: SealedCookie.Sealer, store: KeyValueStore.KeyValueStore, name: string): PendingKeeper => {
  const keyOf = (handle: string) =>
    Effect.promise(() => crypto.subtle.digest("SHA-256", new TextEncoder().encode(handle))).pipe(
      Effect.map((digest) => `${name}.${Encoding.encodeHex(new Uint8Array(digest))}`)
    )
  // Entries in the order they expire (one ttl for all): the oldest first.
  const issued = new Map<string, number>()
  // A take is a read then a delete; in one instance they are not interleaved.
  const takeLock = Effect.unsafeMakeSemaphore(1)
  const sweep = (now: number) =>
    Effect.gen(function*() {
      for (const [key, exp] of issued) {
        if (exp > now) break
        issued.delete(key)
        yield* store.remove(key).pipe(Effect.ignore)
      }
    })
  return {
    put: (request, now) =>
      Effect.gen(function*() {
        yield* sweep(now)
        const handle = Encoding.encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)))
        const key = yield* keyOf(handle)
        yield* store.set(key, yield* sealer.seal(key, request)).pipe(Effect.mapError(pendingStorage))
        issued.set(key, request.exp)
        return handle
      }),
    take: (value) =>
      Effect.gen(function*() {
        if (!handlePattern.test(value)) return yield* invalidCookie()
        const key = yield* keyOf(value)
        const entry = yield* takeLock.withPermits(1)(
          Effect.zipLeft(store.get(key), store.remove(key)).pipe(Effect.mapError(pendingStorage))
        )
        issued.delete(key)
        if (Option.isNone(entry)) return yield* new SignInFailed({ reason: "UnknownPendingRequest" })
        const opened = yield* sealer.open(key, entry.value)
        return yield* Option.flatMap(opened, decodePending).pipe(
          Effect.mapError(() => pendingStorage({ message: "the entry is not this app's" }))
        )
      })
  }
}

