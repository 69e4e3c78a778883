import { OAuthClient, TokenSet } from "@effect-oauth/core"
import * as Providers from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { stub } from "./helpers/http.js"

// What every preset shares, run over each preset's example provider (`about.provider`):
// https endpoints, and revocation (RFC 7009 §2.1: the token in a form POST with the
// client's authentication, a 200 with any body is success) where it has an endpoint.

const presets = Object.entries(Providers as Record<string, { readonly about?: Providers.Preset.About }>)
  .flatMap(([name, module]) => (module.about === undefined ? [] : [[name, module.about] as const]))

const client = { clientId: "client-id-example", clientSecret: Redacted.make("client-secret-example") }

describe("every preset", () => {
  it("is at least 35 presets", () => {
    expect(presets.length).toBeGreaterThanOrEqual(35)
  })

  it.each(presets)("%s: every endpoint is https", (_, about) => {
    const { provider } = about
    const endpoints = [
      provider.authorizationEndpoint,
      provider.tokenEndpoint,
      provider.revocationEndpoint,
      provider.introspectionEndpoint,
      provider.userinfoEndpoint,
      provider.deviceAuthorizationEndpoint,
      provider.jwksUri
    ].filter((url) => url !== undefined)
    for (const url of endpoints) expect(new URL(url).protocol, url).toBe("https:")
  })

  const revocable = presets.filter(([, about]) => about.provider.revocationEndpoint !== undefined)

  it.effect.each(revocable)("%s: revokes the refresh token at its RFC 7009 endpoint", ([, about]) =>
    Effect.gen(function*() {
      const { layer, seen } = stub(() => new Response("", { status: 200 }))
      const oauth = yield* OAuthClient.make({ provider: about.provider, client }).pipe(Effect.provide(layer))
      yield* oauth.revoke(TokenSet.make({ accessToken: "access-example", issuedAt: 0, refreshToken: "refresh-example" }))
      const sent = seen[0]
      expect(sent?.method).toBe("POST")
      expect(sent?.url.href).toBe(about.provider.revocationEndpoint)
      expect(sent?.params.get("token")).toBe("refresh-example")
      const basic = sent?.headers["authorization"]?.startsWith("Basic ") === true
      expect(basic || sent?.params.get("client_secret") === "client-secret-example").toBe(true)
    }))
})
