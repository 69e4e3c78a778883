import { Callback, OAuthClient, OAuthError, Provider, TokenSet } from "@effect-oauth/core"
import { FetchHttpClient, HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Spans } from "@effect-oauth/testing"
import * as Http from "node:http"
import { gzipSync } from "node:zlib"
import type { AddressInfo } from "node:net"
import { Effect, Fiber, Layer, Option, Redacted, TestClock } from "effect"

// The RFC 9700 defaults of every request the client sends: no redirects, a size
// cap, a timeout, https only, and no credential in any error or span.

const clientSecret = "s3cr3t-client-value"

const provider = Provider.make({
  name: "example",
  issuer: "https://as.example.com",
  authorizationEndpoint: "https://as.example.com/authorize",
  tokenEndpoint: "https://as.example.com/token",
  revocationEndpoint: "https://as.example.com/revoke"
})

const client: OAuthClient.Client = {
  clientId: "client-1",
  clientSecret: Redacted.make(clientSecret),
  redirectUri: "https://client.example.com/cb"
}

const stubLayer = (respond: (request: Parameters<Parameters<typeof HttpClient.make>[0]>[0]) => Effect.Effect<Response, HttpClientError.HttpClientError>) => {
  const calls: Array<string> = []
  const layer = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request, url) => {
      calls.push(url.toString())
      return Effect.map(respond(request), (response) => HttpClientResponse.fromWeb(request, response))
    })
  )
  return { calls, layer }
}

const tokenJson = () =>
  new Response(JSON.stringify({ access_token: "at", token_type: "Bearer" }), {
    headers: { "content-type": "application/json" }
  })

const held = TokenSet.make({ accessToken: "at-0", refreshToken: "refresh-secret-value", issuedAt: 0 })

const everyRendering = (error: unknown): string => {
  const e = error as Error
  return [e.message, String(e), JSON.stringify(e), Object.values(e).map(String).join(" ")].join("\n")
}

