/**
 * @effect-oauth/core — the OAuth 2.0 protocol, stateless.
 *
 * @since 0.1.0
 */
export * as Callback from "./Callback.js"
export * as Dpop from "./Dpop.js"
export * as IdToken from "./IdToken.js"
export * as JwtAssertion from "./JwtAssertion.js"
export * as OAuthClient from "./OAuthClient.js"
export * as OAuthError from "./OAuthError.js"
export * as Pkce from "./Pkce.js"
export * as Provider from "./Provider.js"
export * as Redirects from "./Redirects.js"
export * as Registration from "./Registration.js"
export * as ResourceMetadata from "./ResourceMetadata.js"
export * as TokenResponse from "./TokenResponse.js"
export * as TokenSet from "./TokenSet.js"
export * as WwwAuthenticate from "./WwwAuthenticate.js"
