import { Callback, Dpop, OAuthClient, Provider } from "@effect-oauth/core"
import { Spans, TestServer } from "@effect-oauth/testing"
import { FetchHttpClient, HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { createHash } from "node:crypto"
import { Effect, Layer, Redacted, TestClock } from "effect"
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from "jose"

const claimsOf = (proof: Redacted.Redacted<string>) => decodeJwt(Redacted.value(proof))

describe("Dpop / proofs", () => {
  it.effect("signs typ dpop+jwt with the public JWK only, htm, htu without query or fragment, iat from the Clock and a fresh jti (RFC 9449 §4.2)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_800_000_000_000)
      const key = yield* Dpop.generateKey()
      const prover = Dpop.prover(key)
      const proof = yield* prover.proof({ method: "post", url: "https://as.example.com/token?x=1#frag" })
      const header = decodeProtectedHeader(Redacted.value(proof))
      expect(header).toMatchObject({ typ: "dpop+jwt", alg: "ES256" })
      expect(header.jwk).toEqual(key.publicJwk)
      expect(header.jwk).not.toHaveProperty("d")
      const verified = yield* Effect.promise(() =>
        jwtVerify(Redacted.value(proof), EmbeddedJWK, { currentDate: new Date(1_800_000_000_000) })
      )
      expect(verified.payload).toMatchObject({ htm: "POST", htu: "https://as.example.com/token", iat: 1_800_000_000 })
      expect(verified.payload).not.toHaveProperty("ath")
      expect(verified.payload).not.toHaveProperty("nonce")
      const again = yield* prover.proof({ method: "POST", url: "https://as.example.com/token" })
      expect(claimsOf(again).jti).not.toBe(verified.payload.jti)
      expect(String(proof)).toBe("<redacted>")
    }))

  it.effect("hashes the access token into ath and uses the nonce last received from that origin only", () =>
    Effect.gen(function*() {
      const prover = Dpop.prover(yield* Dpop.generateKey())
      yield* prover.remember("https://api.example.com/a", { "dpop-nonce": "n-1" })
      const token = Redacted.make("access-token-value")
      const proof = yield* prover.proof({ method: "GET", url: "https://api.example.com/b", accessToken: token })
      expect(claimsOf(proof)).toMatchObject({
        nonce: "n-1",
        ath: createHash("sha256").update("access-token-value").digest("base64url")
      })
      const elsewhere = yield* prover.proof({ method: "GET", url: "https://other.example.com/" })
      expect(claimsOf(elsewhere).nonce).toBeUndefined()
      yield* prover.remember("https://api.example.com/", { "dpop-nonce": "n-2" })
      expect(yield* prover.nonce("https://api.example.com/z")).toBe("n-2")
    }))

  it.effect("computes the RFC 7638 thumbprint tokens are bound to", () =>
    Effect.gen(function*() {
      const key = yield* Dpop.generateKey()
      expect(key.thumbprint).toBe(yield* Effect.promise(() => calculateJwkThumbprint(key.publicJwk)))
    }))

  it.effect("refuses a pair whose private key is public, or that cannot sign with the algorithm", () =>
    Effect.gen(function*() {
      const pair = yield* Effect.promise(() =>
        crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]) as Promise<CryptoKeyPair>
      )
      const swapped = yield* Effect.flip(Dpop.fromKeyPair({ privateKey: pair.publicKey, publicKey: pair.publicKey }, "ES256"))
      expect(swapped).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidCredential" })
      const wrongAlg = yield* Effect.flip(Dpop.fromKeyPair(pair, "EdDSA"))
      expect(wrongAlg).toMatchObject({ _tag: "ConfigurationError", reason: "InvalidCredential" })
    }))
})

