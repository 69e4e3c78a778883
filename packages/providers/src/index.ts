/**
 * @effect-oauth/providers — provider presets as data plus small quirk options:
 * each is a `Provider` for `OAuthClient.layer`, and a few provider operations.
 *
 * @since 0.1.0
 */
export * as Amazon from "./Amazon.js"
export * as Apple from "./Apple.js"
export * as Atlassian from "./Atlassian.js"
export * as Auth0 from "./Auth0.js"
export * as Bitbucket from "./Bitbucket.js"
export * as Box from "./Box.js"
export * as Cognito from "./Cognito.js"
export * as Discord from "./Discord.js"
export * as Dropbox from "./Dropbox.js"
export * as Facebook from "./Facebook.js"
export * as Figma from "./Figma.js"
export * as Generic from "./Generic.js"
export * as GitHub from "./GitHub.js"
export * as GitLab from "./GitLab.js"
export * as Google from "./Google.js"
export * as Keycloak from "./Keycloak.js"
export * as Line from "./Line.js"
export * as Linear from "./Linear.js"
export * as LinkedIn from "./LinkedIn.js"
export * as Microsoft from "./Microsoft.js"
export * as Notion from "./Notion.js"
export * as Okta from "./Okta.js"
export * as PayPal from "./PayPal.js"
export * as Preset from "./Preset.js"
export * as ProviderError from "./ProviderError.js"
export * as Reddit from "./Reddit.js"
export * as Salesforce from "./Salesforce.js"
export * as Twitch from "./Twitch.js"
