import { Clock, Effect, Encoding, Redacted } from "effect"
import { SigningError } from "../OAuth1Error.js"
import * as NonceGenerator from "../NonceGenerator.js"
import type * as Signature from "../Signature.js"

const utf8 = new TextEncoder()
const hex = "0123456789ABCDEF"
const unreservedOnly = /^[A-Za-z0-9\-._~]*$/

const isUnreserved = (byte: number): boolean =>
  (byte >= 0x41 && byte <= 0x5a) || // A-Z
  (byte >= 0x61 && byte <= 0x7a) || // a-z
  (byte >= 0x30 && byte <= 0x39) || // 0-9
  byte === 0x2d || byte === 0x2e || byte === 0x5f || byte === 0x7e // - . _ ~

/** @internal */
export const percentEncode = (value: string): string => {
  if (unreservedOnly.test(value)) return value
  // TextEncoder turns a lone surrogate into U+FFFD, as URLSearchParams and fetch
  // do on the wire, so the signed value is the one the server receives.
  let out = ""
  for (const byte of utf8.encode(value)) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${hex[byte >> 4]}${hex[byte & 15]}`
  }
  return out
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** @internal */
export const normalizeParameters = (parameters: ReadonlyArray<Signature.Parameter>): string =>
  parameters
    .filter(([name]) => name !== "oauth_signature")
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    // Encoded names and values are ASCII, so UTF-16 order is byte order (§3.4.1.3.2).
    .sort((x, y) => compare(x[0], y[0]) || compare(x[1], y[1]))
    .map(([name, value]) => `${name}=${value}`)
    .join("&")

/** @internal */
export const parseUrl = (url: string | URL): Effect.Effect<URL, SigningError> => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Effect.fail(new SigningError({ reason: "InvalidUrl", detail: "not an absolute URL" }))
  }
  return parsed.protocol === "http:" || parsed.protocol === "https:"
    ? Effect.succeed(parsed)
    : Effect.fail(
      new SigningError({ reason: "InvalidUrl", detail: `scheme "${parsed.protocol}" is neither http: nor https:` })
    )
}

// WHATWG URL already lowercases scheme and host, drops default ports, and
// leaves out userinfo, query and fragment from these parts (§3.4.1.2).
const uriOf = (url: URL): string => `${url.protocol}//${url.host}${url.pathname}`

/** @internal */
export const baseStringUri = (url: string | URL): Effect.Effect<string, SigningError> =>
  Effect.map(parseUrl(url), uriOf)

/** @internal */
export const collectParameters = (
  url: URL,
  body: ReadonlyArray<Signature.Parameter> | undefined,
  protocolParameters: ReadonlyArray<Signature.Parameter>
): Array<Signature.Parameter> => [
  ...Array.from(url.searchParams, ([name, value]) => [name, value] as const),
  ...protocolParameters.filter(([name]) => name !== "realm"),
  ...(body ?? [])
]

/** @internal */
export const baseString = (
  request: Signature.Request,
  protocolParameters: ReadonlyArray<Signature.Parameter>
): Effect.Effect<string, SigningError> =>
  Effect.map(parseUrl(request.url), (url) =>
    [
      percentEncode(request.method.toUpperCase()),
      percentEncode(uriOf(url)),
      percentEncode(normalizeParameters(collectParameters(url, request.body, protocolParameters)))
    ].join("&"))

const missing = (what: string, method: Signature.Method) =>
  new SigningError({ reason: "MissingCredential", detail: `${method} needs ${what}` })

const sharedKey = (
  method: Signature.Method,
  consumer: Signature.Consumer,
  token: Signature.Token | undefined
): Effect.Effect<string, SigningError> =>
  consumer.secret === undefined
    ? Effect.fail(missing("the consumer secret", method))
    : Effect.succeed(
      `${percentEncode(Redacted.value(consumer.secret))}&${
        token === undefined ? "" : percentEncode(Redacted.value(token.tokenSecret))
      }`
    )

const hmac = (hash: "SHA-1" | "SHA-256", key: string, text: string): Effect.Effect<Redacted.Redacted<string>> =>
  Effect.promise(async () => {
    const cryptoKey = await crypto.subtle.importKey("raw", utf8.encode(key), { name: "HMAC", hash }, false, ["sign"])
    const mac = await crypto.subtle.sign("HMAC", cryptoKey, utf8.encode(text))
    return Redacted.make(Encoding.encodeBase64(new Uint8Array(mac)))
  })

// A DER length (X.690 §8.1.3): short form below 128, else the long form.
const derLength = (length: number): Array<number> => {
  if (length < 0x80) return [length]
  const bytes: Array<number> = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return [0x80 | bytes.length, ...bytes]
}

// PrivateKeyInfo (RFC 5208 §5) around a PKCS#1 RSAPrivateKey, since Web Crypto
// imports PKCS#8 only: version 0, AlgorithmIdentifier rsaEncryption with NULL
// parameters, the key as an OCTET STRING.
const pkcs8OfPkcs1 = (pkcs1: Uint8Array): Uint8Array<ArrayBuffer> => {
  const version = [0x02, 0x01, 0x00]
  const algorithm = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00]
  const key = [0x04, ...derLength(pkcs1.length), ...pkcs1]
  const body = [...version, ...algorithm, ...key]
  return new Uint8Array([0x30, ...derLength(body.length), ...body])
}

