import { TokenSet } from "@effect-oauth/core"
import { TokenStore } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, FastCheck, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import type * as TokenStoreContract from "../TokenStoreContract.js"

const tokens = (n: number) =>
  TokenSet.make({
    accessToken: `access-${n}`,
    refreshToken: `refresh-${n}`,
    issuedAt: 1_000,
    expiresAt: 3_601_000,
    scopes: ["read"]
  })

const accessOf = (entry: Option.Option<TokenStore.Entry>) => Option.map(entry, (e) => Redacted.value(e.tokens.accessToken))

type Op = "writeCurrent" | "writeStale" | "writeAbsent" | "deleteCurrent" | "deleteStale" | "deleteAny"

const ops = FastCheck.array(
  FastCheck.constantFrom<Op>("writeCurrent", "writeStale", "writeAbsent", "deleteCurrent", "deleteStale", "deleteAny"),
  { minLength: 1, maxLength: 12 }
)

// Runs `effects` concurrently to the end under a `TestClock`: a store may back
// off on a short internal lock (the file store's guard), so time is moved on in
// small steps, with a turn of the event loop for real I/O, until all are done.
const settle = <A>(effects: ReadonlyArray<Effect.Effect<A>>): Effect.Effect<ReadonlyArray<A>> =>
  Effect.gen(function*() {
    const fibers = yield* Effect.forEach(effects, (effect) => Effect.fork(effect))
    const turn = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    for (let step = 0; step < 5_000; step++) {
      const polls = yield* Effect.forEach(fibers, Fiber.poll)
      if (polls.every(Option.isSome)) break
      yield* TestClock.adjust("5 millis")
      yield* turn
    }
    return yield* Fiber.joinAll(fibers)
  })

