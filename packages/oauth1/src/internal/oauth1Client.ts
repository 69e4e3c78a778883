import { OAuthClient, OAuthError } from "@effect-oauth/core"
import { HttpClient, HttpClientRequest, UrlParams } from "@effect/platform"
import { Clock, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import { dual } from "effect/Function"
import type * as Callback from "../Callback.js"
import { InvalidResponse, OAuth1Error, SigningError, TokenMismatch, classify } from "../OAuth1Error.js"
import type * as OAuth1Client from "../OAuth1Client.js"
import { OAuth1Client as Tag } from "../OAuth1Client.js"
import type * as Signature from "../Signature.js"
import { TemporaryCredentials } from "../TemporaryCredentials.js"
import { TokenCredentials } from "../TokenCredentials.js"
import { sameToken } from "./callback.js"
import * as signature from "./signature.js"

const formMediaType = "application/x-www-form-urlencoded"
const utf8 = new TextDecoder()

const formParameters = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<ReadonlyArray<Signature.Parameter> | undefined, SigningError> => {
  const body = request.body
  const contentType = body.contentType ?? request.headers["content-type"]
  if (contentType?.split(";")[0]?.trim().toLowerCase() !== formMediaType) return Effect.succeed(undefined)
  // Only a single-part form body is signed (RFC 5849 §3.4.1.3.1).
  const parse = (text: string) => Effect.succeed(Array.from(new URLSearchParams(text)))
  switch (body._tag) {
    case "Uint8Array":
      return parse(utf8.decode(body.body))
    case "Raw": {
      const raw = body.body
      if (typeof raw === "string") return parse(raw)
      if (raw instanceof Uint8Array) return parse(utf8.decode(raw))
      if (raw instanceof URLSearchParams) return parse(raw.toString())
      break
    }
    case "Empty":
      return Effect.succeed(undefined)
  }
  return Effect.fail(
    new SigningError({
      reason: "UnsupportedBody",
      detail: `a ${body._tag} body cannot be read to sign its form parameters; use HttpClientRequest.bodyUrlParams`
    })
  )
}

/** @internal */
export const signRequest = (
  request: HttpClientRequest.HttpClientRequest,
  options: OAuth1Client.SigningOptions & {
    readonly callback?: string | undefined
    readonly verifier?: Redacted.Redacted<string> | undefined
  }
): Effect.Effect<HttpClientRequest.HttpClientRequest, SigningError> =>
  Effect.gen(function*() {
    // The URL the platform will send: the request's URL with its urlParams appended.
    const url = UrlParams.makeUrl(request.url, request.urlParams, Option.none())
    if (Either.isLeft(url)) {
      return yield* new SigningError({ reason: "InvalidUrl", detail: "not an absolute URL" })
    }
    const body = yield* formParameters(request)
    const header = yield* signature.sign(
      { method: request.method, url: url.right, body },
      {
        consumer: options.consumer,
        token: options.token,
        method: options.signatureMethod,
        realm: options.realm,
        version: options.version,
        callback: options.callback,
        verifier: options.verifier
      }
    )
    return HttpClientRequest.setHeader(request, "Authorization", Redacted.value(header))
  })

/** @internal */
export const signed: {
  (options: OAuth1Client.SigningOptions): <E, R>(
    self: HttpClient.HttpClient.With<E, R>
  ) => HttpClient.HttpClient.With<E | SigningError, R>
  <E, R>(
    self: HttpClient.HttpClient.With<E, R>,
    options: OAuth1Client.SigningOptions
  ): HttpClient.HttpClient.With<E | SigningError, R>
} = dual(
  2,
  <E, R>(
    self: HttpClient.HttpClient.With<E, R>,
    options: OAuth1Client.SigningOptions
  ): HttpClient.HttpClient.With<E | SigningError, R> =>
    HttpClient.mapRequestEffect(self, (request) => signRequest(request, options))
)

const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname)

const endpointUrl = (
  name: string,
  value: string
): Effect.Effect<URL, OAuthError.ConfigurationError> => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return Effect.fail(new OAuthError.ConfigurationError({ reason: "InvalidUrl", detail: `${name} is not an absolute URL` }))
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    return Effect.fail(
      new OAuthError.ConfigurationError({
        reason: "InsecureUrl",
        detail: `${name} must be https: (http: only for loopback hosts)`
      })
    )
  }
  // "the query MUST NOT contain any parameters beginning with the "oauth_" prefix" (RFC 5849 §2)
  if (Array.from(url.searchParams.keys()).some((key) => key.startsWith("oauth_"))) {
    return Effect.fail(
      new OAuthError.ConfigurationError({ reason: "InvalidUrl", detail: `${name} has an oauth_ query parameter` })
    )
  }
  return Effect.succeed(url)
}

