/**
 * An embedded authorization server for tests and demos: oidc-provider (a certified
 * OpenID provider) in-process on 127.0.0.1 with an ephemeral port, stopped with its
 * scope. It registers a few clients, serves a small protected resource, counts
 * token requests at the server, and completes login and consent unattended so an
 * authorization-code flow runs without a browser.
 *
 * @since 0.1.0
 */
import { OAuthClient, Provider } from "@effect-oauth/core"
import type { OAuthError } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import type { HttpClient } from "@effect/platform"
import { Context, Effect, Layer } from "effect"
import type { Redacted, Scope } from "effect"
import type { JWK } from "jose"
import * as internal from "./internal/testServer.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Access token lifetime in seconds. Default 3600. */
  readonly accessTokenTtl?: number | undefined
  /** Refresh token lifetime in seconds. Default 14 days. */
  readonly refreshTokenTtl?: number | undefined
  /**
   * Rotate refresh tokens: each refresh returns a new refresh token, and reusing an
   * old one gets `invalid_grant` and revokes the whole grant (reuse detection).
   * Default `false`.
   */
  readonly rotateRefreshToken?: boolean | undefined
  /** Redirect URI registered for the clients. Default `http://127.0.0.1/callback`. */
  readonly redirectUri?: string | undefined
  /**
   * Where the clients may send the browser after the server's `end_session_endpoint`
   * (OpenID Connect RP-Initiated Logout §3, `post_logout_redirect_uris`). Default none:
   * the server then ends its session on its own page.
   */
  readonly postLogoutRedirectUris?: ReadonlyArray<string> | undefined
  /**
   * Enable the device authorization grant (RFC 8628): the server advertises
   * `device_authorization_endpoint` and every client may use the device code grant.
   * Default `false`.
   */
  readonly deviceFlow?: boolean | undefined
  /** Device code lifetime in seconds (the `expires_in` of RFC 8628 §3.2). Default 600. */
  readonly deviceCodeTtl?: number | undefined
  /**
   * Answer this many device-code polls that would get `authorization_pending` with
   * `slow_down` instead (RFC 8628 §3.5), as a server does when a client polls too
   * fast: oidc-provider itself never sends it. Default 0.
   */
  readonly deviceSlowDown?: number | undefined
  /**
   * Extension grants and JWT client authentication, each off unless given:
   *
   * - `clientJwks`: registers `jwt` (`private_key_jwt`, RFC 7523 §2.2) with these
   *   public keys;
   * - `jwtBearer`: the JWT bearer grant (RFC 7523 §2.1) for assertions signed by one
   *   of these public keys, `sub` taken as the account, `aud` the issuer or token endpoint;
   * - `tokenExchange`: RFC 8693 for subject access tokens this server issued, answered
   *   with a new access token of the same account;
   * - `passwords`: the password grant (RFC 6749 §4.3) for these `username → password` pairs.
   */
  readonly extensionGrants?: ExtensionGrants | undefined
  /**
   * DPoP (RFC 9449; oidc-provider binds tokens to any proof it receives). With
   * `requireNonce`, the token endpoint answers proofs without its nonce with
   * `use_dpop_nonce`; with `resourceNonce`, the protected resource does too
   * (401 with a `DPoP` challenge and `DPoP-Nonce`).
   */
  readonly dpop?: { readonly requireNonce?: boolean | undefined; readonly resourceNonce?: boolean | undefined } | undefined
  /**
   * Also registers `reservedBasic` (`client_secret_basic`) and `reservedPost`
   * (`client_secret_post`), whose ids and secrets contain characters that
   * form-encoding changes (space, `:`, `@`, `/`, `%`, `+`, `=`). The server decodes
   * Basic credentials as RFC 6749 §2.3.1 prescribes, so only a client that
   * form-encodes id and secret before base64 authenticates as `reservedBasic`.
   * Default `false`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
   */
  readonly reservedCharacterClients?: boolean | undefined
  /**
   * Pushed authorization requests (RFC 9126): the server advertises
   * `pushed_authorization_request_endpoint`; `"required"` also sets
   * `require_pushed_authorization_requests`. Default off.
   */
  readonly pushedAuthorizationRequests?: boolean | "required" | undefined
  /** Open dynamic client registration (RFC 7591), without an initial access token. Default off. */
  readonly registration?: boolean | undefined
  /**
   * Resource indicators (RFC 8707) and a second, separate origin serving a
   * protected resource (see {@link TestServer.protectedResource}). Default off.
   */
  readonly resourceIndicators?: boolean | undefined
}

