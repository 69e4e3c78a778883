import { FetchHttpClient, HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Callback, NonceGenerator, OAuth1Client, Signature, TemporaryCredentials, TokenCredentials } from "@effect-oauth/oauth1"
import { describe, expect, it } from "@effect/vitest"
import * as Crypto from "node:crypto"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Exit, Fiber, Layer, Redacted, Stream, TestClock } from "effect"

// A small OAuth 1.0a server for the happy path. It checks every signature with
// its own reading of RFC 5849 §3.4 (encodeURIComponent-based encoding, the Host
// header for the base string URI), so a wrong base string in the client fails.

const encode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const consumerKey = "key+of/printer"
const consumerSecret = "kd94hf93k423kf44 & é"
const temporaryToken = "hh5s+93j/4hd="
const temporarySecret = "hdhd0244 k9j7&ao03"
const verifierValue = "hfdp7dh39dks9884"
const accessTokenValue = "nnch734d00sl2jdk~"
const accessSecret = "pfkkdhi9sl3r4s00+/é"

interface Seen {
  readonly path: string
  readonly oauth: Readonly<Record<string, string>>
  readonly body: ReadonlyArray<readonly [string, string]>
}

const problem = (response: Http.ServerResponse, status: number, code: string) => {
  response.writeHead(status, {
    "content-type": "application/x-www-form-urlencoded",
    "www-authenticate": `OAuth realm="Photos", oauth_problem="${code}"`
  })
  response.end(`oauth_problem=${code}`)
}