/** @internal */
export const suite = <E>(
  name: string,
  stores: TokenStoreContract.MakeStores<E> | Layer.Layer<TokenStore.TokenStore, E>,
  options: TokenStoreContract.Options = {}
): void => {
  const makeStores: TokenStoreContract.MakeStores<E> = Layer.isLayer(stores)
    ? Effect.map(Layer.build(stores as Layer.Layer<TokenStore.TokenStore, E>), (context) => {
      const store = Context.get(context, TokenStore.TokenStore)
      return [store, store] as const
    })
    : stores as TokenStoreContract.MakeStores<E>
  describe(`TokenStore / ${name}`, () => {
    const timeout = options.timeout ?? 30_000
    const run = <A, E2>(f: (store: TokenStore.Service, sibling: TokenStore.Service) => Effect.Effect<A, E2>) =>
      Effect.scoped(Effect.flatMap(Effect.orDie(makeStores), ([store, sibling]) => f(store, sibling)))

    it.effect("reads None for a key never written", () =>
      run((store) =>
        Effect.gen(function*() {
          expect(Option.isNone(yield* store.get("nobody"))).toBe(true)
        })
      ), timeout)

    it.effect("writes when the entry is absent and reads the tokens back", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const version = yield* store.compareAndSet("alice", undefined, tokens(1))
          const entry = yield* sibling.get("alice")
          expect(Option.map(entry, (e) => e.version)).toEqual(Option.some(version))
          expect(accessOf(entry)).toEqual(Option.some("access-1"))
          expect(TokenSet.encode(Option.getOrThrow(entry).tokens)).toEqual(TokenSet.encode(tokens(1)))
        })
      ), timeout)

    it.effect("keeps every TokenSet field losslessly (ID token, refresh expiry, extra fields, no expiry)", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const full = TokenSet.make({
            accessToken: "at ✓ \"quoted\"",
            tokenType: "DPoP",
            refreshToken: "rt",
            refreshTokenExpiresAt: 9_999_999_999_999,
            idToken: "header.payload.signature",
            issuedAt: 1_700_000_000_123,
            scopes: ["openid", "api:read"],
            extra: { nested: { list: [1, "two", null, true] }, "x-unicode": "ключ" }
          })
          yield* store.compareAndSet("alice", undefined, full)
          const read = Option.getOrThrow(yield* sibling.get("alice")).tokens
          expect(TokenSet.toJson(read)).toBe(TokenSet.toJson(full))
          expect(read.expiresAt).toBeUndefined()
        })
      ), timeout)

    it.effect("fails with VersionConflict on a stale version and keeps the stored tokens", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
          const v2 = yield* sibling.compareAndSet("alice", v1, tokens(2))
          expect(v2).toBeGreaterThan(v1)
          const conflict = yield* Effect.flip(store.compareAndSet("alice", v1, tokens(3)))
          expect(conflict).toMatchObject({ _tag: "VersionConflict", key: "alice", expected: v1, actual: v2 })
          const absent = yield* Effect.flip(store.compareAndSet("alice", undefined, tokens(3)))
          expect(absent).toMatchObject({ _tag: "VersionConflict", actual: v2 })
          expect(absent._tag === "VersionConflict" && absent.expected).toBeUndefined()
          expect(accessOf(yield* store.get("alice"))).toEqual(Option.some("access-2"))
        })
      ), timeout)

    it.effect("fails with VersionConflict when an entry is expected but absent", () =>
      run((store) =>
        Effect.gen(function*() {
          const conflict = yield* Effect.flip(store.compareAndSet("alice", 3, tokens(1)))
          expect(conflict).toMatchObject({ _tag: "VersionConflict", expected: 3 })
          expect(conflict._tag === "VersionConflict" && conflict.actual).toBeUndefined()
          expect(Option.isNone(yield* store.get("alice"))).toBe(true)
        })
      ), timeout)

    it.effect("never reuses a version after a delete", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
          yield* sibling.delete("alice", v1)
          expect(Option.isNone(yield* store.get("alice"))).toBe(true)
          const v2 = yield* store.compareAndSet("alice", undefined, tokens(2))
          expect(v2).toBeGreaterThan(v1)
          const stale = yield* Effect.flip(store.compareAndSet("alice", v1, tokens(3)))
          expect(stale._tag).toBe("VersionConflict")
        })
      ), timeout)

    // An encrypted store binds each ciphertext to the version it will be stored as,
    // so it must be able to tell that version before writing.
    it.effect("numbers the writes of a key one by one, a delete counting as one", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
          expect(yield* sibling.compareAndSet("alice", v1, tokens(2))).toBe(v1 + 1)
          yield* store.delete("alice", v1 + 1)
          expect(yield* sibling.compareAndSet("alice", undefined, tokens(3))).toBe(v1 + 3)
          expect(yield* store.compareAndSet("bob", undefined, tokens(4))).toBe(v1)
        })
      ), timeout)

    it.effect("deletes only the expected version when one is given, and anything without", () =>
      run((store) =>
        Effect.gen(function*() {
          const v1 = yield* store.compareAndSet("alice", undefined, tokens(1))
          const v2 = yield* store.compareAndSet("alice", v1, tokens(2))
          const conflict = yield* Effect.flip(store.delete("alice", v1))
          expect(conflict).toMatchObject({ _tag: "VersionConflict", expected: v1, actual: v2 })
          expect(Option.isSome(yield* store.get("alice"))).toBe(true)
          yield* store.delete("alice")
          expect(Option.isNone(yield* store.get("alice"))).toBe(true)
          yield* store.delete("alice")
          yield* store.delete("never-written")
        })
      ), timeout)

    it.effect("keeps keys apart, whatever characters they hold", () =>
      run((store) =>
        Effect.gen(function*() {
          const keys = ["a", "A", "../../etc/passwd", "user@example.com/google", "ключ", "it's; DROP TABLE x", "x".repeat(600)]
          for (const [i, key] of keys.entries()) yield* store.compareAndSet(key, undefined, tokens(i))
          for (const [i, key] of keys.entries()) expect(accessOf(yield* store.get(key))).toEqual(Option.some(`access-${i}`))
        })
      ), timeout)

    it.effect.prop(
      "agrees with a model over any sequence of writes and deletes: versions only grow, stale writers never win",
      [ops],
      ([sequence]) =>
        run((store, sibling) =>
          Effect.gen(function*() {
            // The model: the current version (undefined: no entry), every version seen, the last tokens.
            let current: number | undefined = undefined
            let stale: number | undefined = undefined
            let highest = 0
            let last = -1
            for (const [i, op] of sequence.entries()) {
              const handle = i % 2 === 0 ? store : sibling
              const expected: number | undefined = op === "writeCurrent" || op === "deleteCurrent"
                ? current
                : op === "writeStale" || op === "deleteStale"
                ? stale ?? highest + 1000
                : undefined
              // A delete without a version (deleteAny, or deleteCurrent of an absent entry) always succeeds.
              const succeeds = op === "deleteAny" || op === "deleteCurrent" || expected === current
              const result: Either.Either<number, TokenStore.StoreError> = op.startsWith("write")
                ? yield* Effect.either(handle.compareAndSet("alice", expected, tokens(i)))
                : yield* Effect.either(Effect.as(handle.delete("alice", op === "deleteAny" ? undefined : expected), 0))
              if (!succeeds) {
                expect(Either.isLeft(result) && result.left._tag).toBe("VersionConflict")
                continue
              }
              expect(Either.isRight(result)).toBe(true)
              if (op.startsWith("write")) {
                const version: number = Either.getOrThrow(result)
                expect(version).toBeGreaterThan(highest)
                if (current !== undefined) stale = current
                current = version
                highest = version
                last = i
              } else if (current !== undefined) {
                stale = current
                current = undefined
              }
            }
            const entry = yield* store.get("alice")
            if (current === undefined) {
              expect(Option.isNone(entry)).toBe(true)
            } else {
              expect(Option.map(entry, (e) => e.version)).toEqual(Option.some(current))
              expect(accessOf(entry)).toEqual(Option.some(`access-${last}`))
            }
          })
        ),
      { timeout: 4 * timeout, fastCheck: { numRuns: options.propertyRuns ?? 25 } }
    )

    it.effect("lets exactly one holder take the lease until it is released", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const lease = yield* store.acquireLease("alice", "30 seconds")
          expect(lease.key).toBe("alice")
          expect(lease.expiresAt).toBe(30_000)
          const busy = yield* Effect.flip(sibling.acquireLease("alice", "30 seconds"))
          expect(busy).toMatchObject({ _tag: "LeaseUnavailable", key: "alice", expiresAt: 30_000 })
          const again = yield* Effect.flip(store.acquireLease("alice", "30 seconds"))
          expect(again._tag).toBe("LeaseUnavailable")
          // Another key has its own lease.
          yield* sibling.acquireLease("bob", "30 seconds")
          yield* store.releaseLease(lease)
          const next = yield* sibling.acquireLease("alice", "30 seconds")
          expect(next.owner).not.toBe(lease.owner)
        })
      ), timeout)

    it.effect("takes over a lease that outlived its time to live, and the old holder cannot release it", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const stale = yield* store.acquireLease("alice", "30 seconds")
          yield* TestClock.adjust("29999 millis")
          expect((yield* Effect.flip(sibling.acquireLease("alice", "30 seconds")))._tag).toBe("LeaseUnavailable")
          yield* TestClock.adjust("1 millis")
          const taken = yield* sibling.acquireLease("alice", "30 seconds")
          expect(taken.expiresAt).toBe(60_000)
          yield* store.releaseLease(stale)
          const busy = yield* Effect.flip(store.acquireLease("alice", "30 seconds"))
          expect(busy).toMatchObject({ _tag: "LeaseUnavailable", expiresAt: 60_000 })
        })
      ), timeout)

    it.effect("gives a lapsed lease to exactly one of many concurrent takers", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const lapsed = yield* store.acquireLease("alice", "30 seconds")
          yield* TestClock.adjust("31 seconds")
          const results = yield* settle(
            Array.from({ length: 12 }, (_, i) => Effect.either((i % 2 === 0 ? store : sibling).acquireLease("alice", "30 seconds")))
          )
          const won = results.filter(Either.isRight).map((result) => result.right)
          expect(won).toHaveLength(1)
          expect(won[0]!.owner).not.toBe(lapsed.owner)
          for (const result of results.filter(Either.isLeft)) {
            expect(result.left).toMatchObject({ _tag: "LeaseUnavailable", expiresAt: won[0]!.expiresAt })
          }
        })
      ), timeout)

    it.effect("acquireLeaseWaiting gets the lease once its holder lets go", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const held = yield* store.acquireLease("alice", "30 seconds")
          const waiter = yield* Effect.fork(TokenStore.acquireLeaseWaiting(sibling, "alice", { ttl: "30 seconds" }))
          yield* TestClock.adjust("1 second")
          yield* store.releaseLease(held)
          yield* TestClock.adjust("2 seconds")
          const lease = yield* waiter
          expect(lease.key).toBe("alice")
          expect(lease.owner).not.toBe(held.owner)
        })
      ), timeout)

    it.live("acquireLeaseWaiting gives up with LeaseUnavailable after its timeout", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          yield* store.acquireLease("alice", "1 hour")
          const result = yield* Effect.either(
            TokenStore.acquireLeaseWaiting(sibling, "alice", { ttl: "1 hour", timeout: "200 millis" })
          )
          expect(Either.isLeft(result) && result.left._tag).toBe("LeaseUnavailable")
        })
      ), timeout)

    it.live("lets only one of many concurrent writers of the same version win", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const v1 = yield* store.compareAndSet("alice", undefined, tokens(0))
          const results = yield* Effect.all(
            Array.from({ length: 12 }, (_, i) => Effect.either((i % 2 === 0 ? store : sibling).compareAndSet("alice", v1, tokens(i + 1)))),
            { concurrency: "unbounded" }
          )
          const wins = results.filter(Either.isRight)
          expect(wins).toHaveLength(1)
          for (const result of results.filter(Either.isLeft)) expect(result.left._tag).toBe("VersionConflict")
          const entry = Option.getOrThrow(yield* store.get("alice"))
          expect(entry.version).toBe(Either.getOrThrow(wins[0]!))
        })
      ), timeout)

    it.live("lets only one of many concurrent first writers (expecting no entry) win", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const results = yield* Effect.all(
            Array.from({ length: 12 }, (_, i) => Effect.either((i % 2 === 0 ? store : sibling).compareAndSet("alice", undefined, tokens(i)))),
            { concurrency: "unbounded" }
          )
          const wins = results.flatMap((result, i) => Either.isRight(result) ? [i] : [])
          expect(wins).toHaveLength(1)
          expect(accessOf(yield* sibling.get("alice"))).toEqual(Option.some(`access-${wins[0]}`))
        })
      ), timeout)

    it.live("lets a write or a delete of one version win, never both", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const v1 = yield* store.compareAndSet("alice", undefined, tokens(0))
          const [write, remove] = yield* Effect.all(
            [Effect.either(store.compareAndSet("alice", v1, tokens(1))), Effect.either(sibling.delete("alice", v1))],
            { concurrency: "unbounded" }
          )
          expect([Either.isRight(write), Either.isRight(remove)].filter(Boolean)).toHaveLength(1)
          const entry = yield* store.get("alice")
          expect(Option.isSome(entry)).toBe(Either.isRight(write))
        })
      ), timeout)

    it.live("gives the lease to exactly one of many concurrent takers", () =>
      run((store, sibling) =>
        Effect.gen(function*() {
          const results = yield* Effect.all(
            Array.from({ length: 12 }, (_, i) => Effect.either((i % 2 === 0 ? store : sibling).acquireLease("alice", "1 minute"))),
            { concurrency: "unbounded" }
          )
          expect(results.filter(Either.isRight)).toHaveLength(1)
        })
      ), timeout)
  })
}
