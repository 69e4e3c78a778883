import { Effect } from "effect"
import type * as TokenResponse from "../TokenResponse.js"
import { InvalidTokenResponse, type OAuthError } from "../OAuthError.js"
import type { TokenSet } from "../TokenSet.js"

/** @internal */
export const parse = (
  response: TokenResponse.RawResponse,
  _options: TokenResponse.ParseOptions
): Effect.Effect<TokenSet, OAuthError | InvalidTokenResponse> =>
  Effect.fail(new InvalidTokenResponse({ reason: "UnexpectedStatus", status: response.status }))
