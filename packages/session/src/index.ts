/**
 * @effect-oauth/session — the lifecycle of one grant: the session machine, the
 * Effect API over it, token stores and an authorized HTTP client.
 *
 * @since 0.1.0
 */
export * as AuthorizedHttpClient from "./AuthorizedHttpClient.js"
export * as OAuthSession from "./OAuthSession.js"
export * as ResourceAuthorization from "./ResourceAuthorization.js"
export * as SessionError from "./SessionError.js"
export * as SessionMachine from "./SessionMachine.js"
export * as SessionPromise from "./SessionPromise.js"
export * as SessionRegistry from "./SessionRegistry.js"
export * as TokenStore from "./TokenStore.js"
export * as TokenStoreBackend from "./TokenStoreBackend.js"
