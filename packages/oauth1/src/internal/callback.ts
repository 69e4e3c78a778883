import { OAuthError } from "@effect-oauth/core"
import { Effect, Redacted } from "effect"
import { type CallbackError, MalformedCallback, TokenMismatch } from "../OAuth1Error.js"
import type { TemporaryCredentials } from "../TemporaryCredentials.js"

const TypeId: unique symbol = Symbol.for("@effect-oauth/oauth1/Verifier")

/** @internal */
export class Verifier {
  declare readonly [TypeId]: typeof TypeId
  constructor(
    readonly token: Redacted.Redacted<string>,
    readonly verifier: Redacted.Redacted<string>
  ) {}
}

const utf8 = new TextEncoder()

// Both sides are hashed first so the comparison below runs over 32 bytes whatever
// the lengths, and its time says nothing about how much of the token matched.
const digest = (value: Redacted.Redacted<string>) =>
  Effect.promise(() => crypto.subtle.digest("SHA-256", utf8.encode(Redacted.value(value))))

/** @internal */
export const sameToken = (a: Redacted.Redacted<string>, b: Redacted.Redacted<string>): Effect.Effect<boolean> =>
  Effect.map(Effect.all([digest(a), digest(b)]), ([left, right]) => {
    const x = new Uint8Array(left)
    const y = new Uint8Array(right)
    let difference = 0
    for (let i = 0; i < x.length; i++) difference |= x[i]! ^ y[i]!
    return difference === 0
  })

const searchParamsOf = (input: string | URL | URLSearchParams): URLSearchParams | undefined => {
  if (input instanceof URLSearchParams) return input
  if (input instanceof URL) return input.searchParams
  try {
    // A path such as an incoming request's `req.url` ("/callback?oauth_token=…") is
    // read against a placeholder origin; only its query matters.
    return new URL(input, "http://callback.invalid").searchParams
  } catch {
    return undefined
  }
}

const single = (
  params: URLSearchParams,
  name: string
): Effect.Effect<string | undefined, MalformedCallback> => {
  const values = params.getAll(name)
  return values.length > 1
    ? Effect.fail(new MalformedCallback({ reason: "DuplicateParameter", parameter: name }))
    : Effect.succeed(values[0])
}

/** @internal */
export const parse = (
  input: string | URL | URLSearchParams,
  requestToken: TemporaryCredentials
): Effect.Effect<Verifier, CallbackError> =>
  Effect.gen(function*() {
    const params = searchParamsOf(input)
    if (params === undefined) return yield* new MalformedCallback({ reason: "InvalidUrl" })
    const token = yield* single(params, "oauth_token")
    const verifier = yield* single(params, "oauth_verifier")
    if (verifier === undefined || verifier === "") {
      const problem = yield* single(params, "oauth_problem")
      // Twitter/X redirects a refusal as `?denied=<request token>`.
      // https://developer.x.com/en/docs/authentication/api-reference/authorize
      if (problem !== undefined) return yield* new OAuthError.AuthorizationDenied({ error: problem })
      if (params.has("denied")) return yield* new OAuthError.AuthorizationDenied({ error: "user_refused" })
    }
    if (token === undefined || token === "") return yield* new MalformedCallback({ reason: "MissingToken" })
    if (verifier === undefined || verifier === "") {
      return yield* new MalformedCallback({ reason: "MissingVerifier" })
    }
    const received = Redacted.make(token)
    if (!(yield* sameToken(received, requestToken.token))) return yield* new TokenMismatch()
    return new Verifier(received, Redacted.make(verifier))
  })

/** @internal */
export const outOfBand = (
  requestToken: TemporaryCredentials,
  verifier: string | Redacted.Redacted<string>
): Verifier =>
  new Verifier(
    requestToken.token,
    Redacted.make((typeof verifier === "string" ? verifier : Redacted.value(verifier)).trim())
  )