const testServer = Effect.acquireRelease(
  Effect.async<{ readonly origin: string; readonly seen: Array<Seen>; readonly server: Http.Server }>((resume) => {
    const seen: Array<Seen> = []
    const nonces = new Set<string>()
    let temporaryIssued = false
    let verifierIssued = false
    const server = Http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const url = new URL(request.url ?? "/", `http://${request.headers.host}`)
        if (request.method === "GET" && url.pathname === "/oauth/authorize") {
          // The user signs in and approves; the server redirects to the callback.
          if (!temporaryIssued || url.searchParams.get("oauth_token") !== temporaryToken) {
            return problem(response, 400, "token_rejected")
          }
          verifierIssued = true
          const callback = new URL("http://127.0.0.1/callback?session=1")
          callback.searchParams.append("oauth_token", temporaryToken)
          callback.searchParams.append("oauth_verifier", verifierValue)
          response.writeHead(302, { location: callback.toString() })
          return response.end()
        }
        const header = request.headers.authorization ?? ""
        const parameters = Array.from(
          header.replace(/^OAuth\s+/, "").matchAll(/([^\s=,]+)="([^"]*)"/g),
          ([, name = "", value = ""]) => [decodeURIComponent(name), decodeURIComponent(value)] as const
        ).filter(([name]) => name !== "realm")
        const oauth = Object.fromEntries(parameters)
        const text = Buffer.concat(chunks).toString("utf8")
        const body = request.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")
          ? Array.from(new URLSearchParams(text))
          : []
        seen.push({ path: url.pathname, oauth, body })
        const tokenSecret = oauth["oauth_token"] === undefined
          ? ""
          : oauth["oauth_token"] === temporaryToken
          ? temporarySecret
          : oauth["oauth_token"] === accessTokenValue
          ? accessSecret
          : undefined
        if (!header.startsWith("OAuth ") || oauth["oauth_consumer_key"] !== consumerKey || tokenSecret === undefined) {
          return problem(response, 401, "consumer_key_unknown")
        }
        const nonce = oauth["oauth_nonce"] ?? ""
        if (nonce === "" || nonces.has(nonce)) return problem(response, 401, "nonce_used")
        nonces.add(nonce)
        const normalized = [
          ...url.searchParams,
          ...parameters.filter(([name]) => name !== "oauth_signature"),
          ...body
        ]
          .map(([name, value]) => [encode(name), encode(value)])
          .sort(([n1 = "", v1 = ""], [n2 = "", v2 = ""]) => n1 === n2 ? (v1 < v2 ? -1 : 1) : n1 < n2 ? -1 : 1)
          .map(([name, value]) => `${name}=${value}`)
          .join("&")
        const base = [
          request.method ?? "",
          encode(`http://${(request.headers.host ?? "").toLowerCase()}${url.pathname}`),
          encode(normalized)
        ].join("&")
        const expected = Crypto.createHmac("sha1", `${encode(consumerSecret)}&${encode(tokenSecret)}`)
          .update(base)
          .digest("base64")
        if (oauth["oauth_signature_method"] !== "HMAC-SHA1" || oauth["oauth_signature"] !== expected) {
          return problem(response, 401, "signature_invalid")
        }
        const form = (fields: Record<string, string>) => {
          response.writeHead(200, { "content-type": "application/x-www-form-urlencoded" })
          response.end(new URLSearchParams(fields).toString())
        }
        if (request.method === "POST" && url.pathname === "/oauth/request_token") {
          if (oauth["oauth_callback"] === undefined) return problem(response, 400, "parameter_absent")
          temporaryIssued = true
          return form({
            oauth_token: temporaryToken,
            oauth_token_secret: temporarySecret,
            oauth_callback_confirmed: "true"
          })
        }
        if (request.method === "POST" && url.pathname === "/oauth/access_token") {
          if (!verifierIssued || oauth["oauth_token"] !== temporaryToken) return problem(response, 401, "token_rejected")
          if (oauth["oauth_verifier"] !== verifierValue) return problem(response, 401, "verifier_invalid")
          return form({
            oauth_token: accessTokenValue,
            oauth_token_secret: accessSecret,
            user_id: "6253282",
            screen_name: "jane"
          })
        }
        if (url.pathname.startsWith("/1.1/") && oauth["oauth_token"] === accessTokenValue) {
          response.writeHead(200, { "content-type": "application/json" })
          return response.end(JSON.stringify({ query: Array.from(url.searchParams), body }))
        }
        return problem(response, 401, "token_rejected")
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({ origin: `http://127.0.0.1:${port}`, seen, server }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
)

const endpointsOf = (origin: string): OAuth1Client.Endpoints => ({
  requestToken: `${origin}/oauth/request_token`,
  authorize: `${origin}/oauth/authorize`,
  accessToken: `${origin}/oauth/access_token`
})

const consumer: Signature.Consumer = { key: Redacted.make(consumerKey), secret: Redacted.make(consumerSecret) }

describe("OAuth1Client / three-legged flow against a verifying server", () => {
  it.scoped("obtains temporary credentials, a verifier and token credentials, then signs API calls", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_318_622_958_000)
      const { origin, seen } = yield* testServer
      const client = yield* OAuth1Client.make({
        endpoints: endpointsOf(origin),
        consumer,
        callback: "http://127.0.0.1/callback?session=1"
      }).pipe(Effect.provide(FetchHttpClient.layer))

      const temporary = yield* client.requestToken({ params: { x_auth_access_type: "write" } })
      expect(Redacted.value(temporary.token)).toBe(temporaryToken)
      expect(Redacted.value(temporary.tokenSecret)).toBe(temporarySecret)

      const url = new URL(client.authorizationUrl(temporary, { force_login: "true" }))
      expect(url.pathname).toBe("/oauth/authorize")
      expect(url.searchParams.get("oauth_token")).toBe(temporaryToken)
      expect(url.searchParams.get("force_login")).toBe("true")

      // The user's browser follows the authorization URL and lands on the callback.
      const location = yield* Effect.promise(() =>
        fetch(url, { redirect: "manual" }).then((response) => response.headers.get("location") ?? "")
      )
      const verifier = yield* Callback.parse(location, temporary)
      const tokens = yield* client.accessToken(temporary, verifier)
      expect(Redacted.value(tokens.token)).toBe(accessTokenValue)
      expect(Redacted.value(tokens.tokenSecret)).toBe(accessSecret)
      expect(tokens.issuedAt).toBe(1_318_622_958_000)
      expect(TokenCredentials.extraField(tokens, "screen_name")).toBe("jane")
      expect(TokenCredentials.extraField(tokens, "user_id")).toBe("6253282")

      const api = client.httpClient(tokens)
      const read = yield* api.get(`${origin}/1.1/account/verify_credentials.json`, {
        urlParams: { include_email: "true", q: "a b+c!*'()~" }
      })
      expect(read.status).toBe(200)
      const write = yield* api.execute(
        HttpClientRequest.post(`${origin}/1.1/statuses/update.json?include_entities=true`).pipe(
          HttpClientRequest.bodyUrlParams({ status: "Hello Ladies + Gentlemen, a signed OAuth request! ☃" })
        )
      )
      expect(write.status).toBe(200)
      expect(yield* write.json).toEqual({
        query: [["include_entities", "true"]],
        body: [["status", "Hello Ladies + Gentlemen, a signed OAuth request! ☃"]]
      })

      expect(seen.map((request) => request.path)).toEqual([
        "/oauth/request_token",
        "/oauth/access_token",
        "/1.1/account/verify_credentials.json",
        "/1.1/statuses/update.json"
      ])
      expect(seen[0]?.oauth["oauth_callback"]).toBe("http://127.0.0.1/callback?session=1")
      expect(seen[0]?.body).toEqual([["x_auth_access_type", "write"]])
      expect(seen[0]?.oauth["oauth_token"]).toBeUndefined()
      expect(seen[1]?.oauth["oauth_verifier"]).toBe(verifierValue)
      for (const request of seen) {
        expect(request.oauth["oauth_timestamp"]).toBe("1318622958")
        expect(request.oauth["oauth_version"]).toBe("1.0")
      }
      expect(new Set(seen.map((request) => request.oauth["oauth_nonce"])).size).toBe(seen.length)
    }))

  it.scoped("reports the server's signature_invalid for a wrong consumer secret, printing no secret", () =>
    Effect.gen(function*() {
      const { origin } = yield* testServer
      const wrong = "not-the-consumer-secret-0123456789"
      const client = yield* OAuth1Client.make({
        endpoints: endpointsOf(origin),
        consumer: { key: Redacted.make(consumerKey), secret: Redacted.make(wrong) }
      }).pipe(Effect.provide(FetchHttpClient.layer))
      const error = yield* Effect.flip(client.requestToken())
      expect(error._tag).toBe("OAuth1Error")
      if (error._tag !== "OAuth1Error") return
      expect(error.problem).toBe("signature_invalid")
      expect(error.status).toBe(401)
      expect(error.remedy).toBe("fixConfiguration")
      expect(error.isTerminal).toBe(true)
      expect(error.message).toBe(
        `oauth_problem=signature_invalid (HTTP 401 from ${origin}/oauth/request_token; remedy: fixConfiguration)`
      )
      expect(`${error.message} ${String(error)} ${JSON.stringify(error)}`).not.toContain(wrong)
    }))

  it.scoped("is refused token credentials for a verifier the server did not issue", () =>
    Effect.gen(function*() {
      const { origin } = yield* testServer
      const client = yield* OAuth1Client.make({ endpoints: endpointsOf(origin), consumer }).pipe(
        Effect.provide(FetchHttpClient.layer)
      )
      const temporary = yield* client.requestToken()
      yield* Effect.promise(() => fetch(client.authorizationUrl(temporary), { redirect: "manual" }))
      const error = yield* Effect.flip(client.accessToken(temporary, Callback.outOfBand(temporary, "guessed")))
      expect(error._tag === "OAuth1Error" && error.problem).toBe("verifier_invalid")
      expect(error._tag === "OAuth1Error" && error.remedy).toBe("reauthorize")
    }))
})

