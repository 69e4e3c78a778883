import { createHash } from "node:crypto"
import type * as Http from "node:http"
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from "jose"

/** What the resource answers a request presenting a DPoP-bound token with. @internal */
export type Verdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: "invalid_token" | "invalid_dpop_proof" | "use_dpop_nonce"; readonly description: string }

/**
 * The resource server's side of RFC 9449 §7 and §9: the proof is signed by the
 * key the token is bound to (`cnf.jkt`), names this request (`htm`, `htu`), is
 * recent, hashes the token (`ath`) and, when the resource wants one, carries its
 * nonce.
 *
 * @internal
 */
export const verify = async (
  request: Http.IncomingMessage,
  resourceUrl: string,
  accessToken: string,
  jkt: string | undefined,
  nonce: string | undefined
): Promise<Verdict> => {
  const proof = request.headers["dpop"]
  if (jkt === undefined) return { ok: false, error: "invalid_token", description: "the token is not DPoP-bound" }
  if (typeof proof !== "string") return { ok: false, error: "invalid_dpop_proof", description: "no DPoP proof" }
  const verified = await jwtVerify(proof, EmbeddedJWK, { typ: "dpop+jwt", algorithms: ["ES256", "EdDSA", "Ed25519"] }).catch(
    () => undefined
  )
  if (verified === undefined) return { ok: false, error: "invalid_dpop_proof", description: "the proof does not verify" }
  const { payload, protectedHeader } = verified
  if (protectedHeader.jwk === undefined || (await calculateJwkThumbprint(protectedHeader.jwk)) !== jkt) {
    return { ok: false, error: "invalid_token", description: "the proof key is not the token's key" }
  }
  if (payload["htm"] !== request.method) return { ok: false, error: "invalid_dpop_proof", description: "htm mismatch" }
  if (payload["htu"] !== resourceUrl) return { ok: false, error: "invalid_dpop_proof", description: "htu mismatch" }
  if (payload["ath"] !== createHash("sha256").update(accessToken).digest("base64url")) {
    return { ok: false, error: "invalid_dpop_proof", description: "ath mismatch" }
  }
  const age = Math.abs(Date.now() / 1000 - Number(payload.iat))
  if (!(age <= 60)) return { ok: false, error: "invalid_dpop_proof", description: "the proof is not recent" }
  if (nonce !== undefined && payload["nonce"] !== nonce) {
    return { ok: false, error: "use_dpop_nonce", description: "the resource requires its nonce" }
  }
  return { ok: true }
}
