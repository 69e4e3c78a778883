/**
 * Web sign-in for servers that are not Effect: one object with a web-standard
 * `(Request) => Promise<Response>` handler (Hono, Bun.serve, Deno.serve, Next.js
 * route handlers, Cloudflare Workers), a Node `(req, res, next)` handler
 * (Express, Fastify, `node:http`), and `user(request)` for the app's own routes.
 * The routes are {@link WebSignIn}'s, run on a `ManagedRuntime` of their own.
 *
 * ```ts
 * const auth = WebHandler.make({
 *   provider: { issuer: "https://accounts.example" },
 *   client: { clientId: "app", clientSecret, redirectUri: "https://app.example/auth/callback" },
 *   secret: Redacted.make(process.env["COOKIE_SECRET"]!)
 * })
 * // Hono:    app.all("/auth/*", (c) => auth.fetch(c.req.raw))
 * // Express: app.use(auth.node)
 * const user = await auth.user(request) // undefined when signed out
 * ```
 *
 * @since 0.1.0
 */
import type { OAuthClient, Provider } from "@effect-oauth/core"
import type { SessionRegistry, TokenStore } from "@effect-oauth/session"
import type { HttpClient } from "@effect/platform"
import type { Layer, Redacted } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import * as internal from "./internal/webHandler.js"
import type * as WebSignIn from "./WebSignIn.js"

/**
 * The provider, the client registration and the sign-in options.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Omit<WebSignIn.Options, "provider" | "client"> {
  /** The provider: a descriptor, or an issuer to discover (OpenID Connect Discovery, RFC 8414). */
  readonly provider: Provider.Provider | { readonly issuer: string }
  /** The app's registration; `redirectUri` is `{origin}{basePath}/callback`. */
  readonly client: OAuthClient.Client
  /** The provider's name in the registry and the session cookie. Default `"idp"`. */
  readonly name?: string | undefined
  /** Where the users' grants are kept. Default `TokenStore.layerMemory` (one process; lost on restart). */
  readonly store?: Layer.Layer<TokenStore.TokenStore, unknown> | undefined
  /** The HTTP client to the provider. Default `FetchHttpClient.layer`. */
  readonly httpClient?: Layer.Layer<HttpClient.HttpClient> | undefined
  /** The registry's options besides its clients (`idleTimeout`, `maxLive`, `session`). */
  readonly registry?: Omit<SessionRegistry.Options, "clients"> | undefined
}

/**
 * The signed-in user of a request, for handlers that are not Effect.
 *
 * @since 0.1.0
 * @category models
 */
export interface User {
  readonly key: SessionRegistry.Key
  /**
   * A valid access token for the provider's API, refreshed when due
   * (`OAuthSession.accessToken`). Rejects with the session's error
   * (`Unauthorized`, `SessionRevoked`, `RefreshFailed`).
   */
  readonly accessToken: () => Promise<Redacted.Redacted<string>>
}

/**
 * The handlers.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebHandler {
  /** Answers `login`, `callback` and `logout` under `basePath`; 404 for anything else. */
  readonly fetch: (request: Request) => Promise<Response>
  /** The same for Node; a request outside `basePath` goes to `next` (or gets a 404). */
  readonly node: (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => void
  /** The signed-in user of a request (its session cookie), or `undefined`; rejects when the store cannot be read. */
  readonly user: (request: Request | IncomingMessage) => Promise<User | undefined>
  /** Stops the runtime: every session released, the store closed. */
  readonly dispose: () => Promise<void>
}

/**
 * Builds the handlers. Nothing runs until the first request, which waits for
 * discovery and the client; a failure there (`ConfigurationError`,
 * `TransportError`, `SignInFailed`) rejects that request and is retried by the next.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: Options) => WebHandler = internal.make
