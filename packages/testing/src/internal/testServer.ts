import { Effect, Redacted } from "effect"
import type { Scope } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { createRemoteJWKSet, jwtVerify } from "jose"
import type * as TestServer from "../TestServer.js"
import * as dpopResource from "./dpopResource.js"
import { approve, approveDevice } from "./consent.js"
import * as extensionGrants from "./extensionGrants.js"

const scopes = ["openid", "offline_access", "api:read", "api:write"] as const

/** @internal */
export const make = (options: TestServer.Options = {}): Effect.Effect<TestServer.TestServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => start(options)),
    ({ http, resourceHttp }) =>
      Effect.promise(async () => {
        for (const listener of resourceHttp === undefined ? [http] : [http, resourceHttp]) {
          listener.closeAllConnections()
          await new Promise<void>((resolve) => listener.close(() => resolve()))
        }
      })
  ).pipe(Effect.map(({ server }) => server))

// oidc-provider warns on every start about what makes this server a test server
// (Node 20, the in-memory store, generated keys, unattended login and consent):
// those four lines are dropped; any other warning is printed.
const expectedWarnings = [
  "oidc-provider WARNING: Unsupported runtime.",
  "oidc-provider WARNING: a quick start development-only in-memory adapter is used",
  "oidc-provider WARNING: quick start development-only signing keys are used",
  "oidc-provider WARNING: a quick start development-only feature devInteractions is enabled"
]
const isExpectedWarning = (args: ReadonlyArray<unknown>) =>
  typeof args[0] === "string" && expectedWarnings.some((warning) => (args[0] as string).includes(warning))

const quietly = async <A>(f: () => A | Promise<A>): Promise<A> => {
  const warn = console.warn
  console.warn = (...args: Array<unknown>) => {
    if (!isExpectedWarning(args)) warn(...args)
  }
  try {
    return await f()
  } finally {
    console.warn = warn
  }
}

