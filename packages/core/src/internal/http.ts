import { Headers, HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Duration, Effect, FiberRef, Redacted, Stream } from "effect"
import { ConfigurationError, type InvalidTokenResponse, type OAuthError, TransportError } from "../OAuthError.js"
import type { TokenResponseQuirks } from "../Provider.js"
import * as Redirects from "../Redirects.js"
import * as tokenResponse from "./tokenResponse.js"
import * as Json from "./wire/json.js"

/** @internal */
export const defaultTimeout: Duration.Duration = Duration.seconds(30)

/** @internal */
export const defaultMaxResponseBytes = 1024 * 1024

/** @internal */
export interface Limits {
  readonly timeout: Duration.Duration
  readonly maxResponseBytes: number
  /** Send `traceparent` / `b3` headers: off unless the application turns it on. */
  readonly tracePropagation: boolean
}

/** @internal */
export const limits = (options: {
  readonly timeout?: Duration.DurationInput | undefined
  readonly maxResponseBytes?: number | undefined
  readonly tracePropagation?: boolean | undefined
}): Limits => ({
  timeout: options.timeout === undefined ? defaultTimeout : Duration.decode(options.timeout),
  maxResponseBytes: options.maxResponseBytes ?? defaultMaxResponseBytes,
  tracePropagation: options.tracePropagation ?? false
})

/** `localhost`, `127.0.0.0/8` and `[::1]` (RFC 8252 §8.3). @internal */
export const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

/**
 * Parses an endpoint of the authorization server: an absolute `https:` URL without
 * a fragment (RFC 6749 §3.1, §3.2); plain `http:` only on a loopback host.
 *
 * @internal
 */
export const endpointUrl = (name: string, value: string): Effect.Effect<URL, ConfigurationError> => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: `${name} is not an absolute URL` }))
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    return Effect.fail(
      new ConfigurationError({
        reason: "InsecureUrl",
        detail: `${name} (${url.protocol}//${url.host}) must use https: (plain http: only for loopback hosts)`
      })
    )
  }
  if (url.hash !== "") {
    return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: `${name} must not have a fragment` }))
  }
  if (url.username !== "" || url.password !== "") {
    return Effect.fail(new ConfigurationError({ reason: "InvalidUrl", detail: `${name} must not carry credentials` }))
  }
  return Effect.succeed(url)
}

/** `origin + path`: how errors and messages name an endpoint (never the query). @internal */
export const where = (url: URL): string => `${url.origin}${url.pathname}`

/** A response as read: the status, the headers, the whole body (at most the cap). @internal */
export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

const readBody = (
  stream: Stream.Stream<Uint8Array, TransportError>,
  maxBytes: number,
  tooLarge: () => TransportError
): Effect.Effect<Uint8Array, TransportError> =>
  Stream.runFoldEffect(
    stream,
    { size: 0, chunks: [] as Array<Uint8Array> },
    (state, chunk) => {
      const size = state.size + chunk.length
      if (size > maxBytes) return Effect.fail(tooLarge())
      state.chunks.push(chunk)
      return Effect.succeed({ size, chunks: state.chunks })
    }
  ).pipe(Effect.map(({ chunks, size }) => {
    const body = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      body.set(chunk, offset)
      offset += chunk.length
    }
    return body
  }))

/**
 * Sends one request to the authorization server and reads the whole response:
 *
 * - redirects are never followed: `FetchHttpClient` gets `redirect: "manual"` (merged
 *   into the calling context's `RequestInit`), and any 3xx from any client is a
 *   `TransportError` (`Redirect`), so a credential never reaches another URL;
 * - a body of a declared length within `maxResponseBytes`, not compressed, is read
 *   whole; any other body is read as a stream and abandoned past the cap (`TooLarge`);
 * - sending and reading together are bounded by `timeout` (`Timeout`), and every
 *   reader of the body runs in time linear in it, so the cap bounds parsing too;
 * - every `TransportError` says whether the request may have reached the server
 *   (`requestSent`): only a connection that was never made is `false`;
 * - trace context (`traceparent`, `b3`) goes to another party's server only when
 *   `tracePropagation` is on;
 * - with `hideUrl` (credentials in the query string), the platform's span, whose
 *   attributes hold the full URL, is not recorded.
 *
 * @internal
 */