describe("security / redirects", () => {
  it.effect("refuses a 3xx from the token endpoint with TransportError Redirect and sends one request only", () =>
    Effect.gen(function*() {
      for (const status of [301, 302, 303, 307, 308]) {
        const { calls, layer } = stubLayer(() =>
          Effect.succeed(new Response(null, { status, headers: { location: "https://evil.example/collect?x=1" } }))
        )
        const oauth = yield* OAuthClient.make({ provider, client }).pipe(Effect.provide(layer))
        const error = yield* Effect.flip(oauth.refresh(held))
        expect(error).toMatchObject({
          _tag: "TransportError",
          reason: "Redirect",
          status,
          method: "POST",
          endpoint: "https://as.example.com/token"
        })
        expect(error.message).toContain("https://evil.example/collect")
        expect(error.message).not.toContain("x=1")
        expect(calls).toHaveLength(1)
      }
    }))

  it.scoped("does not follow a 307 with FetchHttpClient: the credentials never reach the redirect target", () =>
    Effect.gen(function*() {
      const targetBodies: Array<string> = []
      const target = yield* server((_request, body, response) => {
        targetBodies.push(body)
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({ access_token: "stolen", token_type: "Bearer" }))
      })
      const origin = yield* server((_request, _body, response) => {
        response.writeHead(307, { location: `${target}/collect` })
        response.end()
      })
      const oauth = yield* OAuthClient.make({
        provider: { ...provider, tokenEndpoint: `${origin}/token` },
        client: { ...client, authMethod: "client_secret_post" }
      })
      const error = yield* Effect.flip(oauth.refresh(held))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Redirect", status: 307 })
      expect(targetBodies).toEqual([])
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})

describe("security / response limits", () => {
  it.effect("stops at maxResponseBytes when Content-Length announces more (TooLarge)", () =>
    Effect.gen(function*() {
      const { layer } = stubLayer(() =>
        Effect.succeed(new Response("x".repeat(2048), { headers: { "content-length": "2048" } }))
      )
      const oauth = yield* OAuthClient.make({ provider, client, maxResponseBytes: 1024 }).pipe(Effect.provide(layer))
      expect(yield* Effect.flip(oauth.refresh(held))).toMatchObject({ _tag: "TransportError", reason: "TooLarge" })
    }))

  it.effect("refuses a body longer than the cap even when its Content-Length announced less", () =>
    Effect.gen(function*() {
      // A conforming HTTP client frames the body by its Content-Length (RFC 9112 §6.3);
      // a stub that does not must still not hand a body past the cap to the parser.
      const body = JSON.stringify({ access_token: "at", token_type: "Bearer", padding: "x".repeat(2048) })
      const { layer } = stubLayer(() => Effect.succeed(new Response(body, { headers: { "content-length": "64" } })))
      const oauth = yield* OAuthClient.make({ provider, client, maxResponseBytes: 1024 }).pipe(Effect.provide(layer))
      expect(yield* Effect.flip(oauth.refresh(held))).toMatchObject({ _tag: "TransportError", reason: "TooLarge" })
    }))

  it.effect("reads a body of announced length within the cap whole", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({ access_token: "at-announced", token_type: "Bearer" })
      const { layer } = stubLayer(() =>
        Effect.succeed(new Response(body, { headers: { "content-length": String(body.length), "content-type": "application/json" } }))
      )
      const oauth = yield* OAuthClient.make({ provider, client, maxResponseBytes: body.length }).pipe(Effect.provide(layer))
      expect(Redacted.value((yield* oauth.refresh(held)).accessToken)).toBe("at-announced")
    }))

  it.scoped("reads a compressed body as a stream, stopping at the cap before it has all arrived (FetchHttpClient)", () =>
    Effect.gen(function*() {
      // A few KiB of gzip announce their length; the first half alone inflates past
      // the 1 MiB cap, and the rest never comes. Read as a stream, the answer stops
      // at the cap; read whole, it would wait for the rest until the time limit.
      const compressed = gzipSync(JSON.stringify({ access_token: "at", padding: "x".repeat(16 * 1024 * 1024) }))
      expect(compressed.length).toBeLessThan(64 * 1024)
      const origin = yield* server((_request, _body, response) => {
        response.writeHead(200, {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": String(compressed.length)
        })
        response.write(compressed.subarray(0, Math.floor(compressed.length / 2)))
      })
      const oauth = yield* OAuthClient.make({
        provider: { ...provider, tokenEndpoint: `${origin}/token` },
        client,
        timeout: "3 seconds"
      })
      const error = yield* Effect.flip(oauth.refresh(held))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "TooLarge" })
    }).pipe(Effect.provide(FetchHttpClient.layer)), 20_000)

  it.live("a body that stops arriving ends at the time limit (FetchHttpClient, real time)", () =>
    Effect.gen(function*() {
      const origin = yield* server((_request, _body, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        response.write(`{"access_token":"at","token_type":"Bearer","padding":"`)
      })
      const oauth = yield* OAuthClient.make({
        provider: { ...provider, tokenEndpoint: `${origin}/token` },
        client,
        timeout: "1 second"
      })
      const error = yield* Effect.flip(oauth.refresh(held))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)), 20_000)

  it.effect("reads a body of unannounced length as a stream and abandons it at the cap", () =>
    Effect.gen(function*() {
      let pulls = 0
      let cancelled = false
      const endless = () =>
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulls++
            controller.enqueue(new Uint8Array(64 * 1024).fill(97))
          },
          cancel() {
            cancelled = true
          }
        })
      const { layer } = stubLayer(() => Effect.succeed(new Response(endless())))
      const oauth = yield* OAuthClient.make({ provider, client }).pipe(Effect.provide(layer))
      const error = yield* Effect.flip(oauth.refresh(held))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "TooLarge" })
      expect(error.message).toContain("1048576 bytes")
      expect(pulls).toBeLessThan(20)
      expect(cancelled).toBe(true)
    }))

  it.effect("accepts a body of exactly maxResponseBytes", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({ access_token: "at", token_type: "Bearer" })
      const { layer } = stubLayer(() => Effect.succeed(new Response(body)))
      const oauth = yield* OAuthClient.make({ provider, client, maxResponseBytes: body.length }).pipe(Effect.provide(layer))
      expect(Redacted.value((yield* oauth.refresh(held)).accessToken)).toBe("at")
      const smaller = yield* OAuthClient.make({ provider, client, maxResponseBytes: body.length - 1 }).pipe(
        Effect.provide(layer)
      )
      expect(yield* Effect.flip(smaller.refresh(held))).toMatchObject({ reason: "TooLarge" })
    }))

  it.effect("fails with TransportError Timeout after 30 seconds by default", () =>
    Effect.gen(function*() {
      const { layer } = stubLayer(() => Effect.never)
      const oauth = yield* OAuthClient.make({ provider, client }).pipe(Effect.provide(layer))
      const fiber = yield* Effect.fork(Effect.flip(oauth.refresh(held)))
      yield* TestClock.adjust("29999 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Timeout", endpoint: "https://as.example.com/token" })
    }))

  it.effect("honours Options.timeout, for revocation too", () =>
    Effect.gen(function*() {
      const { layer } = stubLayer(() => Effect.never)
      const oauth = yield* OAuthClient.make({ provider, client, timeout: "5 seconds" }).pipe(Effect.provide(layer))
      const fiber = yield* Effect.fork(Effect.flip(oauth.revoke(held)))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
    }))
})