const validCallback = (callback: string): Effect.Effect<string, OAuthError.ConfigurationError> => {
  if (callback === "oob") return Effect.succeed(callback)
  try {
    new URL(callback)
    return Effect.succeed(callback)
  } catch {
    return Effect.fail(
      new OAuthError.ConfigurationError({ reason: "InvalidUrl", detail: "callback is neither an absolute URI nor \"oob\"" })
    )
  }
}

const where = (url: URL): string => `${url.origin}${url.pathname}`

// Core's wire reports an over-long body as a TransportError; this client has
// always named it an InvalidResponse.
const fromWire = (url: URL) => (error: OAuthError.TransportError | OAuthError.ConfigurationError) =>
  error._tag === "ConfigurationError"
    ? // The endpoint passed the same URL policy in `make`: this cannot happen, but
      // stays typed (nothing was sent).
      new OAuthError.TransportError({ reason: "Transport", method: "POST", endpoint: where(url), detail: error.reason, requestSent: false })
    : error.reason === "TooLarge"
    ? new InvalidResponse({ reason: "TooLarge", status: error.status ?? 0, endpoint: where(url) })
    : error

const looksLikeForm = (text: string): boolean => text.includes("=") && !/[\s<>{}"]/.test(text)

/** A view of a body that names fields but never shows a credential. */
const excerptOf = (text: string): string => {
  if (looksLikeForm(text)) return `fields ${Array.from(new Set(new URLSearchParams(text).keys())).join(", ")}`
  try {
    const json: unknown = JSON.parse(text)
    if (json !== null && typeof json === "object" && !Array.isArray(json)) {
      return `JSON fields ${Object.keys(json).join(", ")}`
    }
  } catch {
    // not JSON: fall through to masked text
  }
  return OAuthError.excerpt(text, [], 160)
}

const problemFields = ["oauth_parameters_absent", "oauth_parameters_rejected", "oauth_acceptable_versions", "oauth_acceptable_timestamps"]

/** `WWW-Authenticate: OAuth realm="…", oauth_problem="…"` → its parameters. */
const authenticateParameters = (header: string | undefined): URLSearchParams | undefined => {
  if (header === undefined || !/^\s*oauth\s/i.test(header)) return undefined
  const params = new URLSearchParams()
  for (const match of header.matchAll(/([A-Za-z0-9_]+)\s*=\s*"([^"]*)"/g)) {
    const [, name = "", value = ""] = match
    try {
      params.append(name, decodeURIComponent(value))
    } catch {
      params.append(name, value)
    }
  }
  return params
}

const problemOf = (
  status: number,
  url: URL,
  sources: ReadonlyArray<URLSearchParams | undefined>
): OAuth1Error | undefined => {
  const source = sources.find((params) => params?.get("oauth_problem"))
  const problem = source?.get("oauth_problem")
  if (source === undefined || problem === null || problem === undefined) return undefined
  const advice = source.get("oauth_problem_advice")
  const details: Record<string, string> = {}
  for (const field of problemFields) {
    const value = source.get(field)
    if (value !== null) details[field] = value
  }
  return new OAuth1Error({
    problem,
    ...(advice === null ? {} : { advice }),
    status,
    endpoint: where(url),
    remedy: classify(problem, status),
    ...(Object.keys(details).length === 0 ? {} : { details })
  })
}

/** Reads an RFC 5849 §2.1 / §2.3 credentials response into its fields. */
const credentialsResponse = (
  status: number,
  header: string | undefined,
  body: string,
  url: URL
): Effect.Effect<URLSearchParams, OAuth1Error | InvalidResponse> => {
  const text = body.trim()
  const form = looksLikeForm(text) ? new URLSearchParams(text) : undefined
  const problem = problemOf(status, url, [form, authenticateParameters(header)])
  if (problem !== undefined) return Effect.fail(problem)
  const invalid = (reason: typeof InvalidResponse.fields.reason.Type, field?: string) =>
    new InvalidResponse({
      reason,
      status,
      endpoint: where(url),
      ...(field === undefined ? {} : { field }),
      ...(text === "" ? {} : { excerpt: excerptOf(text) })
    })
  if (status < 200 || status >= 300) return Effect.fail(invalid("UnexpectedStatus"))
  if (text === "") return Effect.fail(invalid("EmptyBody"))
  if (form === undefined) return Effect.fail(invalid("NotForm"))
  for (const field of ["oauth_token", "oauth_token_secret"]) {
    const values = form.getAll(field)
    if (values.length === 0 || values[0] === "") return Effect.fail(invalid("MissingField", field))
    if (values.length > 1) return Effect.fail(invalid("DuplicateField", field))
  }
  return Effect.succeed(form)
}