// Responses the verifying server never sends, from `HttpClient.make` stubs.

type Reply = { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }

const stubLayer = (reply: (request: HttpClientRequest.HttpClientRequest) => Reply) =>
  Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.sync(() => {
        const { body, headers, status } = reply(request)
        return HttpClientResponse.fromWeb(request, new Response(body ?? null, { status, headers: headers ?? {} }))
      })
    )
  )

const endpoints = endpointsOf("https://photos.example.net")
const temporary = TemporaryCredentials.make({ token: "hh5s93j4hdidpola", tokenSecret: "hdhd0244k9j7ao03" })
const secretValue = "ZmFrZS10b2tlbi1zZWNyZXQtdmFsdWUtMTIzNDU2Nzg5MA"

describe("OAuth1Client / provider responses", () => {
  const rows: ReadonlyArray<{
    readonly name: string
    readonly reply: Reply
    readonly tag: string
    readonly fields: Record<string, unknown>
    readonly message?: string
  }> = [
    {
      name: "a response without oauth_callback_confirmed is a pre-1.0a server",
      reply: { status: 200, body: `oauth_token=t&oauth_token_secret=${secretValue}` },
      tag: "InvalidResponse",
      fields: { reason: "CallbackNotConfirmed", field: "oauth_callback_confirmed", remedy: "fixConfiguration" }
    },
    {
      name: "oauth_callback_confirmed=false is refused too",
      reply: { status: 200, body: `oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=false` },
      tag: "InvalidResponse",
      fields: { reason: "CallbackNotConfirmed" }
    },
    {
      name: "an oauth_problem in WWW-Authenticate (Problem Reporting) with its details",
      reply: {
        status: 401,
        headers: {
          "www-authenticate":
            `OAuth realm="Photos", oauth_problem="timestamp_refused", oauth_acceptable_timestamps="137131200-137131800"`
        }
      },
      tag: "OAuth1Error",
      fields: {
        problem: "timestamp_refused",
        remedy: "retry",
        status: 401,
        details: { oauth_acceptable_timestamps: "137131200-137131800" }
      },
      message: "oauth_problem=timestamp_refused (HTTP 401 from https://photos.example.net/oauth/request_token; " +
        "remedy: retry; oauth_acceptable_timestamps=137131200-137131800)"
    },
    {
      name: "an oauth_problem in a form body with advice and the absent parameters",
      reply: {
        status: 400,
        body: "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_callback&oauth_problem_advice=send%20a%20callback"
      },
      tag: "OAuth1Error",
      fields: {
        problem: "parameter_absent",
        advice: "send a callback",
        remedy: "fixConfiguration",
        details: { oauth_parameters_absent: "oauth_callback" }
      }
    },
    {
      name: "an oauth_problem inside an HTTP 200",
      reply: { status: 200, body: "oauth_problem=consumer_key_refused" },
      tag: "OAuth1Error",
      fields: { problem: "consumer_key_refused", status: 200, remedy: "retry" }
    },
    {
      name: "an HTML error page is an unexpected status, retried on 5xx, its token-like text masked",
      reply: { status: 503, body: `<html><body>Upstream failed for oauth_token_secret ${secretValue}</body></html>` },
      tag: "InvalidResponse",
      fields: { reason: "UnexpectedStatus", status: 503, remedy: "retry" }
    },
    {
      name: "a JSON body is not a form body; only its field names are shown",
      reply: { status: 200, body: JSON.stringify({ oauth_token: "t", oauth_token_secret: secretValue }) },
      tag: "InvalidResponse",
      fields: { reason: "NotForm" },
      message: "invalid OAuth 1.0a response (NotForm): HTTP 200 from https://photos.example.net/oauth/request_token; " +
        "body: JSON fields oauth_token, oauth_token_secret"
    },
    {
      name: "an empty body",
      reply: { status: 200, body: "" },
      tag: "InvalidResponse",
      fields: { reason: "EmptyBody" }
    },
    {
      name: "a missing oauth_token names the field, not the values",
      reply: { status: 200, body: `oauth_token_secret=${secretValue}&oauth_callback_confirmed=true` },
      tag: "InvalidResponse",
      fields: { reason: "MissingField", field: "oauth_token" },
      message: `invalid OAuth 1.0a response (MissingField "oauth_token"): HTTP 200 from ` +
        `https://photos.example.net/oauth/request_token; body: fields oauth_token_secret, oauth_callback_confirmed`
    },
    {
      name: "a repeated oauth_token",
      reply: { status: 200, body: `oauth_token=a&oauth_token=b&oauth_token_secret=s&oauth_callback_confirmed=true` },
      tag: "InvalidResponse",
      fields: { reason: "DuplicateField", field: "oauth_token" }
    },
    {
      name: "a redirect is never followed",
      reply: { status: 302, headers: { location: "https://elsewhere.example/" } },
      tag: "TransportError",
      // Sent through core's wire: the server may have acted on the request.
      fields: { reason: "Redirect", status: 302, remedy: "retry", requestSent: true }
    },
    {
      name: "a body over the size limit",
      reply: { status: 200, body: `oauth_token=${"a".repeat(5000)}` },
      tag: "InvalidResponse",
      fields: { reason: "TooLarge" }
    }
  ]

  for (const row of rows) {
    it.effect(row.name, () =>
      Effect.gen(function*() {
        const client = yield* OAuth1Client.make({ endpoints, consumer, maxResponseBytes: 4096 }).pipe(
          Effect.provide(stubLayer(() => row.reply))
        )
        const error = yield* Effect.flip(client.requestToken())
        expect(error._tag).toBe(row.tag)
        expect(error).toMatchObject(row.fields)
        if (row.message !== undefined) expect(error.message).toBe(row.message)
        const printed = `${error.message} ${String(error)} ${JSON.stringify(error)}`
        expect(printed).not.toContain(secretValue)
        expect(printed).not.toContain(consumerSecret)
      }))
  }

  it.effect("fails with a TransportError when the connection fails", () =>
    Effect.gen(function*() {
      const failing = Layer.succeed(
        HttpClient.HttpClient,
        HttpClient.make((request) => Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport" })))
      )
      const client = yield* OAuth1Client.make({ endpoints, consumer }).pipe(Effect.provide(failing))
      const error = yield* Effect.flip(client.requestToken())
      expect(error).toMatchObject({
        _tag: "TransportError",
        reason: "Transport",
        method: "POST",
        endpoint: "https://photos.example.net/oauth/request_token"
      })
    }))

  it.effect("times out a provider that does not answer", () =>
    Effect.gen(function*() {
      const silent = Layer.succeed(HttpClient.HttpClient, HttpClient.make(() => Effect.never))
      const client = yield* OAuth1Client.make({ endpoints, consumer, timeout: "10 seconds" }).pipe(
        Effect.provide(silent)
      )
      const fiber = yield* Effect.fork(client.requestToken())
      yield* TestClock.adjust("10 seconds")
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error).toMatchObject({
        _tag: "TransportError",
        reason: "Timeout"
      })
    }))

  it.effect("keeps the fields besides the token and secret of a token credentials response", () =>
    Effect.gen(function*() {
      const client = yield* OAuth1Client.make({ endpoints, consumer }).pipe(
        Effect.provide(stubLayer(() => ({
          status: 200,
          headers: { "content-type": "text/html; charset=utf-8" },
          body: "oauth_token=6253282-eWudHldSbIaelX7swmsiHImEL4KinwaGloHANdrY&oauth_token_secret=2EEfA6BG3ly3sR3RjE0IBSnlQu4ZrUzPiYKmrkVU&user_id=6253282&screen_name=twitterapi&__proto__=x"
        })))
      )
      const tokens = yield* client.accessToken(temporary, Callback.outOfBand(temporary, " 0384701 "))
      expect(Redacted.value(tokens.token)).toBe("6253282-eWudHldSbIaelX7swmsiHImEL4KinwaGloHANdrY")
      expect(TokenCredentials.extraField(tokens, "screen_name")).toBe("twitterapi")
      expect(TokenCredentials.extraField(tokens, "oauth_token")).toBeUndefined()
      expect(TokenCredentials.extraField(tokens, "__proto__")).toBeUndefined()
      expect(TokenCredentials.encode(tokens).extra).toEqual({ user_id: "6253282", screen_name: "twitterapi" })
    }))

  it.effect("sends the verifier and signs with the temporary credentials", () =>
    Effect.gen(function*() {
      let authorization = ""
      const client = yield* OAuth1Client.make({ endpoints, consumer }).pipe(
        Effect.provide(stubLayer((request) => {
          authorization = request.headers["authorization"] ?? ""
          return { status: 200, body: "oauth_token=a&oauth_token_secret=b" }
        }))
      )
      yield* client.accessToken(temporary, Callback.outOfBand(temporary, " 0384701 "))
      expect(authorization).toContain(`oauth_token="hh5s93j4hdidpola"`)
      expect(authorization).toContain(`oauth_verifier="0384701"`)
      expect(authorization).not.toContain("hdhd0244k9j7ao03")
    }))

  it.effect("refuses a verifier issued for other temporary credentials without a request", () =>
    Effect.gen(function*() {
      let requests = 0
      const client = yield* OAuth1Client.make({ endpoints, consumer }).pipe(
        Effect.provide(stubLayer(() => {
          requests++
          return { status: 200, body: "oauth_token=a&oauth_token_secret=b" }
        }))
      )
      const other = TemporaryCredentials.make({ token: "other", tokenSecret: "x" })
      const error = yield* Effect.flip(client.accessToken(temporary, Callback.outOfBand(other, "123")))
      expect(error._tag).toBe("TokenMismatch")
      expect(requests).toBe(0)
    }))
})