const start = async (options: TestServer.Options) => {
  const { default: OidcProvider, errors } = await quietly(() => import("oidc-provider"))
  const http = Http.createServer()
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  const resourceHttp = options.resourceIndicators === true ? Http.createServer() : undefined
  if (resourceHttp !== undefined) await new Promise<void>((resolve) => resourceHttp.listen(0, "127.0.0.1", resolve))
  const resourceOrigin = resourceHttp === undefined
    ? undefined
    : `http://127.0.0.1:${(resourceHttp.address() as AddressInfo).port}`
  const resourceId = resourceOrigin === undefined ? undefined : `${resourceOrigin}/mcp`
  const redirectUri = options.redirectUri ?? "http://127.0.0.1/callback"
  const secrets = {
    web: `web-secret-${crypto.randomUUID()}`,
    post: `post-secret-${crypto.randomUUID()}`
  }
  const deviceFlow = options.deviceFlow === true
  const deviceGrant = deviceFlow ? [deviceCodeGrantType] : []
  const registration = {
    redirect_uris: [redirectUri],
    ...(options.postLogoutRedirectUris === undefined ? {} : { post_logout_redirect_uris: [...options.postLogoutRedirectUris] }),
    grant_types: [
      "authorization_code",
      "refresh_token",
      "client_credentials",
      ...deviceGrant,
      ...extensionGrants.enabled(options.extensionGrants)
    ],
    response_types: ["code" as const],
    scope: scopes.join(" ")
  }
  const clientJwks = options.extensionGrants?.clientJwks === undefined
    ? undefined
    : { keys: options.extensionGrants.clientJwks.keys.map((key) => ({ ...key })) }
  const reserved = options.reservedCharacterClients === true ? reservedClients(redirectUri) : undefined
  const counts = { total: 0, invalidGrant: 0, byGrantType: {} as Record<string, number> }
  const oidc = await quietly(() =>
    new OidcProvider(issuer, {
    clients: [
      { ...registration, client_id: "web-client", client_secret: secrets.web, token_endpoint_auth_method: "client_secret_basic" },
      { ...registration, client_id: "post-client", client_secret: secrets.post, token_endpoint_auth_method: "client_secret_post" },
      {
        ...registration,
        grant_types: ["authorization_code", "refresh_token", ...deviceGrant],
        client_id: "public-client",
        token_endpoint_auth_method: "none"
      },
      {
        // RFC 8252 §7.3: a native app's loopback redirect URI may use any port.
        ...registration,
        grant_types: ["authorization_code", "refresh_token", ...deviceGrant],
        client_id: "native-client",
        application_type: "native",
        token_endpoint_auth_method: "none"
      },
      ...(clientJwks === undefined
        ? []
        : [{ ...registration, client_id: "jwt-client", token_endpoint_auth_method: "private_key_jwt" as const, jwks: clientJwks }]),
      ...Object.values(reserved ?? {}).map((client) => ({
        ...registration,
        client_id: client.clientId,
        client_secret: Redacted.value(client.clientSecret),
        token_endpoint_auth_method: client.authMethod
      }))
    ],
    scopes: [...scopes],
    features: {
      devInteractions: { enabled: true },
      // RP-Initiated Logout with pages of our own: the defaults load a web font
      // from the internet and print a notice on every use.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign out</title></head><body>
<h1>Sign out of the test server?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button></body></html>`
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Signed out</title></head><body><h1>Signed out</h1></body></html>`
        }
      },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      pushedAuthorizationRequests: {
        enabled: options.pushedAuthorizationRequests !== undefined && options.pushedAuthorizationRequests !== false,
        requirePushedAuthorizationRequests: options.pushedAuthorizationRequests === "required"
      },
      registration: { enabled: options.registration === true },
      resourceIndicators: {
        enabled: resourceId !== undefined,
        // A token for the resource, also on refresh without a `resource` parameter.
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== resourceId) throw new errors.InvalidTarget()
          return {
            scope: "api:read api:write",
            audience: resourceId,
            accessTokenFormat: "jwt" as const,
            jwt: { sign: { alg: "RS256" as const } }
          }
        }
      },
      deviceFlow: {
        enabled: deviceFlow,
        // The default pages load a web font; these plain ones keep the server offline.
        userCodeInputSource: async (ctx, form) => {
          ctx.body = page("Enter the code", form)
        },
        userCodeConfirmSource: async (ctx, form) => {
          ctx.body = page("Confirm the device", form)
        },
        successSource: async (ctx) => {
          ctx.body = page("Signed in", "<p>You can close this page.</p>")
        }
      },
      dPoP: {
        enabled: true,
        ...(options.dpop?.requireNonce === true
          ? { nonceSecret: Buffer.from(crypto.getRandomValues(new Uint8Array(32))), requireNonce: () => true }
          : {})
      }
    },
    pkce: { required: () => true },
    // Plain OAuth clients get refresh tokens without `offline_access` acrobatics.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: () => options.rotateRefreshToken === true,
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    cookies: { keys: [`cookie-key-${crypto.randomUUID()}`] },
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      AuthorizationCode: 60,
      ClientCredentials: options.accessTokenTtl ?? 600,
      DeviceCode: options.deviceCodeTtl ?? 600,
      Grant: 30 * 86400,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: options.refreshTokenTtl ?? 14 * 86400,
      Session: 3600
    }
  }))
  await extensionGrants.register(oidc, options.extensionGrants)
  const count = (grantType: unknown) => {
    counts.total++
    const key = typeof grantType === "string" ? grantType : "unknown"
    counts.byGrantType[key] = (counts.byGrantType[key] ?? 0) + 1
  }
  oidc.on("grant.success", (ctx) => count(ctx.oidc.params?.["grant_type"]))
  oidc.on("grant.error", (ctx, error) => {
    count(ctx.oidc.params?.["grant_type"])
    if ((error as { error?: unknown }).error === "invalid_grant") counts.invalidGrant++
  })
  const grants = new Set<string>()
  oidc.on("grant.saved", (grant) => {
    if (typeof grant.jti === "string") grants.add(grant.jti)
  })

  let slowDowns = options.deviceSlowDown ?? 0
  if (slowDowns > 0) {
    oidc.use(async (ctx, next) => {
      await next()
      const body = ctx.body as { readonly error?: unknown } | undefined
      if (
        slowDowns > 0 && ctx.oidc?.params?.["grant_type"] === deviceCodeGrantType &&
        body?.error === "authorization_pending"
      ) {
        slowDowns--
        ctx.body = { error: "slow_down", error_description: "you are polling too quickly" }
      }
    })
  }
  const oidcHandler = oidc.callback()
  http.on("request", (request, response) => {
    if (request.url?.startsWith("/api/me") === true) {
      void resource(request, response)
      return
    }
    oidcHandler(request, response)
  })

  const resourceNonce = options.dpop?.resourceNonce === true ? `resource-nonce-${crypto.randomUUID()}` : undefined
  const resourceCounts: Record<string, number> = {}
  const resource = async (request: Http.IncomingMessage, response: Http.ServerResponse) => {
    const match = /^(Bearer|DPoP) ([^\s]+)$/.exec(request.headers.authorization ?? "")
    const scheme = match?.[1] ?? "Bearer"
    const value = match?.[2]
    const token = value === undefined ? undefined : await oidc.AccessToken.find(value)
    const refuse = (error: string, description: string, headers: Record<string, string> = {}) => {
      response.writeHead(401, {
        "www-authenticate": `${scheme} error="${error}", error_description="${description}"`,
        "content-type": "application/json",
        ...headers
      })
      response.end(JSON.stringify({ error }))
    }
    if (token === undefined || value === undefined || token.isExpired) {
      return refuse("invalid_token", "the access token is invalid or expired")
    }
    // RFC 9449 §7.1: a DPoP-bound token is refused as a bearer token.
    if (scheme === "Bearer" && token.jkt !== undefined) return refuse("invalid_token", "the token is DPoP-bound")
    if (scheme === "DPoP") {
      const verdict = await dpopResource.verify(request, `${issuer}/api/me`, value, token.jkt, resourceNonce)
      if (!verdict.ok) {
        return refuse(verdict.error, verdict.description, resourceNonce === undefined ? {} : { "dpop-nonce": resourceNonce })
      }
    }
    resourceCounts[scheme] = (resourceCounts[scheme] ?? 0) + 1
    response.writeHead(200, { "content-type": "application/json" })
    response.end(JSON.stringify({ sub: token.accountId, scope: token.scope, clientId: token.clientId }))
  }

  const protectedResource = resourceHttp === undefined || resourceOrigin === undefined || resourceId === undefined
    ? undefined
    : serveResource(resourceHttp, issuer, resourceOrigin, resourceId)

  const server: TestServer.TestServer = {
    issuer,
    scopes,
    clients: {
      web: { clientId: "web-client", clientSecret: Redacted.make(secrets.web), authMethod: "client_secret_basic", redirectUri },
      post: { clientId: "post-client", clientSecret: Redacted.make(secrets.post), authMethod: "client_secret_post", redirectUri },
      public: { clientId: "public-client", authMethod: "none", redirectUri },
      native: { clientId: "native-client", authMethod: "none", redirectUri },
      ...(clientJwks === undefined ? {} : { jwt: { clientId: "jwt-client", authMethod: "private_key_jwt" as const, redirectUri } }),
      ...reserved
    },
    resourceUrl: `${issuer}/api/me`,
    tokenRequests: Effect.sync(() => ({ ...counts, byGrantType: { ...counts.byGrantType } })),
    resourceRequests: Effect.sync(() => ({ ...resourceCounts })),
    approveDevice: (userCode, approveOptions) =>
      Effect.promise(() =>
        approveDevice(
          `${issuer}/device`,
          userCode,
          approveOptions?.accountId ?? "user-1",
          approveOptions?.deny === true
        )
      ),
    approve: (url, approveOptions) =>
      Effect.promise(() => approve(url, redirectUri, approveOptions?.accountId ?? "user-1", approveOptions?.deny === true)),
    revokeAllGrants: Effect.promise(async () => {
      for (const jti of grants) {
        const grant = await oidc.Grant.find(jti)
        if (grant !== undefined) await grant.destroy()
      }
      await revokeTokensOfGrants(oidc, grants)
      grants.clear()
    }),
    ...(protectedResource === undefined ? {} : { protectedResource })
  }
  return { http, resourceHttp, server }
}