/** @internal */
export const make = (
  options: OAuth1Client.Options
): Effect.Effect<OAuth1Client.Service, OAuthError.ConfigurationError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const requestTokenUrl = yield* endpointUrl("endpoints.requestToken", options.endpoints.requestToken)
    const authorizeUrl = yield* endpointUrl("endpoints.authorize", options.endpoints.authorize)
    const accessTokenUrl = yield* endpointUrl("endpoints.accessToken", options.endpoints.accessToken)
    const defaultCallback = yield* validCallback(options.callback ?? "oob")
    const timeout = Duration.decode(options.timeout ?? Duration.seconds(30))
    const maxBytes = options.maxResponseBytes ?? 1024 * 1024
    const signing: OAuth1Client.SigningOptions = {
      consumer: options.consumer,
      signatureMethod: options.signatureMethod,
      realm: options.realm,
      version: options.version
    }

    const exchange = (
      url: URL,
      params: Readonly<Record<string, string>> | undefined,
      extra: {
        readonly token?: Signature.Token | undefined
        readonly callback?: string | undefined
        readonly verifier?: Redacted.Redacted<string> | undefined
      }
    ) =>
      Effect.gen(function*() {
        const entries = Object.entries(params ?? {})
        const request = entries.length === 0
          ? HttpClientRequest.post(url.toString())
          : HttpClientRequest.bodyUrlParams(HttpClientRequest.post(url.toString()), entries)
        const signedRequest = yield* signRequest(request, { ...signing, ...extra })
        // Sent through core's wire: URL policy, no redirect followed (DESIGN §6),
        // the time limit and the size cap.
        const response = yield* OAuthClient.request({
          method: "POST",
          url: url.toString(),
          params: Object.fromEntries(entries),
          headers: { accept: formMediaType, authorization: signedRequest.headers["authorization"] ?? "" },
          timeout,
          maxResponseBytes: maxBytes
        }).pipe(Effect.provideService(HttpClient.HttpClient, client), Effect.mapError(fromWire(url)))
        const form = yield* credentialsResponse(response.status, response.headers["www-authenticate"], utf8.decode(response.body), url)
        return { status: response.status, form }
      })

    const extraOf = (form: URLSearchParams): Record<string, string> => {
      const extra: Record<string, string> = {}
      for (const [name, value] of form) {
        if (
          name !== "oauth_token" && name !== "oauth_token_secret" && name !== "__proto__" &&
          !Object.hasOwn(extra, name)
        ) extra[name] = value
      }
      return extra
    }

    const requestToken: OAuth1Client.Service["requestToken"] = Effect.fn("OAuth1Client.requestToken")(
      function*(requestOptions) {
        const callback = requestOptions?.callback === undefined
          ? defaultCallback
          : yield* validCallback(requestOptions.callback)
        const { form, status } = yield* exchange(requestTokenUrl, requestOptions?.params, { callback })
        // "MUST be present and set to "true"" (RFC 5849 §2.1)
        if (form.get("oauth_callback_confirmed") !== "true") {
          return yield* new InvalidResponse({
            reason: "CallbackNotConfirmed",
            status,
            field: "oauth_callback_confirmed",
            endpoint: where(requestTokenUrl)
          })
        }
        return new TemporaryCredentials({
          token: Redacted.make(form.get("oauth_token") ?? ""),
          tokenSecret: Redacted.make(form.get("oauth_token_secret") ?? ""),
          callback
        })
      }
    )

    const authorizationUrl: OAuth1Client.Service["authorizationUrl"] = (temporary, params) => {
      const url = new URL(authorizeUrl)
      for (const [name, value] of Object.entries(params ?? {})) url.searchParams.set(name, value)
      url.searchParams.set("oauth_token", Redacted.value(temporary.token))
      return url.toString()
    }

    const accessToken: OAuth1Client.Service["accessToken"] = Effect.fn("OAuth1Client.accessToken")(
      function*(temporary: TemporaryCredentials, verifier: Callback.Verifier) {
        if (!(yield* sameToken(verifier.token, temporary.token))) return yield* new TokenMismatch()
        const issuedAt = yield* Clock.currentTimeMillis
        const { form } = yield* exchange(accessTokenUrl, undefined, { token: temporary, verifier: verifier.verifier })
        return new TokenCredentials({
          token: Redacted.make(form.get("oauth_token") ?? ""),
          tokenSecret: Redacted.make(form.get("oauth_token_secret") ?? ""),
          issuedAt,
          extra: Redacted.make(extraOf(form))
        })
      }
    )

    return {
      requestToken,
      authorizationUrl,
      accessToken,
      httpClient: (token) => signed(client, { ...signing, token })
    }
  })

/** @internal */
export const layer = (
  options: OAuth1Client.Options
): Layer.Layer<Tag, OAuthError.ConfigurationError, HttpClient.HttpClient> => Layer.effect(Tag, make(options))