export const send = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  endpoint: URL,
  limits: Limits,
  hideUrl = false
): Effect.Effect<RawResponse, TransportError> => {
  const method = request.method
  const named = where(endpoint)
  const fail = (reason: TransportError["reason"], detail: string, status?: number) =>
    new TransportError({
      reason,
      method,
      endpoint: named,
      detail,
      ...(status === undefined ? {} : { status }),
      requestSent: true
    })
  const tooLarge = () => fail("TooLarge", `response body exceeds ${limits.maxResponseBytes} bytes`)
  return Effect.gen(function*() {
    const response = yield* client.execute(request).pipe(Effect.mapError(TransportError.fromHttpClientError))
    if (response.status >= 300 && response.status < 400) {
      const location = locationOrigin(response.headers["location"], endpoint)
      return yield* fail(
        "Redirect",
        `redirects are not followed${location === undefined ? "" : ` (to ${location})`}`,
        response.status
      )
    }
    const headers = response.headers
    const declared = headers["content-length"]
    const length = declared === undefined ? Number.NaN : Number(declared)
    if (Number.isFinite(length) && length > limits.maxResponseBytes) return yield* tooLarge()
    const encoding = headers["content-encoding"]
    if (Number.isInteger(length) && length >= 0 && (encoding === undefined || encoding === "identity")) {
      // A declared length within the cap, not compressed: read it whole in one step
      // (the HTTP client holds the body to that length); the cap is checked again
      // after. A compressed body's length says nothing of what it inflates to: it is
      // read as a stream, and abandoned at the cap.
      const whole = yield* response.arrayBuffer.pipe(Effect.mapError(TransportError.fromHttpClientError))
      if (whole.byteLength > limits.maxResponseBytes) return yield* tooLarge()
      return { status: response.status, headers, body: new Uint8Array(whole) }
    }
    const body = yield* readBody(
      response.stream.pipe(
        // A response without a body (a bare 401) is an empty body, not a failure.
        Stream.catchAll((error) =>
          error.reason === "EmptyBody" ? Stream.empty : Stream.fail(TransportError.fromHttpClientError(error))
        )
      ),
      limits.maxResponseBytes,
      tooLarge
    )
    return { status: response.status, headers, body }
  }).pipe(
    Effect.timeoutFail({
      duration: limits.timeout,
      onTimeout: () => fail("Timeout", `no complete response within ${Duration.format(limits.timeout)}`)
    }),
    (effect) =>
      // Each setting is changed only where the fiber's own value differs from it:
      // one read of the fiber's state instead of a scoped change per setting.
      Effect.withFiberRuntime<RawResponse, TransportError>((fiber) => {
        let out = effect
        if (hideUrl) out = Effect.locally(out, HttpClient.currentTracerDisabledWhen, hidden)
        if (fiber.getFiberRef(HttpClient.currentTracerPropagation) !== limits.tracePropagation) {
          out = Effect.locally(out, HttpClient.currentTracerPropagation, limits.tracePropagation)
        }
        if (request.headers["dpop"] !== undefined) out = withCredentialHeadersRedacted(out)
        const context = fiber.getFiberRef(FiberRef.currentContext)
        const manual = Redirects.manualContext(context)
        return manual === context ? out : Effect.locally(out, FiberRef.currentContext, manual)
      })
  )
}

const hidden = () => true

/**
 * GETs a document (discovery metadata, a key set, resource metadata) with {@link send};
 * a 429 or 5xx is a `TransportError`, since retrying later may succeed. Any other
 * status is the caller's to judge.
 *
 * @internal
 */
export const getDocument = (
  client: HttpClient.HttpClient,
  url: URL,
  limits: Limits,
  options: { readonly accept: string; readonly headers?: Readonly<Record<string, string>> | undefined; readonly what: string }
): Effect.Effect<RawResponse, TransportError> =>
  Effect.gen(function*() {
    const request = HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders({ accept: options.accept, ...options.headers }))
    const response = yield* send(client, request, url, limits)
    if (response.status === 429 || response.status >= 500) {
      return yield* new TransportError({
        reason: "Transport",
        method: "GET",
        endpoint: where(url),
        status: response.status,
        detail: `${options.what} temporarily unavailable`,
        requestSent: true
      })
    }
    return response
  })

/**
 * The platform records request headers on its spans, redacting `authorization`
 * and cookies; a DPoP proof (RFC 9449) is a credential too, so it is redacted
 * as well. @internal
 */
export const withCredentialHeadersRedacted = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locallyWith(self, Headers.currentRedactedNames, (names) => names.includes("dpop") ? names : [...names, "dpop"])

const locationOrigin = (location: string | undefined, base: URL): string | undefined => {
  if (location === undefined) return undefined
  try {
    const url = new URL(location, base)
    return `${url.origin}${url.pathname}`
  } catch {
    return undefined
  }
}

const decoder = new TextDecoder("utf-8", { fatal: false })

/** The body as text, a UTF-8 byte order mark dropped. @internal */
export const text = (body: Uint8Array): string => decoder.decode(body).replace(/^\uFEFF/, "")

/**
 * A JSON object body (linear-time, nesting-limited; a member sent twice or nested
 * too deeply makes it no object), or `undefined`. @internal
 */
export const jsonObject = (body: Uint8Array): Record<string, unknown> | undefined => {
  const json = Json.parseObject(text(body))
  return json._tag === "Object" && json.duplicates.length === 0 && json.dropped.length === 0 ? json.fields : undefined
}

/** @internal */
export interface ErrorContext {
  readonly endpoint: string
  readonly quirks?: TokenResponseQuirks | undefined
  readonly secrets: ReadonlyArray<Redacted.Redacted<string>>
}

/**
 * Reads a failed response of a non-token endpoint (revocation, introspection, PAR,
 * device, registration) with the one error-body reader (`TokenResponse.parseError`):
 * an RFC 6749 §5.2 error body (RFC 7009 §2.2.1 and RFC 7662 §2.3 use the same
 * shape) becomes an `OAuthError`, every credential sent masked; anything else an
 * `InvalidTokenResponse` (`UnexpectedStatus`, `retry` for 429 and 5xx such as
 * RFC 7009's 503).
 *
 * @internal
 */
export const failure = (
  response: RawResponse,
  context: ErrorContext
): Effect.Effect<never, OAuthError | InvalidTokenResponse> =>
  Effect.flatMap(Clock.currentTimeMillis, (requestedAt) =>
    Effect.fail(tokenResponse.parseError(response, {
      requestedAt,
      quirks: context.quirks,
      endpoint: context.endpoint,
      secrets: context.secrets
    })))

/** A secret-free view of a body: field names for JSON, the media type otherwise. @internal */
export const excerptOf = (
  response: RawResponse,
  body: Record<string, unknown> | undefined = jsonObject(response.body)
): { readonly excerpt?: string } => {
  if (body !== undefined) return { excerpt: `JSON fields ${Object.keys(body).join(", ")}` }
  if (response.body.length === 0) return {}
  const type = response.headers["content-type"]?.split(";")[0]?.trim()
  return { excerpt: `${response.body.length} bytes${type === undefined ? "" : ` of ${type}`}` }
}
