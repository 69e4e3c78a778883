import { createLocalJWKSet, jwtVerify } from "jose"
import type * as TestServer from "../TestServer.js"

type Provider = InstanceType<typeof import("oidc-provider").default>
type Context = Parameters<Parameters<Provider["registerGrantType"]>[1]>[0]

/** @internal */
export const grantTypes = {
  jwtBearer: "urn:ietf:params:oauth:grant-type:jwt-bearer",
  tokenExchange: "urn:ietf:params:oauth:grant-type:token-exchange",
  password: "password"
} as const

/** The grant types the options turn on, for the clients' registrations. @internal */
export const enabled = (options: TestServer.ExtensionGrants | undefined): ReadonlyArray<string> => [
  ...(options?.jwtBearer === undefined ? [] : [grantTypes.jwtBearer]),
  ...(options?.tokenExchange === true ? [grantTypes.tokenExchange] : []),
  ...(options?.passwords === undefined ? [] : [grantTypes.password])
]

/**
 * Registers the handlers: each checks its credential, saves a grant for the
 * account and answers with a plain access token of that grant, so the token works
 * at the protected resource and at introspection like any other.
 *
 * @internal
 */
export const register = async (oidc: Provider, options: TestServer.ExtensionGrants | undefined): Promise<void> => {
  const { errors } = await import("oidc-provider")
  const issue = async (ctx: Context, accountId: string, extra: Record<string, unknown> = {}) => {
    const client = ctx.oidc.client
    if (client === undefined) throw new errors.InvalidClient("client authentication failed")
    const requested = typeof ctx.oidc.params?.["scope"] === "string" ? ctx.oidc.params["scope"] : "api:read"
    const grant = new oidc.Grant({ accountId, clientId: client.clientId })
    grant.addResourceScope("urn:oidc-provider:example:foo", requested)
    grant.addOIDCScope(requested)
    const grantId = await grant.save()
    const token = new oidc.AccessToken({ accountId, client, grantId, scope: requested, gty: String(ctx.oidc.params?.["grant_type"]) })
    const value = await token.save()
    ctx.body = { access_token: value, token_type: "Bearer", expires_in: token.expiration, scope: requested, ...extra }
  }
  const param = (ctx: Context, name: string): string => {
    const value = ctx.oidc.params?.[name]
    if (typeof value !== "string" || value === "") throw new errors.InvalidRequest(`missing ${name}`)
    return value
  }

  if (options?.jwtBearer !== undefined) {
    const keys = createLocalJWKSet({ keys: options.jwtBearer.keys.map((key) => ({ ...key })) })
    oidc.registerGrantType(grantTypes.jwtBearer, async (ctx) => {
      const assertion = param(ctx, "assertion")
      // RFC 7523 §3: aud identifies the server (its issuer or token endpoint); exp is required.
      const verified = await jwtVerify(assertion, keys, {
        audience: [oidc.issuer, `${oidc.issuer}/token`],
        requiredClaims: ["exp", "sub", "iss"]
      }).catch(() => undefined)
      if (verified === undefined) throw new errors.InvalidGrant("the assertion is not valid")
      await issue(ctx, String(verified.payload.sub))
    }, ["assertion", "scope"])
  }

  if (options?.tokenExchange === true) {
    oidc.registerGrantType(grantTypes.tokenExchange, async (ctx) => {
      const subjectToken = param(ctx, "subject_token")
      if (param(ctx, "subject_token_type") !== "urn:ietf:params:oauth:token-type:access_token") {
        throw new errors.InvalidRequest("unsupported subject_token_type")
      }
      const subject = await oidc.AccessToken.find(subjectToken)
      if (subject === undefined || subject.isExpired) throw new errors.InvalidGrant("subject_token is not active")
      await issue(ctx, subject.accountId, {
        issued_token_type: "urn:ietf:params:oauth:token-type:access_token"
      })
    }, ["subject_token", "subject_token_type", "actor_token", "actor_token_type", "requested_token_type", "scope", "audience", "resource"], ["audience", "resource"])
  }

  if (options?.passwords !== undefined) {
    const passwords = new Map(Object.entries(options.passwords))
    oidc.registerGrantType(grantTypes.password, async (ctx) => {
      const username = param(ctx, "username")
      const password = param(ctx, "password")
      if (passwords.get(username) !== password) throw new errors.InvalidGrant("invalid resource owner credentials")
      await issue(ctx, username)
    }, ["username", "password", "scope"])
  }
}
