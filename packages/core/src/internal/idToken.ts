import { HttpClient } from "@effect/platform"
import { Clock, Duration, Effect, Option, Redacted, Schema, SynchronizedRef } from "effect"
import { compactVerify, importJWK } from "jose"
import type { JWK } from "jose"
import * as IdToken from "../IdToken.js"
import { ConfigurationError, IdTokenInvalid, TransportError } from "../OAuthError.js"
import { timingSafeEqual } from "./crypto.js"
import * as http from "./http.js"

type Reason = IdTokenInvalid["reason"]

const invalid = (reason: Reason, detail?: string, claim?: string) =>
  new IdTokenInvalid({
    reason,
    ...(claim === undefined ? {} : { claim }),
    ...(detail === undefined ? {} : { detail })
  })

/** A header value for a message: the token's author chose it, so it is kept short. */
const shown = (value: string) => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const isJwk = (u: unknown): u is IdToken.Jwk => isRecord(u) && typeof u["kty"] === "string"

/** @internal */
export const localKeySet = (jwks: { readonly keys: ReadonlyArray<IdToken.Jwk> }): IdToken.KeySet => ({
  keys: () => Effect.succeed(jwks.keys)
})

/** @internal */
export const remoteKeySet = (
  jwksUri: string,
  options: IdToken.RemoteKeySetOptions = {}
): Effect.Effect<IdToken.KeySet, ConfigurationError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const url = yield* http.endpointUrl("jwks_uri", jwksUri)
    const limits = http.limits(options)
    const cooldown = Duration.toMillis(options.cooldown ?? Duration.seconds(30))
    const lifetime = Duration.toMillis(options.cacheLifetime ?? Duration.minutes(10))
    const fetchKeys = Effect.gen(function*() {
      const response = yield* http.getDocument(client, url, limits, {
        accept: "application/jwk-set+json, application/json",
        what: "key set"
      })
      const unusable = (detail: string) =>
        new ConfigurationError({ reason: "InvalidMetadata", detail: `${http.where(url)} ${detail}` })
      if (response.status !== 200) return yield* unusable(`answered HTTP ${response.status}`)
      const body = http.jsonObject(response.body)
      const keys = body?.["keys"]
      // RFC 7517 §5: "The value of the "keys" member is an array of JWK values."
      if (!Array.isArray(keys)) return yield* unusable(`is not a JWK Set (no "keys" array)`)
      // §5: "Implementations SHOULD ignore JWKs within a JWK Set that use "kty" values
      // that are not understood by them" — and entries that are no JWK at all.
      return keys.filter(isJwk)
    })
    // `at`: when the set was fetched (it lives `lifetime`); `forced`: when an unknown
    // `kid` last caused a fetch — only those count against the cooldown, so a key
    // rotated just after the first fetch is still found.
    const cache = yield* SynchronizedRef.make<
      { readonly keys: ReadonlyArray<IdToken.Jwk>; readonly at: number; readonly forced: number | undefined } | undefined
    >(undefined)
    const synchronized = (refresh: boolean) =>
      SynchronizedRef.modifyEffect(cache, (held) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const stale = held === undefined || now - held.at >= lifetime
          const forced = refresh && !stale && (held.forced === undefined || now - held.forced >= cooldown)
          if (!stale && !forced) return [held.keys, held] as const
          const fetched = yield* fetchKeys
          const next = { keys: fetched, at: now, forced: forced ? now : held?.forced }
          return [fetched, next] as const
        }))
    // A fresh set is read without taking the lock (the common case).
    const keys = (refresh: boolean) =>
      Effect.flatMap(SynchronizedRef.get(cache), (held) =>
        Effect.clockWith((clock) =>
          !refresh && held !== undefined && clock.unsafeCurrentTimeMillis() - held.at < lifetime
            ? Effect.succeed(held.keys)
            : synchronized(refresh)
        ))
    return { keys }
  })

// JWA (RFC 7518 §3.1, RFC 8037 §3.1): the key type each signature algorithm uses.
const keyTypeOf = (alg: string): { readonly kty: string; readonly crv?: string } | undefined => {
  if (/^(RS|PS)(256|384|512)$/.test(alg)) return { kty: "RSA" }
  if (alg === "ES256") return { kty: "EC", crv: "P-256" }
  if (alg === "ES384") return { kty: "EC", crv: "P-384" }
  if (alg === "ES512") return { kty: "EC", crv: "P-521" }
  if (alg === "EdDSA" || alg === "Ed25519") return { kty: "OKP" }
  return undefined
}

const select = (keys: ReadonlyArray<IdToken.Jwk>, alg: string, kid: string | undefined) => {
  const type = keyTypeOf(alg)
  if (type === undefined) return []
  return keys.filter((key) =>
    key.kty === type.kty &&
    (type.crv === undefined || key.crv === type.crv) &&
    (kid === undefined || key.kid === kid) &&
    (key.use === undefined || key.use === "sig") &&
    (key.alg === undefined || key.alg === alg) &&
    (key.key_ops === undefined || key.key_ops.includes("verify"))
  )
}

