import { TokenSet } from "@effect-oauth/core"
import type { TokenStore } from "@effect-oauth/session"
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { Effect, Option, Redacted } from "effect"

/** The `n`th token set of a store test: `access-n` / `refresh-n`, an hour long. */
export const tokens = (n: number) =>
  TokenSet.make({
    accessToken: `access-${n}`,
    refreshToken: `refresh-${n}`,
    issuedAt: 1_000,
    expiresAt: 3_601_000,
    scopes: ["read"]
  })

/** The access token of a read entry, if any. */
export const accessOf = (entry: Option.Option<TokenStore.Entry>) =>
  Option.map(entry, (e) => Redacted.value(e.tokens.accessToken))

/** Runs `f` with a store directory (not yet created) inside a fresh temporary one, removed after. */
export const withDirectory = <A, E>(
  f: (directory: string, fs: FileSystem.FileSystem) => Effect.Effect<A, E, FileSystem.FileSystem>
) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const directory = yield* Effect.orDie(fs.makeTempDirectoryScoped())
    return yield* f(`${directory}/store`, fs)
  }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer))
