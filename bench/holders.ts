/**
 * Grants by hand (the raw-fetch reference's way) and one holder of a grant per
 * client, written as each client's documentation shows; shared by `bench/peers.ts`
 * and its worker processes (`bench/peerWorker.ts`).
 */
import { TokenSet } from "@effect-oauth/core"
import { createHash, randomBytes } from "node:crypto"
import { OAuth2Client } from "google-auth-library"
import * as openid from "openid-client"
import { AuthorizationCode } from "simple-oauth2"
import type { PlainClient } from "./server.js"

// ---------------------------------------------------------------------------
// grants, by hand (the raw-fetch reference's way)

export interface Endpoints {
  readonly authorization: string
  readonly token: string
}

/** The authorization and token endpoints of `issuer`, from its discovery document (by hand). */
export const endpointsOf = async (issuer: string): Promise<Endpoints> => {
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json() as {
    readonly authorization_endpoint: string
    readonly token_endpoint: string
  }
  return { authorization: discovery.authorization_endpoint, token: discovery.token_endpoint }
}

export interface RawTokens {
  readonly access_token: string
  readonly refresh_token: string
  readonly expires_in: number
  readonly token_type: string
  readonly scope?: string
}

const base64url = (bytes: Buffer) => bytes.toString("base64url")

/** `Authorization: Basic` of a client (RFC 6749 §2.3.1). */
export const basicOf = (client: PlainClient) =>
  `Basic ${
    Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString("base64")
  }`

/** One token request by hand: form body, Basic authentication, JSON back. */
export const rawToken = async (endpoints: Endpoints, client: PlainClient, body: Record<string, string>) => {
  const response = await fetch(endpoints.token, {
    method: "POST",
    headers: { authorization: basicOf(client), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body)
  })
  const json = await response.json() as RawTokens & { readonly error?: string }
  if (!response.ok) throw new Error(`token endpoint: ${json.error ?? response.status}`)
  return json
}

/** The whole code + PKCE flow by hand: the reference each client's flow is set beside. */
export const rawCodeFlow = async (
  approve: (url: string, accountId: string) => Promise<string>,
  endpoints: Endpoints,
  client: PlainClient,
  accountId: string,
  scope = "openid offline_access"
) => {
  const verifier = base64url(randomBytes(32))
  const challenge = base64url(createHash("sha256").update(verifier).digest())
  const state = base64url(randomBytes(32))
  const url = new URL(endpoints.authorization)
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
    prompt: "consent"
  }).toString()
  const callback = new URL(await approve(url.toString(), accountId))
  if (callback.searchParams.get("state") !== state) throw new Error("state mismatch")
  return rawToken(endpoints, client, {
    grant_type: "authorization_code",
    code: callback.searchParams.get("code") ?? "",
    redirect_uri: client.redirectUri,
    code_verifier: verifier
  })
}

// ---------------------------------------------------------------------------
// the clients, each holding one grant as its documentation shows

/** A holder of one grant as an application would write it with one client. */
export interface Holder {
  readonly name: string
  /** The access token: the held one while valid, else refreshed. */
  readonly accessToken: () => Promise<string>
  /** Makes the held access token expired by the holder's own clock. */
  readonly expire: () => void
  /** One refresh, now. */
  readonly refresh: () => Promise<unknown>
  /** The refresh token held now. */
  readonly refreshToken: () => string | undefined
}

export const tokenSetOf = (raw: RawTokens, issuedAt: number) =>
  TokenSet.make({
    accessToken: raw.access_token,
    refreshToken: raw.refresh_token,
    tokenType: "Bearer",
    issuedAt,
    expiresAt: issuedAt + raw.expires_in * 1000,
    scopes: raw.scope?.split(" ") ?? []
  })

/** The raw-fetch reference: check the expiry, else refresh by hand. */
export const rawHolder = (endpoints: Endpoints, client: PlainClient, initial: RawTokens): Holder => {
  let tokens = initial
  let expiresAt = Date.now() + initial.expires_in * 1000
  const refresh = async () => {
    tokens = await rawToken(endpoints, client, { grant_type: "refresh_token", refresh_token: tokens.refresh_token })
    expiresAt = Date.now() + tokens.expires_in * 1000
  }
  return {
    name: "raw fetch",
    accessToken: async () => {
      if (Date.now() < expiresAt - 60_000) return tokens.access_token
      await refresh()
      return tokens.access_token
    },
    expire: () => void (expiresAt = 0),
    refresh,
    refreshToken: () => tokens.refresh_token
  }
}