// One decoder for every token: `fatal` makes malformed UTF-8 an error, not U+FFFD.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true })

const jsonOf = (bytes: Uint8Array): unknown => {
  try {
    return JSON.parse(strictUtf8.decode(bytes))
  } catch {
    return undefined
  }
}

const base64urlJson = (segment: string): unknown => {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return undefined
  try {
    const binary = atob(segment.replace(/-/g, "+").replace(/_/g, "/"))
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return jsonOf(bytes)
  } catch {
    return undefined
  }
}

// Imported keys, per JWK object of a key set and algorithm: a key set answers the
// same objects until it refetches, so each key is imported once.
const imported = new WeakMap<IdToken.Jwk, Map<string, Promise<Awaited<ReturnType<typeof importJWK>>>>>()

const importedKey = (jwk: IdToken.Jwk, alg: string) => {
  let byAlg = imported.get(jwk)
  if (byAlg === undefined) {
    byAlg = new Map()
    imported.set(jwk, byAlg)
  }
  let key = byAlg.get(alg)
  if (key === undefined) {
    key = importJWK(jwk as JWK, alg)
    key.catch(() => byAlg.delete(alg))
    byAlg.set(alg, key)
  }
  return key
}

// OpenID Connect Core §2: sub is "A locally unique and never reassigned identifier
// within the Issuer for the End-User ... It MUST NOT exceed 255 ASCII characters".
const validSubject = (sub: string) => {
  if (sub.length === 0 || sub.length > 255) return false
  for (let i = 0; i < sub.length; i++) if (sub.charCodeAt(i) > 0x7e || sub.charCodeAt(i) < 0x20) return false
  return true
}

// Built on first use: this module and `IdToken.ts` import each other.
let claimsDecoder: ((payload: unknown) => Option.Option<IdToken.Claims>) | undefined
const decodeClaims = (payload: unknown) => (claimsDecoder ??= Schema.decodeUnknownOption(IdToken.Claims))(payload)

const required = ["iss", "sub", "aud", "exp", "iat"] as const

const audiences = (aud: string | ReadonlyArray<string>): ReadonlyArray<string> => typeof aud === "string" ? [aud] : aud

