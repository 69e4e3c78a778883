import { Effect, Redacted } from "effect"
import type { AuthorizationRequest } from "../Callback.js"
import { InvalidCallback, type CallbackError } from "../OAuthError.js"

const TypeId: unique symbol = Symbol.for("@effect-oauth/core/AuthorizationResponse")

/** @internal */
export class AuthorizationResponse {
  declare readonly [TypeId]: typeof TypeId
  constructor(
    readonly code: Redacted.Redacted<string>,
    readonly iss: string | undefined,
    readonly request: AuthorizationRequest
  ) {}
}

/** @internal */
export const parse = (
  _url: string | URL | URLSearchParams,
  _request: AuthorizationRequest
): Effect.Effect<AuthorizationResponse, CallbackError> =>
  Effect.fail(new InvalidCallback({ reason: "InvalidUrl" }))

void Redacted
