import type { HttpClient } from "@effect/platform"
import { Effect, Layer } from "effect"
import type * as OAuthClient from "../OAuthClient.js"
import { OAuthClient as Tag } from "../OAuthClient.js"
import { ConfigurationError } from "../OAuthError.js"

/** @internal */
export const make = (
  _options: OAuthClient.Options
): Effect.Effect<OAuthClient.Service, ConfigurationError, HttpClient.HttpClient> =>
  Effect.fail(new ConfigurationError({ reason: "Unsupported", detail: "pending" }))

/** @internal */
export const layer = (
  options: OAuthClient.Options
): Layer.Layer<Tag, ConfigurationError, HttpClient.HttpClient> => Layer.effect(Tag, make(options))