/** @internal */
export const validate = (
  idToken: Redacted.Redacted<string>,
  options: IdToken.ValidateOptions
): Effect.Effect<IdToken.Claims, IdTokenInvalid | TransportError | ConfigurationError> =>
  Effect.gen(function*() {
    const token = Redacted.value(idToken)
    const parts = token.split(".")
    if (parts.length !== 3) {
      return yield* invalid("Malformed", parts.length === 5 ? "an encrypted ID token (JWE) is not supported" : "not a compact JWS")
    }
    const header = base64urlJson(parts[0]!)
    if (!isRecord(header) || typeof header["alg"] !== "string") {
      return yield* invalid("Malformed", "the JOSE header is not a JSON object with an \"alg\"")
    }
    const alg = header["alg"]
    // RFC 9068 §4: an access token in JWT form has `typ` "at+jwt"; it must never
    // pass for an ID token (a token substitution).
    const typ = header["typ"]
    if (typeof typ === "string" && /^(application\/)?at\+jwt$/i.test(typ)) {
      return yield* invalid("Malformed", "a JWT access token (typ at+jwt, RFC 9068) is not an ID token")
    }
    // OpenID Connect Core §3.1.3.7 (7): the alg "SHOULD be the default of RS256 or the
    // algorithm sent by the Client"; an unsigned token is never acceptable here.
    if (alg.toLowerCase() === "none") return yield* invalid("AlgorithmNone", "an unsigned ID token is refused")
    const allowed = (options.algorithms ?? ["RS256"]).filter((entry) => entry.toLowerCase() !== "none")
    if (!allowed.includes(alg) || keyTypeOf(alg) === undefined) {
      return yield* invalid("UnsupportedAlgorithm", `${shown(alg)} is not among ${allowed.join(", ")}`)
    }
    const kid = typeof header["kid"] === "string" ? header["kid"] : undefined

    // Key rotation: a kid not in the cached set causes one refetch (the key set's
    // cooldown bounds how often).
    let candidates = select(yield* options.keys.keys(false), alg, kid)
    if (candidates.length === 0) candidates = select(yield* options.keys.keys(true), alg, kid)
    if (candidates.length === 0) {
      return yield* invalid(
        "UnknownKey",
        kid === undefined ? `no ${alg} key in the issuer's key set` : `no key ${shown(kid)} for ${alg} in the issuer's key set`
      )
    }
    // OpenID Connect Core §10.1: "If there are multiple keys in the referenced JWK Set
    // document, a kid value MUST be provided in the JOSE Header."
    if (candidates.length > 1) return yield* invalid("UnknownKey", `several ${alg} keys match and the header has no "kid"`)
    const jwk = candidates[0]!
    const verified = yield* Effect.tryPromise({
      try: async () => compactVerify(token, await importedKey(jwk, alg), { algorithms: [alg] }),
      catch: () => invalid("SignatureInvalid", "the signature does not verify with the issuer's key")
    })

    const payload = jsonOf(verified.payload)
    if (!isRecord(payload)) return yield* invalid("Malformed", "the payload is not a JSON object")
    for (const claim of required) {
      if (payload[claim] === undefined) return yield* invalid("MissingClaim", "is required", claim)
    }
    const claims = yield* Option.match(decodeClaims(payload), {
      onNone: () => Effect.fail(invalid("Malformed", "a registered claim has the wrong type")),
      onSome: Effect.succeed
    })

    // (2) "The Issuer Identifier for the OpenID Provider ... MUST exactly match the value of the iss (issuer) Claim."
    if (claims.iss !== options.issuer) return yield* invalid("IssuerMismatch", `expected "${options.issuer}"`, "iss")
    if (!validSubject(claims.sub)) return yield* invalid("Malformed", "must be 1 to 255 ASCII characters", "sub")
    // (3) "The Client MUST validate that the aud (audience) Claim contains its client_id value
    // ... The ID Token MUST be rejected if ... it contains additional audiences not trusted by the Client."
    const aud = audiences(claims.aud)
    if (!aud.includes(options.clientId)) return yield* invalid("AudienceMismatch", `does not contain "${options.clientId}"`, "aud")
    const untrusted = aud.find((entry) => entry !== options.clientId && !(options.trustedAudiences ?? []).includes(entry))
    if (untrusted !== undefined) {
      return yield* invalid("AudienceMismatch", `names an audience the client does not trust (${shown(untrusted)})`, "aud")
    }
    // (4), (5): several audiences need an azp, and an azp must be this client.
    if (aud.length > 1 && claims.azp === undefined) {
      return yield* invalid("AuthorizedPartyMismatch", "is required when aud has several values", "azp")
    }
    if (claims.azp !== undefined && claims.azp !== options.clientId) {
      return yield* invalid("AuthorizedPartyMismatch", `is not "${options.clientId}"`, "azp")
    }
    const now = yield* Clock.currentTimeMillis
    const skew = Duration.toMillis(options.clockSkew ?? Duration.seconds(60))
    // (9) "The current time MUST be before the time represented by the exp Claim"
    if (now >= claims.exp * 1000 + skew) return yield* invalid("Expired", "is in the past", "exp")
    // (10) iat bounds how far off the token's clock may be.
    if (claims.iat * 1000 > now + skew) return yield* invalid("IssuedInFuture", "is in the future", "iat")
    const nbf = payload["nbf"]
    if (nbf !== undefined && (typeof nbf !== "number" || nbf * 1000 > now + skew)) {
      return yield* invalid("NotYetValid", "is in the future or not a number", "nbf")
    }
    // (11) "If a nonce value was sent in the Authentication Request, a nonce Claim MUST be
    // present and its value checked to verify that it is the same value as the one that
    // was sent"
    if (options.nonce !== undefined) {
      if (claims.nonce === undefined) return yield* invalid("NonceMismatch", "is missing", "nonce")
      if (!timingSafeEqual(claims.nonce, Redacted.value(options.nonce))) {
        return yield* invalid("NonceMismatch", "differs from the one sent", "nonce")
      }
    }
    // (13) "If the max_age request parameter was used, the Client SHOULD check the
    // auth_time Claim value and request re-authentication if ... too much time has elapsed"
    if (options.maxAge !== undefined) {
      if (claims.auth_time === undefined) return yield* invalid("MissingClaim", "is required with max_age", "auth_time")
      if (now > (claims.auth_time * 1000) + Duration.toMillis(options.maxAge) + skew) {
        return yield* invalid("Expired", "is older than max_age allows", "auth_time")
      }
    }
    // §12.2: after a refresh, "its iss Claim Value MUST be the same as in the ID Token
    // issued when the original authentication occurred, its sub Claim Value MUST be the
    // same ..., its aud Claim Value MUST be the same ..."
    const previous = options.previous
    if (previous !== undefined) {
      if (claims.iss !== previous.iss) return yield* invalid("IssuerMismatch", "differs from the first ID token", "iss")
      if (claims.sub !== previous.sub) return yield* invalid("SubjectMismatch", "differs from the first ID token", "sub")
      const before = audiences(previous.aud)
      if (aud.length !== before.length || !aud.every((entry) => before.includes(entry))) {
        return yield* invalid("AudienceMismatch", "differs from the first ID token", "aud")
      }
      // "... its azp Claim Value MUST be the same ...; if the auth_time Claim is present,
      // it MUST be the same ...; if the nonce Claim is present, it SHOULD be the same"
      if (claims.azp !== previous.azp) {
        return yield* invalid("AuthorizedPartyMismatch", "differs from the first ID token", "azp")
      }
      if (claims.auth_time !== undefined && claims.auth_time !== previous.auth_time) {
        return yield* invalid("AuthTimeMismatch", "differs from the first ID token", "auth_time")
      }
      if (claims.nonce !== undefined && claims.nonce !== previous.nonce) {
        return yield* invalid("NonceMismatch", "differs from the first ID token", "nonce")
      }
    }
    return claims
  })
