import { TokenSet } from "@effect-oauth/core"
import type { TokenStore } from "@effect-oauth/session"
import { Option, Redacted } from "effect"

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
