import { NodeFileSystem } from "@effect/platform-node"
import { TokenStore } from "@effect-oauth/session"
import { SqlTokenStore } from "@effect-oauth/store-sql"
import { Layer, Redacted } from "effect"
import type { StoreSpec } from "./protocol.js"

/** The store a spec names: what every worker and the parent open. */
export const storeLayer = (spec: StoreSpec): Layer.Layer<TokenStore.TokenStore, TokenStore.TokenStoreError> => {
  switch (spec.kind) {
    case "file":
      return TokenStore.layerFileSystem(spec.directory).pipe(Layer.provide(NodeFileSystem.layer))
    case "sqlite":
      return SqlTokenStore.layerSqlite({ filename: spec.filename })
    case "pg":
      return SqlTokenStore.layerPg({ url: Redacted.make(spec.url), tablePrefix: spec.tablePrefix, maxConnections: 4 })
  }
}