describe("security / no credential in errors or spans", () => {
  const facebookLike = {
    provider: { ...provider, requests: { tokenMethod: "GET" as const } },
    client: { ...client, authMethod: "client_secret_post" as const }
  }

  it.effect("wraps a transport failure without the request, its query or the cause (GET token endpoint)", () =>
    Effect.gen(function*() {
      const { layer } = stubLayer((request) =>
        Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: Object.assign(new Error(`connect failed for ${request.url}?client_secret=${clientSecret}`), {
              code: "ECONNREFUSED"
            })
          })
        )
      )
      const oauth = yield* OAuthClient.make(facebookLike).pipe(Effect.provide(layer))
      const error = yield* Effect.flip(oauth.refresh(held))
      expect(error).toMatchObject({ _tag: "TransportError", reason: "Transport", method: "GET", endpoint: "https://as.example.com/token" })
      expect(error.message).toContain("ECONNREFUSED")
      const text = everyRendering(error)
      expect(text).not.toContain(clientSecret)
      expect(text).not.toContain("refresh-secret-value")
      expect(text).not.toContain("?")
    }))

  it.effect("TransportError.fromHttpClientError keeps only method, origin+path, status and reason", () =>
    Effect.sync(() => {
      const request = HttpClientRequest.get(`https://as.example.com/token?client_secret=${clientSecret}`)
      const error = OAuthError.TransportError.fromHttpClientError(
        new HttpClientError.ResponseError({
          request,
          response: HttpClientResponse.fromWeb(request, new Response(null, { status: 502 })),
          reason: "StatusCode",
          cause: new Error(clientSecret)
        })
      )
      expect(error).toMatchObject({ method: "GET", endpoint: "https://as.example.com/token", status: 502, reason: "Transport" })
      expect(everyRendering(error)).not.toContain(clientSecret)
      const decode = OAuthError.TransportError.fromHttpClientError(
        new HttpClientError.ResponseError({
          request,
          response: HttpClientResponse.fromWeb(request, new Response(null, { status: 200 })),
          reason: "Decode"
        })
      )
      expect(decode.reason).toBe("Decode")
    }))

  it.effect("keeps the token URL (and its client_secret) out of every span of a GET token request", () =>
    Effect.gen(function*() {
      const { layer } = stubLayer(() => Effect.succeed(tokenJson()))
      const oauth = yield* OAuthClient.make(facebookLike).pipe(Effect.provide(layer))
      const { spans } = yield* Spans.record(oauth.refresh(held))
      expect(spans.map((span) => span.name)).toContain("OAuthClient.refresh")
      for (const span of spans) {
        const attributes = JSON.stringify(Array.from(span.attributes.entries()))
        expect(attributes).not.toContain(clientSecret)
        expect(attributes).not.toContain("refresh-secret-value")
      }
    }))

  it.effect("keeps credentials out of the messages of token endpoint errors", () =>
    Effect.gen(function*() {
      const { layer } = stubLayer(() =>
        Effect.succeed(
          new Response(
            JSON.stringify({ error: "invalid_grant", error_description: `refresh-secret-value and ${clientSecret} rejected` }),
            { status: 400, headers: { "content-type": "application/json" } }
          )
        )
      )
      const oauth = yield* OAuthClient.make({ provider, client }).pipe(Effect.provide(layer))
      const error = yield* Effect.flip(oauth.refresh(held))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_grant" })
      expect(everyRendering(error)).not.toContain(clientSecret)
      expect(everyRendering(error)).not.toContain("refresh-secret-value")
    }))

  it.effect("masks the revoked token in a revocation error description", () =>
    Effect.gen(function*() {
      const { layer } = stubLayer(() =>
        Effect.succeed(
          new Response(JSON.stringify({ error: "invalid_request", error_description: "bad token refresh-secret-value" }), {
            status: 400,
            headers: { "content-type": "application/json" }
          })
        )
      )
      const oauth = yield* OAuthClient.make({ provider, client }).pipe(Effect.provide(layer))
      const error = yield* Effect.flip(oauth.revoke(held))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_request" })
      expect(everyRendering(error)).not.toContain("refresh-secret-value")
    }))

  // The state and nonce travel in the URL the user agent is sent to; the PKCE
  // verifier is the request's one secret and never leaves the client before the exchange.
  it.effect("never prints the PKCE verifier of an authorization request, nor the code of a callback", () =>
    Effect.gen(function*() {
      const { layer } = stubLayer(() => Effect.succeed(tokenJson()))
      const oauth = yield* OAuthClient.make({ provider, client }).pipe(Effect.provide(layer))
      const request = yield* oauth.authorizationUrl({ scopes: ["openid"] })
      const printed = [String(request), JSON.stringify(request)].join("\n")
      expect(printed).not.toContain(Redacted.value(request.codeVerifier!))
      expect(request.url).not.toContain(Redacted.value(request.codeVerifier!))
      const response = yield* Callback.parse(
        new URLSearchParams({ code: "the-code-value", state: Redacted.value(request.state) }),
        request
      )
      expect(`${String(response)} ${JSON.stringify(response)}`).not.toContain("the-code-value")
    }))
})

describe("security / https", () => {
  it.effect("refuses insecure endpoints in the client and in discovery metadata", () =>
    Effect.gen(function*() {
      const { layer } = stubLayer(() => Effect.succeed(tokenJson()))
      const error = yield* Effect.flip(
        OAuthClient.make({ provider: { ...provider, authorizationEndpoint: "http://as.example.com/a" }, client }).pipe(
          Effect.provide(layer)
        )
      )
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InsecureUrl" })
      const discovery = yield* Effect.flip(Provider.discover("http://as.example.com").pipe(Effect.provide(layer)))
      expect(discovery).toMatchObject({ _tag: "ConfigurationError", reason: "InsecureUrl" })
    }))
})

const server = (
  handle: (request: Http.IncomingMessage, body: string, response: Http.ServerResponse) => void
) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly server: Http.Server }>((resume) => {
      const instance = Http.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => handle(request, Buffer.concat(chunks).toString(), response))
      })
      instance.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ url: `http://127.0.0.1:${(instance.address() as AddressInfo).port}`, server: instance })))
    }),
    ({ server }) => Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
      // A response left open by the test (a body that never ends) must not hold the close.
      server.closeAllConnections()
    })
  ).pipe(Effect.map(({ url }) => url))