describe("OAuthClient / DPoP token requests", () => {
  const provider = Provider.make({ name: "example", tokenEndpoint: "https://as.example.com/token" })

  const stub = (answers: Array<(proof: string) => Response>) => {
    const proofs: Array<string> = []
    const client = HttpClient.make((request) =>
      Effect.sync(() => {
        const proof = request.headers["dpop"] ?? ""
        proofs.push(proof)
        const answer = answers.shift()
        if (answer === undefined) throw new Error("unexpected request")
        return HttpClientResponse.fromWeb(request, answer(proof))
      })
    )
    return { proofs, layer: Layer.succeed(HttpClient.HttpClient, client) }
  }
  const nonceError = (nonce: string) => () =>
    new Response(JSON.stringify({ error: "use_dpop_nonce", error_description: "nonce required" }), {
      status: 400,
      headers: { "content-type": "application/json", "dpop-nonce": nonce }
    })
  const tokens = () =>
    new Response(JSON.stringify({ access_token: "at", token_type: "DPoP", expires_in: 60 }), {
      headers: { "content-type": "application/json" }
    })

  it.effect("sends a proof, and after use_dpop_nonce sends once more with the server's nonce (RFC 9449 §8)", () =>
    Effect.gen(function*() {
      const { layer, proofs } = stub([nonceError("server-nonce"), tokens])
      const oauth = yield* OAuthClient.make({ provider, client: { clientId: "c" }, dpop: yield* Dpop.generateKey() }).pipe(
        Effect.provide(layer)
      )
      const result = yield* oauth.clientCredentials().pipe(Effect.provide(layer))
      expect(result.tokenType).toBe("DPoP")
      expect(proofs).toHaveLength(2)
      expect(decodeJwt(proofs[0] ?? "").nonce).toBeUndefined()
      expect(decodeJwt(proofs[1] ?? "")).toMatchObject({ nonce: "server-nonce", htm: "POST", htu: "https://as.example.com/token" })
      expect(yield* (oauth.dpop?.nonce("https://as.example.com") ?? Effect.succeed(undefined))).toBe("server-nonce")
    }))

  it.effect("retries a nonce error only once", () =>
    Effect.gen(function*() {
      const { layer, proofs } = stub([nonceError("a"), nonceError("b")])
      const oauth = yield* OAuthClient.make({ provider, client: { clientId: "c" }, dpop: yield* Dpop.generateKey() }).pipe(
        Effect.provide(layer)
      )
      const error = yield* Effect.flip(oauth.clientCredentials())
      expect(error).toMatchObject({ _tag: "OAuthError", error: "use_dpop_nonce" })
      expect(proofs).toHaveLength(2)
    }))

  it.effect("keeps the proof out of every span of the token request", () =>
    Effect.gen(function*() {
      const { layer, proofs } = stub([tokens])
      const oauth = yield* OAuthClient.make({ provider, client: { clientId: "c" }, dpop: yield* Dpop.generateKey() }).pipe(
        Effect.provide(layer)
      )
      const { spans } = yield* Spans.record(oauth.clientCredentials())
      const attributes = Spans.attributes(spans)
      expect(attributes.some((entry) => entry["http.request.header.dpop"] === "<redacted>")).toBe(true)
      expect(JSON.stringify(attributes)).not.toContain(proofs[0])
    }))

  it.effect("sends no DPoP header without a key", () =>
    Effect.gen(function*() {
      const { layer, proofs } = stub([tokens])
      const oauth = yield* OAuthClient.make({ provider, client: { clientId: "c" } }).pipe(Effect.provide(layer))
      yield* oauth.clientCredentials()
      expect(proofs).toEqual([""])
      expect(oauth.dpop).toBeUndefined()
    }))
})

const Live = Layer.merge(TestServer.layer({ dpop: { requireNonce: true } }), FetchHttpClient.layer)

layer(Live, { excludeTestServices: true, timeout: "30 seconds" })("OAuthClient / DPoP against an authorization server", (it) => {
  const publicClient = (key: Dpop.Key) =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const provider = yield* Provider.discover(server.issuer)
      return yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.public), dpop: key })
    })

  it.effect("gets DPoP-bound tokens through the server's nonce, refreshes with the same key, and a refresh proven with another key is refused", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.TestServerTag
      const key = yield* Dpop.generateKey()
      const oauth = yield* publicClient(key)
      const request = yield* oauth.authorizationUrl()
      const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
      expect(tokens.tokenType).toBe("DPoP")
      const cnf = yield* Effect.promise(async () => {
        const response = await fetch(server.resourceUrl, { headers: { authorization: `Bearer ${Redacted.value(tokens.accessToken)}` } })
        return response.status
      })
      // A bound token is refused as a bearer token (RFC 9449 §7.1).
      expect(cnf).toBe(401)
      const refreshed = yield* oauth.refresh(tokens)
      expect(refreshed.tokenType).toBe("DPoP")
      const thief = yield* publicClient(yield* Dpop.generateKey())
      const error = yield* Effect.flip(thief.refresh(refreshed))
      expect(error).toMatchObject({ _tag: "OAuthError", error: "invalid_grant" })
      const counts = yield* server.tokenRequests
      // The exchange meets the nonce demand once (2 requests); the refresh reuses the
      // nonce the server sent with the tokens (1); the other client, with no nonce
      // yet, is asked for one and then refused (2).
      expect(counts.total).toBe(5)
    }))
})
