import { Clock, Effect, Redacted } from "effect"
import type { AuthorizationRequest } from "../Callback.js"
import {
  AuthorizationDenied,
  type CallbackError,
  InvalidCallback,
  type InvalidTokenResponse,
  IssuerMismatch,
  type OAuthError,
  StateMismatch
} from "../OAuthError.js"
import type { TokenResponseQuirks } from "../Provider.js"
import * as TokenResponse from "../TokenResponse.js"
import type { TokenSet } from "../TokenSet.js"
import { timingSafeEqual } from "./crypto.js"

const TypeId: unique symbol = Symbol.for("@effect-oauth/core/AuthorizationResponse")

/** @internal */
export class AuthorizationResponse {
  declare readonly [TypeId]: typeof TypeId
  constructor(
    readonly code: Redacted.Redacted<string>,
    readonly iss: string | undefined,
    readonly request: AuthorizationRequest,
    /** The response's other parameters (a provider's granted `scope`, `session_state`). */
    readonly parameters: Readonly<Record<string, string>> = {}
  ) {}

  toString(): string {
    return `AuthorizationResponse(code: <redacted>${this.iss === undefined ? "" : `, iss: ${this.iss}`})`
  }

  toJSON(): unknown {
    return { _id: "AuthorizationResponse", code: "<redacted>", iss: this.iss }
  }
}

const responseParameters = ["code", "state", "iss", "error", "error_description", "error_uri"] as const

const hasResponseParameter = (params: URLSearchParams): boolean =>
  responseParameters.some((name) => params.has(name))

// Relative forms are what a Node server sees in `request.url` ("/callback?code=…").
const placeholderBase = "http://callback.invalid"

const parametersOf = (
  input: string | URL | URLSearchParams
): { readonly params: URLSearchParams; readonly fragment: boolean } | undefined => {
  if (input instanceof URLSearchParams) return { params: input, fragment: false }
  let url: URL
  try {
    url = typeof input === "string" ? new URL(input, placeholderBase) : input
  } catch {
    return undefined
  }
  if (hasResponseParameter(url.searchParams)) return { params: url.searchParams, fragment: false }
  // response_mode=fragment puts the parameters after "#" (OAuth 2.0 Multiple Response Types §2.1).
  const fragment = new URLSearchParams(url.hash.slice(1))
  return hasResponseParameter(fragment) ? { params: fragment, fragment: true } : { params: url.searchParams, fragment: false }
}

// The response mode the request asked for; unknown behind a pushed request (RFC 9126),
// whose parameters are not in the URL.
const fragmentAllowed = (request: AuthorizationRequest): boolean => {
  try {
    const params = new URL(request.url).searchParams
    return params.get("response_mode") === "fragment" || params.has("request_uri") || params.has("request")
  } catch {
    return true
  }
}

/**
 * The checks every authorization response passes, in RFC 9207 §2.4 order:
 * duplicates, issuer, state, then an error response.
 */
const checkResponse = (
  params: URLSearchParams,
  names: ReadonlyArray<string>,
  request: AuthorizationRequest
): Effect.Effect<string | undefined, CallbackError> =>
  Effect.gen(function*() {
    // "Request and response parameters MUST NOT be included more than once." (RFC 6749 §3.1)
    for (const name of names) {
      if (params.getAll(name).length > 1) {
        return yield* new InvalidCallback({ reason: "DuplicateParameter", parameter: name })
      }
    }
    // RFC 9207 §2.4: the issuer is checked first, and an error response from the
    // wrong issuer must not be taken for one of the expected server.
    const iss = params.get("iss") ?? undefined
    if (request.issuer !== undefined) {
      if (iss !== undefined && iss !== request.issuer) {
        return yield* new IssuerMismatch({ expected: request.issuer, received: iss })
      }
      if (iss === undefined && request.issRequired) {
        return yield* new IssuerMismatch({ expected: request.issuer })
      }
    }
    // RFC 6749 §4.1.2 and §4.1.2.1: `state` is "REQUIRED if the "state" parameter was
    // present in the client authorization request", error responses included.
    const state = params.get("state")
    if (state === null) return yield* new StateMismatch({ missing: true })
    if (!timingSafeEqual(state, Redacted.value(request.state))) {
      return yield* new StateMismatch({ missing: false })
    }
    const error = params.get("error")
    // RFC 6749 §4.1.2 and §4.1.2.1 are two different responses: one carrying both
    // a code and an error is neither.
    if (error !== null && params.has("code")) {
      return yield* new InvalidCallback({ reason: "UnexpectedParameter", parameter: "code" })
    }
    if (error !== null) {
      const description = params.get("error_description")
      const uri = params.get("error_uri")
      return yield* new AuthorizationDenied({
        error,
        ...(description === null ? {} : { description }),
        ...(uri === null ? {} : { uri })
      })
    }
    return iss
  })

