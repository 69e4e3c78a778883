import { Callback, OAuthClient, Provider } from "@effect-oauth/core"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"

const Live = Layer.merge(TestServer.layer({ rotateRefreshToken: true }), FetchHttpClient.layer)

const clientOf = Effect.gen(function*() {
  const server = yield* TestServer.TestServerTag
  const provider = yield* Provider.discover(server.issuer)
  return yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.web) })
})

const callResource = (token: Redacted.Redacted<string>) =>
  Effect.gen(function*() {
    const server = yield* TestServer.TestServerTag
    return yield* Effect.promise(() =>
      fetch(server.resourceUrl, { headers: { authorization: `Bearer ${Redacted.value(token)}` } })
    )
  })

describe("TestServer", () => {
  layer(Live, { excludeTestServices: true, timeout: "30 seconds" })("a running server", (it) => {
    it.effect("serves discovery metadata for its issuer", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const provider = yield* Provider.discover(server.issuer)
        expect(provider.issuer).toBe(server.issuer)
        expect(provider.tokenEndpoint.startsWith(server.issuer)).toBe(true)
        expect(provider.revocationEndpoint).toBeDefined()
      }))

    it.effect("completes login and consent unattended, and its resource accepts the token", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const oauth = yield* clientOf
        const request = yield* oauth.authorizationUrl()
        const callback = yield* server.approve(request.url)
        expect(new URL(callback).searchParams.get("iss")).toBe(server.issuer)
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(callback, request))
        expect(tokens.refreshToken).toBeDefined()
        const ok = yield* callResource(tokens.accessToken)
        expect(ok.status).toBe(200)
        expect(yield* Effect.promise(() => ok.json())).toMatchObject({ sub: "user-1", clientId: "web-client" })
        const bad = yield* callResource(Redacted.make("not-a-token"))
        expect(bad.status).toBe(401)
        expect(bad.headers.get("www-authenticate")).toContain('error="invalid_token"')
      }))

    it.effect("lets the native client use its loopback redirect URI on any port (RFC 8252 §7.3)", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const provider = yield* Provider.discover(server.issuer)
        const oauth = yield* OAuthClient.make({ provider, client: TestServer.clientConfig(server.clients.native) })
        const request = yield* oauth.authorizationUrl({ redirectUri: "http://127.0.0.1:54321/callback" })
        const callback = yield* server.approve(request.url)
        expect(callback.startsWith("http://127.0.0.1:54321/callback?")).toBe(true)
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(callback, request))
        expect(tokens.refreshToken).toBeDefined()
      }))

    it.effect("answers access_denied when the user denies consent", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const oauth = yield* clientOf
        const request = yield* oauth.authorizationUrl()
        const callback = yield* server.approve(request.url, { deny: true })
        const error = yield* Effect.flip(Callback.parse(callback, request))
        expect(error._tag).toBe("AuthorizationDenied")
      }))

    it.effect("counts token requests and rejects a reused rotated refresh token", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const oauth = yield* clientOf
        const request = yield* oauth.authorizationUrl()
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
        const before = yield* server.tokenRequests
        const rotated = yield* oauth.refresh(tokens)
        expect(Redacted.value(rotated.refreshToken!)).not.toBe(Redacted.value(tokens.refreshToken!))
        const reuse = yield* Effect.flip(oauth.refresh(tokens))
        expect(reuse._tag === "OAuthError" && reuse.error).toBe("invalid_grant")
        const after = yield* server.tokenRequests
        expect(after.total - before.total).toBe(2)
        expect(after.invalidGrant - before.invalidGrant).toBe(1)
        expect((after.byGrantType["refresh_token"] ?? 0) - (before.byGrantType["refresh_token"] ?? 0)).toBe(2)
      }))

    it.effect("registers no reserved-character clients unless asked", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        expect(server.clients.reservedBasic).toBeUndefined()
        expect(server.clients.reservedPost).toBeUndefined()
      }))

    it.effect("revokes every grant on demand: tokens stop working and refresh is refused", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const oauth = yield* clientOf
        const request = yield* oauth.authorizationUrl()
        const tokens = yield* oauth.exchangeCode(yield* Callback.parse(yield* server.approve(request.url), request))
        yield* server.revokeAllGrants
        expect((yield* callResource(tokens.accessToken)).status).toBe(401)
        const refused = yield* Effect.flip(oauth.refresh(tokens))
        expect(refused._tag === "OAuthError" && refused.remedy).toBe("reauthorize")
      }))
  })

  describe("reservedCharacterClients", () => {
    const formEncode = (value: string) => new URLSearchParams([["", value]]).toString().slice(1)
    const clientCredentials = (tokenEndpoint: string, authorization: string) =>
      Effect.promise(() =>
        fetch(tokenEndpoint, {
          method: "POST",
          headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "client_credentials", scope: "api:read" }).toString()
        })
      )

    it.scopedLive("accepts Basic credentials form-encoded before base64 and refuses them raw (RFC 6749 §2.3.1)", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ reservedCharacterClients: true })
        const client = server.clients.reservedBasic!
        const secret = Redacted.value(client.clientSecret!)
        expect(client.clientId).not.toBe(formEncode(client.clientId))
        expect(secret).not.toBe(formEncode(secret))
        const { tokenEndpoint } = yield* Provider.discover(server.issuer)
        const basic = (id: string, password: string) => `Basic ${Buffer.from(`${id}:${password}`).toString("base64")}`
        const encoded = yield* clientCredentials(tokenEndpoint, basic(formEncode(client.clientId), formEncode(secret)))
        expect(encoded.status).toBe(200)
        const raw = yield* clientCredentials(tokenEndpoint, basic(client.clientId, secret))
        // The raw ":" in the id moves the split; the raw "%" in the rest fails decoding.
        expect(raw.status).toBe(400)
        expect(yield* Effect.promise(() => raw.json())).toMatchObject({ error: "invalid_request" })
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scopedLive("registers a client_secret_post client whose reserved characters survive the form body", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make({ reservedCharacterClients: true })
        const client = server.clients.reservedPost!
        expect(Redacted.value(client.clientSecret!)).toMatch(/[+%/=@ ]/)
        const oauth = yield* OAuthClient.make({
          provider: yield* Provider.discover(server.issuer),
          client: TestServer.clientConfig(client, ["api:read"])
        })
        const tokens = yield* oauth.clientCredentials()
        expect(yield* oauth.introspect(tokens.accessToken)).toMatchObject({ active: true, clientId: client.clientId })
      }).pipe(Effect.provide(FetchHttpClient.layer)))
  })

  layer(Layer.merge(TestServer.layer({ deviceFlow: true, deviceCodeTtl: 120 }), FetchHttpClient.layer), {
    excludeTestServices: true,
    timeout: "30 seconds"
  })("with the device flow", (it) => {
    const deviceRequest = (server: TestServer.TestServer) =>
      Effect.promise(async () => {
        const response = await fetch(`${server.issuer}/device/auth`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ client_id: server.clients.public.clientId, scope: "openid api:read" }).toString()
        })
        return await response.json() as { device_code: string; user_code: string; expires_in: number }
      })
    const poll = (server: TestServer.TestServer, deviceCode: string) =>
      Effect.promise(async () => {
        const response = await fetch(`${server.issuer}/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            client_id: server.clients.public.clientId,
            grant_type: "urn:ietf:params:oauth:grant-type:device_code",
            device_code: deviceCode
          }).toString()
        })
        return await response.json() as Record<string, unknown>
      })

    it.effect("advertises the device endpoint and issues device codes with the configured lifetime", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const provider = yield* Provider.discover(server.issuer)
        expect(provider.deviceAuthorizationEndpoint).toBe(`${server.issuer}/device/auth`)
        const device = yield* deviceRequest(server)
        expect(device.expires_in).toBe(120)
        expect(yield* poll(server, device.device_code)).toMatchObject({ error: "authorization_pending" })
      }))

    it.effect("approveDevice completes the user side: the next poll gets tokens for the account", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const device = yield* deviceRequest(server)
        yield* server.approveDevice(device.user_code, { accountId: "bob" })
        const tokens = yield* poll(server, device.device_code)
        expect(typeof tokens["access_token"]).toBe("string")
        const me = yield* callResource(Redacted.make(tokens["access_token"] as string))
        expect(yield* Effect.promise(() => me.json())).toMatchObject({ sub: "bob" })
      }))

    it.effect("approveDevice with deny aborts: the next poll gets access_denied", () =>
      Effect.gen(function*() {
        const server = yield* TestServer.TestServerTag
        const device = yield* deviceRequest(server)
        yield* server.approveDevice(device.user_code, { deny: true })
        expect(yield* poll(server, device.device_code)).toMatchObject({ error: "access_denied" })
      }))
  })
})
