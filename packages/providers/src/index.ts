/**
 * @effect-oauth/providers — provider presets as data plus small quirk options:
 * each is a `Provider` for `OAuthClient.layer`, and a few provider operations.
 *
 * @since 0.1.0
 */
export * as Facebook from "./Facebook.js"
export * as Generic from "./Generic.js"
export * as GitHub from "./GitHub.js"
export * as Google from "./Google.js"
export * as Microsoft from "./Microsoft.js"
export * as ProviderError from "./ProviderError.js"
export * as Twitch from "./Twitch.js"