describe("OAuth1Client / configuration", () => {
  const make = (options: Partial<OAuth1Client.Options>) =>
    OAuth1Client.make({ endpoints, consumer, ...options }).pipe(
      Effect.provide(stubLayer(() => ({ status: 500 }))),
      Effect.flip
    )

  it.effect("refuses a plain http: endpoint that is not loopback", () =>
    Effect.gen(function*() {
      const error = yield* make({ endpoints: { ...endpoints, accessToken: "http://photos.example.net/token" } })
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InsecureUrl" })
      expect(error.message).toBe("InsecureUrl: endpoints.accessToken must be https: (http: only for loopback hosts)")
    }))

  it.effect("refuses an endpoint whose query has an oauth_ parameter (RFC 5849 §2)", () =>
    Effect.gen(function*() {
      const error = yield* make({ endpoints: { ...endpoints, authorize: "https://p.example/authorize?oauth_x=1" } })
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidUrl" })
    }))

  it.effect("refuses a callback that is neither an absolute URI nor oob", () =>
    Effect.gen(function*() {
      expect(yield* make({ callback: "/relative" })).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidUrl" })
      const client = yield* OAuth1Client.make({ endpoints, consumer }).pipe(
        Effect.provide(stubLayer(() => ({ status: 500 })))
      )
      const error = yield* Effect.flip(client.requestToken({ callback: "not a uri" }))
      expect(error).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidUrl" })
    }))

  it.effect("sends oob when no callback is configured", () =>
    Effect.gen(function*() {
      let authorization = ""
      const client = yield* OAuth1Client.make({ endpoints, consumer }).pipe(
        Effect.provide(stubLayer((request) => {
          authorization = request.headers["authorization"] ?? ""
          return { status: 200, body: "oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=true" }
        }))
      )
      const credentials = yield* client.requestToken()
      expect(authorization).toContain(`oauth_callback="oob"`)
      expect(credentials.callback).toBe("oob")
    }))

  it.effect("builds through its layer", () =>
    Effect.gen(function*() {
      const client = yield* OAuth1Client.OAuth1Client
      expect(client.authorizationUrl(temporary)).toBe(
        "https://photos.example.net/oauth/authorize?oauth_token=hh5s93j4hdidpola"
      )
    }).pipe(
      Effect.provide(
        OAuth1Client.layer({ endpoints, consumer }).pipe(Layer.provide(stubLayer(() => ({ status: 500 }))))
      )
    ))
})