/** @internal */
export const parse = (
  input: string | URL | URLSearchParams,
  request: AuthorizationRequest
): Effect.Effect<AuthorizationResponse, CallbackError> =>
  Effect.gen(function*() {
    const found = parametersOf(input)
    if (found === undefined) return yield* new InvalidCallback({ reason: "InvalidUrl" })
    const { params } = found
    // A request in query mode (the default for `code`, RFC 6749 §4.1.2) is answered
    // in the query: parameters in the fragment were put there by someone else.
    if (found.fragment && !fragmentAllowed(request)) {
      return yield* new InvalidCallback({ reason: "UnexpectedParameter", parameter: "fragment" })
    }
    const iss = yield* checkResponse(params, responseParameters, request)
    const code = params.get("code")
    if (code === null || code === "") return yield* new InvalidCallback({ reason: "MissingCode", parameter: "code" })
    const parameters: Record<string, string> = {}
    for (const [name, value] of params) {
      if (name !== "code" && name !== "state" && name !== "iss") {
        Object.defineProperty(parameters, name, { value, enumerable: true, writable: true, configurable: true })
      }
    }
    return new AuthorizationResponse(Redacted.make(code), iss, request, parameters)
  })

const implicitParameters = [
  "access_token",
  "token_type",
  "expires_in",
  "scope",
  "state",
  "iss",
  "error",
  "error_description",
  "error_uri"
] as const

/** @internal */
export const parseImplicit = (
  input: string | URL | URLSearchParams,
  request: AuthorizationRequest,
  options?: { readonly quirks?: TokenResponseQuirks | undefined } | undefined
): Effect.Effect<TokenSet, CallbackError | OAuthError | InvalidTokenResponse> =>
  Effect.gen(function*() {
    if (request.responseType !== "token") {
      return yield* new InvalidCallback({ reason: "UnexpectedParameter", parameter: "response_type" })
    }
    // RFC 6749 §4.2.2: the response is in the fragment; a query never carries tokens.
    let params: URLSearchParams
    if (input instanceof URLSearchParams) {
      params = input
    } else {
      try {
        const url = typeof input === "string" ? new URL(input, placeholderBase) : input
        params = new URLSearchParams(url.hash.replace(/^#/, ""))
      } catch {
        return yield* new InvalidCallback({ reason: "InvalidUrl" })
      }
    }
    if (!implicitParameters.some((name) => params.has(name))) {
      return yield* new InvalidCallback({ reason: "MissingCode", parameter: "access_token" })
    }
    yield* checkResponse(params, implicitParameters, request)
    if ((params.get("access_token") ?? "") === "") {
      return yield* new InvalidCallback({ reason: "MissingCode", parameter: "access_token" })
    }
    const fields = new URLSearchParams(params)
    fields.delete("state")
    fields.delete("iss")
    // Through the single door for token responses. The fragment has no send time:
    // its arrival anchors `expires_in`, which can only overstate the token's age
    // by the time the redirect took.
    return yield* TokenResponse.parse(
      { status: 200, headers: { "content-type": "application/x-www-form-urlencoded" }, body: fields.toString() },
      {
        requestedAt: yield* Clock.currentTimeMillis,
        requestedScopes: request.scopes,
        ...(options?.quirks === undefined ? {} : { quirks: options.quirks }),
        endpoint: "authorization response (fragment)"
      }
    )
  })