/**
 * Options of the test server's extension grants (see {@link Options}).
 *
 * @since 0.1.0
 * @category models
 */
export interface ExtensionGrants {
  readonly clientJwks?: { readonly keys: ReadonlyArray<JWK> } | undefined
  readonly jwtBearer?: { readonly keys: ReadonlyArray<JWK> } | undefined
  readonly tokenExchange?: boolean | undefined
  readonly passwords?: Readonly<Record<string, string>> | undefined
}

/**
 * A protected resource on its own origin (127.0.0.1, another port), as an MCP
 * server or an API would be: it publishes RFC 9728 metadata naming the test
 * server as its authorization server, and accepts only JWT access tokens issued
 * for its `resource` identifier (signature checked against the server's JWKS,
 * `iss`, `aud`, `exp`). Anything else gets a 401 with
 * `WWW-Authenticate: Bearer resource_metadata="…"` (RFC 9728 §5.1), with
 * `error="invalid_token"` when a token was sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProtectedResource {
  /** The resource identifier (RFC 8707, RFC 9728 §2 `resource`): `http://127.0.0.1:<port>/mcp`. */
  readonly resource: string
  /** Where the metadata lives: `http://127.0.0.1:<port>/.well-known/oauth-protected-resource/mcp`. */
  readonly metadataUrl: string
  /**
   * The URL a client requests: the resource identifier itself (RFC 9728 §3.3
   * wants the two identical), answering `{ sub, scope, clientId }` for a valid token.
   */
  readonly url: string
  /** Requests that reached the resource, with the status each got. */
  readonly requests: Effect.Effect<ReadonlyArray<{ readonly path: string; readonly status: number }>>
}

/**
 * A registered client.
 *
 * @since 0.1.0
 * @category models
 */
export interface RegisteredClient {
  readonly clientId: string
  readonly clientSecret?: Redacted.Redacted<string> | undefined
  readonly authMethod: "client_secret_basic" | "client_secret_post" | "private_key_jwt" | "none"
  readonly redirectUri: string
}