const pemBlock = /^-----BEGIN (RSA PRIVATE KEY|PRIVATE KEY)-----([A-Za-z0-9+/=\s]+)-----END \1-----$/

const invalidPrivateKey = () =>
  new SigningError({ reason: "InvalidPrivateKey", detail: "the RSA private key cannot be read as a PEM key" })

const rsaSha1 = (pem: string, text: string): Effect.Effect<Redacted.Redacted<string>, SigningError> =>
  Effect.tryPromise({
    try: async () => {
      const block = pemBlock.exec(pem.trim())
      if (block === null) throw invalidPrivateKey()
      const der = Encoding.decodeBase64(block[2]!.replace(/\s+/g, ""))
      if (der._tag === "Left") throw invalidPrivateKey()
      const pkcs8 = block[1] === "RSA PRIVATE KEY" ? pkcs8OfPkcs1(der.right) : new Uint8Array(der.right)
      const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-1" }, false, [
        "sign"
      ])
      const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, utf8.encode(text))
      return Redacted.make(Encoding.encodeBase64(new Uint8Array(signature)))
    },
    // The thrown error may quote the key material: keep only that it failed.
    catch: invalidPrivateKey
  })

/** @internal */
export const signature = (
  method: Signature.Method,
  text: string,
  consumer: Signature.Consumer,
  token?: Signature.Token | undefined
): Effect.Effect<Redacted.Redacted<string>, SigningError> => {
  switch (method) {
    case "HMAC-SHA1":
      return Effect.flatMap(sharedKey(method, consumer, token), (key) => hmac("SHA-1", key, text))
    case "HMAC-SHA256":
      return Effect.flatMap(sharedKey(method, consumer, token), (key) => hmac("SHA-256", key, text))
    case "PLAINTEXT":
      return Effect.map(sharedKey(method, consumer, token), Redacted.make)
    case "RSA-SHA1": {
      const privateKey = consumer.privateKey
      if (privateKey === undefined) return Effect.fail(missing("an RSA private key", method))
      return rsaSha1(Redacted.value(privateKey), text)
    }
  }
}

const quoted = (value: string): string => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`

/** @internal */
export const authorizationHeader = (
  parameters: ReadonlyArray<Signature.Parameter>,
  realm?: string | undefined
): string =>
  "OAuth " +
  [
    ...(realm === undefined ? [] : [`realm=${quoted(realm)}`]),
    ...parameters.map(([name, value]) => `${percentEncode(name)}="${percentEncode(value)}"`)
  ].join(", ")

/** @internal */
export const nonce: Effect.Effect<string> = Effect.flatMap(NonceGenerator.NonceGenerator, (generator) => generator.next)

/** @internal */
export const timestamp: Effect.Effect<string> = Effect.map(
  Clock.currentTimeMillis,
  (millis) => String(Math.floor(millis / 1000))
)

/** @internal */
export const protocolParameters = (
  options: Signature.SignOptions
): Effect.Effect<Array<Signature.Parameter>> =>
  Effect.gen(function*() {
    const method = options.method ?? "HMAC-SHA1"
    const parameters: Array<Signature.Parameter> = [["oauth_consumer_key", Redacted.value(options.consumer.key)]]
    if (options.token !== undefined) parameters.push(["oauth_token", Redacted.value(options.token.token)])
    parameters.push(["oauth_signature_method", method])
    // PLAINTEXT "does not utilize … the "oauth_timestamp" and "oauth_nonce"
    // parameters" (§3.4.4): they are sent only when given explicitly.
    const plaintext = method === "PLAINTEXT"
    if (options.timestamp !== undefined || !plaintext) {
      parameters.push(["oauth_timestamp", options.timestamp ?? (yield* timestamp)])
    }
    if (options.nonce !== undefined || !plaintext) parameters.push(["oauth_nonce", options.nonce ?? (yield* nonce)])
    if (options.callback !== undefined) parameters.push(["oauth_callback", options.callback])
    if (options.verifier !== undefined) parameters.push(["oauth_verifier", Redacted.value(options.verifier)])
    for (const [name, value] of Object.entries(options.extraProtocolParameters ?? {})) {
      parameters.push([name, value])
    }
    if (options.version ?? true) parameters.push(["oauth_version", "1.0"])
    return parameters
  })

/** @internal */
export const sign = (
  request: Signature.Request,
  options: Signature.SignOptions
): Effect.Effect<Redacted.Redacted<string>, SigningError> =>
  Effect.gen(function*() {
    const method = options.method ?? "HMAC-SHA1"
    const parameters = yield* protocolParameters(options)
    // PLAINTEXT "does not utilize the signature base string" (§3.4.4).
    const text = method === "PLAINTEXT"
      ? yield* Effect.as(parseUrl(request.url), "")
      : yield* baseString(request, parameters)
    const value = yield* signature(method, text, options.consumer, options.token)
    return Redacted.make(
      authorizationHeader([...parameters, ["oauth_signature", Redacted.value(value)]], options.realm)
    )
  })
