/**
 * @effect-oauth/oauth1 — OAuth 1.0a (RFC 5849): signing and the three-legged flow.
 *
 * @since 0.1.0
 */
export * as Callback from "./Callback.js"
export * as NonceGenerator from "./NonceGenerator.js"
export * as OAuth1Client from "./OAuth1Client.js"
export * as OAuth1Error from "./OAuth1Error.js"
export * as Signature from "./Signature.js"
export * as TemporaryCredentials from "./TemporaryCredentials.js"
export * as TokenCredentials from "./TokenCredentials.js"