/**
 * Token requests as the server saw them.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenRequestCounts {
  readonly total: number
  readonly byGrantType: Readonly<Record<string, number>>
  readonly invalidGrant: number
}

/**
 * A running test server.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestServer {
  /** The issuer identifier (`http://127.0.0.1:<port>`); discovery lives below it. */
  readonly issuer: string
  /** The scopes the server knows: `openid`, `offline_access`, `api:read`, `api:write`. */
  readonly scopes: ReadonlyArray<string>
  /**
   * Registered clients: `web` (client_secret_basic), `post` (client_secret_post),
   * `public` (none, PKCE), and `native` (none, PKCE, `application_type: native`:
   * its loopback redirect URI accepts any port, RFC 8252 §7.3).
   */
  readonly clients: {
    readonly web: RegisteredClient
    readonly post: RegisteredClient
    readonly public: RegisteredClient
    readonly native: RegisteredClient
    /** `private_key_jwt`; present when `extensionGrants.clientJwks` is given. */
    readonly jwt?: RegisteredClient | undefined
    /** `client_secret_basic` with reserved characters; present when `reservedCharacterClients` is set. */
    readonly reservedBasic?: RegisteredClient | undefined
    /** `client_secret_post` with reserved characters; present when `reservedCharacterClients` is set. */
    readonly reservedPost?: RegisteredClient | undefined
  }
  /**
   * A protected resource: `GET` answers `{ sub, scope, clientId }` for a valid access
   * token, else 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3).
   */
  readonly resourceUrl: string
  /** Counts of token requests received so far. */
  readonly tokenRequests: Effect.Effect<TokenRequestCounts>
  /** Requests the protected resource answered 200, by authorization scheme (`Bearer`, `DPoP`). */
  readonly resourceRequests: Effect.Effect<Readonly<Record<string, number>>>
  /**
   * Plays the user: follows an authorization URL, logs in as `accountId` and grants
   * consent (or denies it), and returns the redirect back to the client (with
   * `code`, `state` and `iss`) without requesting it. A redirect to the
   * registered loopback URI on another port counts as the redirect back.
   */
  readonly approve: (
    authorizationUrl: string,
    options?: { readonly accountId?: string | undefined; readonly deny?: boolean | undefined } | undefined
  ) => Effect.Effect<string>
  /**
   * Plays the user of a device authorization (RFC 8628 §3.3): opens the
   * verification page, enters `userCode`, confirms the device (or aborts, with
   * `deny`), logs in as `accountId` and grants consent. Needs `deviceFlow`. The
   * device's next poll then gets tokens (or `access_denied`).
   */
  readonly approveDevice: (
    userCode: string,
    options?: { readonly accountId?: string | undefined; readonly deny?: boolean | undefined } | undefined
  ) => Effect.Effect<void>
  /** Revokes every grant of every account at the server (as a user would in their account page). */
  readonly revokeAllGrants: Effect.Effect<void>
  /** The protected resource, with `resourceIndicators` on. */
  readonly protectedResource?: ProtectedResource | undefined
}

/**
 * Starts a test server; it stops (connections closed) when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options | undefined) => Effect.Effect<TestServer, never, Scope.Scope> = internal.make

/**
 * The service tag of a test server.
 *
 * @since 0.1.0
 * @category models
 */
export class TestServerTag extends Context.Tag("@effect-oauth/testing/TestServer")<TestServerTag, TestServer>() {}

/**
 * A layer running a test server for the layer's lifetime.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options | undefined): Layer.Layer<TestServerTag> =>
  Layer.scoped(TestServerTag, make(options))

/**
 * The client registration of a test server client, in the shape `OAuthClient.Client` takes.
 *
 * @since 0.1.0
 * @category combinators
 */
export const clientConfig = (
  client: RegisteredClient,
  scopes: ReadonlyArray<string> = ["openid", "offline_access", "api:read"]
) => ({
  clientId: client.clientId,
  ...(client.clientSecret === undefined ? {} : { clientSecret: client.clientSecret }),
  authMethod: client.authMethod,
  redirectUri: client.redirectUri,
  scopes
})

/**
 * A session of `client` (default `web`) at `server`: the provider from
 * discovery, an `OAuthClient`, a memory `TokenStore` (or `store`), and
 * `OAuthSession.make(options)` over them — not yet authorized.
 *
 * Fails with the errors of `Provider.discover` and `OAuthClient.make`.
 *
 * @since 0.1.0
 * @category testing
 */
export const session = (
  server: TestServer,
  options: OAuthSession.Options & {
    readonly client?: RegisteredClient | undefined
    readonly store?: TokenStore.Service | undefined
  }
): Effect.Effect<
  { readonly client: OAuthClient.Service; readonly store: TokenStore.Service; readonly session: OAuthSession.OAuthSession },
  OAuthError.TransportError | OAuthError.ConfigurationError | OAuthError.IssuerMismatch | TokenStore.TokenStoreError,
  HttpClient.HttpClient | Scope.Scope
> =>
  Effect.gen(function*() {
    const { client: registered, store: given, ...sessionOptions } = options
    const provider = yield* Provider.discover(server.issuer)
    const client = yield* OAuthClient.make({ provider, client: clientConfig(registered ?? server.clients.web) })
    const store = given ?? (yield* TokenStore.makeMemory)
    const session = yield* OAuthSession.make(sessionOptions).pipe(
      Effect.provideService(OAuthClient.OAuthClient, client),
      Effect.provideService(TokenStore.TokenStore, store)
    )
    return { client, store, session }
  })