/** The protected resource of `resourceIndicators`: RFC 9728 metadata, JWT access tokens for `resource`. */
const serveResource = (
  listener: Http.Server,
  issuer: string,
  origin: string,
  resource: string
): TestServer.ProtectedResource => {
  const path = new URL(resource).pathname
  // RFC 9728 §3.1: the well-known segment goes between the host and the resource's path.
  const metadataUrl = `${origin}/.well-known/oauth-protected-resource${path}`
  const keys = createRemoteJWKSet(new URL(`${issuer}/jwks`))
  const seen: Array<{ path: string; status: number }> = []
  const reply = (response: Http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { "content-type": "application/json", ...headers })
    response.end(JSON.stringify(body))
  }
  listener.on("request", (request: Http.IncomingMessage, response: Http.ServerResponse) => {
    const url = new URL(request.url ?? "/", origin)
    const done = (status: number, body: unknown, headers?: Record<string, string>) => {
      seen.push({ path: url.pathname, status })
      reply(response, status, body, headers)
    }
    if (url.pathname === new URL(metadataUrl).pathname) {
      done(200, {
        resource,
        authorization_servers: [issuer],
        scopes_supported: ["api:read", "api:write"],
        bearer_methods_supported: ["header"]
      })
      return
    }
    if (!url.pathname.startsWith(`${path}/`) && url.pathname !== path) {
      done(404, { error: "not_found" })
      return
    }
    const token = /^Bearer ([^\s]+)$/.exec(request.headers.authorization ?? "")?.[1]
    const challenge = (error?: string) =>
      `Bearer resource_metadata="${metadataUrl}", scope="api:read"${error === undefined ? "" : `, error="${error}"`}`
    if (token === undefined) {
      done(401, { error: "unauthorized" }, { "www-authenticate": challenge() })
      return
    }
    jwtVerify(token, keys, { issuer, audience: resource }).then(
      ({ payload }) => done(200, { sub: payload.sub, scope: payload["scope"], clientId: payload["client_id"] }),
      () => done(401, { error: "invalid_token" }, { "www-authenticate": challenge("invalid_token") })
    )
  })
  return {
    resource,
    metadataUrl,
    url: resource,
    requests: Effect.sync(() => seen.map((entry) => ({ ...entry })))
  }
}

// Space, ":", "@", "/", "%", "+" and "=" all change under form-encoding; a raw ":" in
// the id, or a raw "%" or "+" in the secret, fails RFC 6749 §2.3.1 decoding.
const reservedClients = (redirectUri: string) => ({
  reservedBasic: {
    clientId: "reserved basic:1",
    clientSecret: Redacted.make(`p@ss/w%rd secret+=${crypto.randomUUID()}`),
    authMethod: "client_secret_basic" as const,
    redirectUri
  },
  reservedPost: {
    clientId: "reserved post:1",
    clientSecret: Redacted.make(`post secret+/=@%${crypto.randomUUID()}`),
    authMethod: "client_secret_post" as const,
    redirectUri
  }
})

const deviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code"

const page = (title: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`

type Provider = InstanceType<typeof import("oidc-provider").default>

// Destroying a grant does not destroy the tokens issued under it; the adapter's
// `revokeByGrantId` does, for every token model.
const revokeTokensOfGrants = async (oidc: Provider, grants: ReadonlySet<string>) => {
  for (const model of [oidc.AccessToken, oidc.RefreshToken, oidc.AuthorizationCode]) {
    for (const jti of grants) await model.revokeByGrantId(jti)
  }
}