describe("OAuth1Client / signed", () => {
  const token: Signature.Token = { token: Redacted.make("t"), tokenSecret: Redacted.make("ts") }
  const capture = () => {
    const requests: Array<HttpClientRequest.HttpClientRequest> = []
    const client = HttpClient.make((request) =>
      Effect.sync(() => {
        requests.push(request)
        return HttpClientResponse.fromWeb(request, new Response("{}", { status: 200 }))
      })
    )
    return { requests, client }
  }
  const signatureOf = (request: HttpClientRequest.HttpClientRequest | undefined) =>
    /oauth_signature="([^"]*)"/.exec(request?.headers["authorization"] ?? "")?.[1]

  it.effect("leaves a JSON body out of the signature", () =>
    Effect.gen(function*() {
      const { client, requests } = capture()
      const signedClient = OAuth1Client.signed(client, { consumer, token })
      yield* signedClient
        .execute(HttpClientRequest.post("https://api.example.com/items").pipe(HttpClientRequest.bodyUnsafeJson({ a: 1 })))
        .pipe(Effect.provideService(NonceGenerator.NonceGenerator, { next: Effect.succeed("n") }))
      const expected = yield* Signature.sign(
        { method: "POST", url: "https://api.example.com/items" },
        { consumer, token, nonce: "n", timestamp: "0" }
      )
      expect(requests[0]?.headers["authorization"]).toBe(Redacted.value(expected))
    }))

  it.effect("signs the form body and the query, so changing either changes the signature", () =>
    Effect.gen(function*() {
      const { client, requests } = capture()
      const signedClient = client.pipe(OAuth1Client.signed({ consumer, token }))
      const send = (query: string, status: string) =>
        signedClient
          .execute(
            HttpClientRequest.post(`https://api.example.com/statuses?${query}`).pipe(
              HttpClientRequest.bodyUrlParams({ status })
            )
          )
          .pipe(Effect.provideService(NonceGenerator.NonceGenerator, { next: Effect.succeed("n") }))
      yield* send("a=1", "x")
      yield* send("a=1", "y")
      yield* send("a=2", "x")
      yield* send("a=1", "x")
      const [first, body, query, again] = requests.map(signatureOf)
      expect(first).not.toBe(body)
      expect(first).not.toBe(query)
      expect(first).toBe(again)
    }))

  it.effect("refuses a form body given as a stream", () =>
    Effect.gen(function*() {
      const { client, requests } = capture()
      const error = yield* OAuth1Client.signed(client, { consumer, token })
        .execute(
          HttpClientRequest.post("https://api.example.com/statuses").pipe(
            HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("a=1")), {
              contentType: "application/x-www-form-urlencoded"
            })
          )
        )
        .pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "SigningError", reason: "UnsupportedBody" })
      expect(requests).toHaveLength(0)
    }))
})
