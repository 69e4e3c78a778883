/**
 * The whole of the app's sign-in: the provider found by discovery, a registry
 * holding each signed-in user's session (tokens in the `TokenStore`, refreshed
 * when due), and the `login` / `callback` / `logout` routes.
 */
import { OAuthClient, Provider } from "@effect-oauth/core"
import { WebSignIn } from "@effect-oauth/http"
import { SessionRegistry } from "@effect-oauth/session"
import { Effect } from "effect"
import type { Redacted } from "effect"

export interface Config {
  /** The authorization server's issuer (OpenID Connect discovery). */
  readonly issuer: string
  /** The app's registration there; its redirect URI is `{app}/auth/callback`. */
  readonly client: OAuthClient.Client
  /** At least 32 random bytes sealing the cookies. */
  readonly secret: Redacted.Redacted<string>
  /** Sign out at the authorization server too (RP-Initiated Logout), coming back here. */
  readonly postLogoutRedirectUri?: string | undefined
}

export const make = (config: Config) =>
  Effect.gen(function*() {
    const provider = yield* Provider.discover(config.issuer)
    const client = yield* OAuthClient.make({ provider, client: config.client })
    const registry = yield* SessionRegistry.make({ clients: { idp: client } })
    const signIn = yield* WebSignIn.make({
      provider: "idp",
      client,
      secret: config.secret,
      endSession: config.postLogoutRedirectUri === undefined ? false : { postLogoutRedirectUri: config.postLogoutRedirectUri }
    }).pipe(
      Effect.provideService(SessionRegistry.SessionRegistry, registry)
    )
    return { signIn, registry, client }
  })