/**
 * openid-client v6: `refreshTokenGrant` when `expiresIn()` says the token is due.
 * With `verifySignatures`, `enableNonRepudiationChecks`: it then checks the ID
 * token's signature as effect-oauth does (by default it lets TLS stand in, OIDC
 * Core §3.1.3.7 step 6).
 */
export const openidHolder = async (
  issuer: string,
  client: PlainClient,
  initial: RawTokens,
  verifySignatures = false
): Promise<Holder> => {
  const config = await openid.discovery(
    new URL(issuer),
    client.clientId,
    undefined,
    openid.ClientSecretBasic(client.clientSecret),
    { execute: verifySignatures ? [openid.allowInsecureRequests, openid.enableNonRepudiationChecks] : [openid.allowInsecureRequests] }
  )
  // A grant loaded from elsewhere has no `expiresIn()` helper until its first refresh.
  const receivedAt = Date.now()
  let tokens: { readonly access_token: string; readonly refresh_token?: string; expiresIn(): number | undefined } = {
    ...initial,
    expiresIn: () => Math.max(0, initial.expires_in - Math.floor((Date.now() - receivedAt) / 1000))
  }
  let expired = false
  const refresh = async () => {
    tokens = await openid.refreshTokenGrant(config, tokens.refresh_token!)
    expired = false
  }
  return {
    name: "openid-client",
    accessToken: async () => {
      if (!expired && (tokens.expiresIn() ?? 0) > 60) return tokens.access_token
      await refresh()
      return tokens.access_token
    },
    expire: () => void (expired = true),
    refresh,
    refreshToken: () => tokens.refresh_token
  }
}

/** google-auth-library: `OAuth2Client.getAccessToken()`, which refreshes when due and shares a refresh in flight. */
export const googleHolder = (endpoints: Endpoints, client: PlainClient, initial: RawTokens): Holder => {
  const oauth = new OAuth2Client({
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    endpoints: { oauth2TokenUrl: endpoints.token }
  })
  oauth.setCredentials({
    access_token: initial.access_token,
    refresh_token: initial.refresh_token,
    expiry_date: Date.now() + initial.expires_in * 1000
  })
  return {
    name: "google-auth-library",
    accessToken: async () => (await oauth.getAccessToken()).token ?? "",
    expire: () => void (oauth.credentials.expiry_date = Date.now() - 1),
    // `refreshAccessToken` writes the old refresh token over the rotated one
    // (oauth2client.js `refreshAccessTokenAsync`), which loses a rotating grant at
    // its second refresh; the CPU figure uses the request under it and keeps the
    // rotated token by hand.
    refresh: async () => {
      const { tokens } = await (oauth as unknown as {
        refreshToken(token: string | null | undefined): Promise<{ tokens: { refresh_token?: string | null } }>
      }).refreshToken(oauth.credentials.refresh_token)
      oauth.setCredentials({ ...oauth.credentials, ...tokens })
    },
    refreshToken: () => oauth.credentials.refresh_token ?? undefined
  }
}

/** simple-oauth2: `token.expired()` then `token.refresh()`. */
export const simpleHolder = (endpoints: Endpoints, client: PlainClient, initial: RawTokens): Holder => {
  const url = new URL(endpoints.token)
  const oauth = new AuthorizationCode({
    client: { id: client.clientId, secret: client.clientSecret },
    auth: { tokenHost: url.origin, tokenPath: url.pathname },
    options: { authorizationMethod: "header" }
  })
  let token = oauth.createToken({ ...initial })
  const refresh = async () => {
    token = await token.refresh()
  }
  return {
    name: "simple-oauth2",
    accessToken: async () => {
      if (token.expired(60)) await refresh()
      return String(token.token["access_token"])
    },
    // Its token is frozen: an expired copy stands in for the clock moving on.
    expire: () => void (token = oauth.createToken({ ...token.token, expires_at: new Date(Date.now() - 1000) })),
    refresh,
    refreshToken: () => token.token["refresh_token"] as string | undefined
  }
}

