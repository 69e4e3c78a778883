import { createHmac } from "node:crypto"
import { Shopify } from "@effect-oauth/providers"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { after, type Fixture, json, shapeSuite } from "./helpers/fixtures.js"

const grant = "https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant"
const online = "https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/online-access-tokens"
const shop = Shopify.shopDomain("example.myshopify.com")!

// Shopify's pages show no error body for the token endpoint: no error row is
// written for it (see Shopify.about.quirks).
const rows: ReadonlyArray<Fixture> = [
  {
    name: "offline token: no expiry, comma-separated scope",
    source: `${grant}#step-5-get-an-access-token`,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "f85632530bf277ec9ac6f649fc327f17", scope: "write_orders,read_customers" }),
    expected: { _tag: "TokenSet", accessToken: "f85632530bf277ec9ac6f649fc327f17", tokenType: "Bearer", scopes: ["write_orders", "read_customers"], extra: {} }
  },
  {
    name: "online token: expires_in, the associated user kept",
    source: online,
    status: 200,
    headers: json,
    body: JSON.stringify({ access_token: "f85632530bf277ec9ac6f649fc327f17", scope: "write_orders,read_customers", expires_in: 86399, associated_user_scope: "write_orders", associated_user: { id: 902541635, first_name: "John", last_name: "Smith", email: "john@example.com", email_verified: true, account_owner: true, locale: "en", collaborator: false } }),
    expected: { _tag: "TokenSet", accessToken: "f85632530bf277ec9ac6f649fc327f17", tokenType: "Bearer", expiresAt: after(86399), scopes: ["write_orders", "read_customers"], extra: { associated_user_scope: "write_orders", associated_user: { id: 902541635, first_name: "John", last_name: "Smith", email: "john@example.com", email_verified: true, account_owner: true, locale: "en", collaborator: false } } }
  }
]

shapeSuite("Shopify / documented token responses", Shopify.make({ shop }), rows)

describe("Shopify", () => {
  it("accepts only myshopify.com shop hosts", () => {
    expect(Shopify.shopDomain("example")).toBe("example.myshopify.com")
    expect(Shopify.shopDomain("Example.myshopify.com")).toBe("example.myshopify.com")
    expect(Shopify.shopDomain("evil.example.com")).toBeUndefined()
    expect(Shopify.shopDomain("example.myshopify.com.evil.example")).toBeUndefined()
    expect(Shopify.shopDomain("example.myshopify.com/admin")).toBeUndefined()
  })

  it("puts the endpoints on the shop and asks per-user grants for online tokens", () => {
    const provider = Shopify.make({ shop, online: true })
    expect(provider.tokenEndpoint).toBe("https://example.myshopify.com/admin/oauth/access_token")
    expect(provider.requests?.authorizationParams).toEqual({ "grant_options[]": "per-user" })
  })
})

describe("Shopify.verifyHmac", () => {
  const secret = Redacted.make("hush")
  // https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant#step-1-verify-the-installation-request
  const signed = (params: Record<string, string>) => {
    const message = Object.entries(params).map(([name, value]) => `${name}=${value}`).sort().join("&")
    const url = new URL("https://app.example/auth/callback")
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
    url.searchParams.set("hmac", createHmac("sha256", "hush").update(message).digest("hex"))
    return url
  }
  const params = { code: "0907a61c0c8d55e99db179b68161bc00", shop: "example.myshopify.com", state: "0.6784241404160823", timestamp: "1337178173" }

  it.effect("accepts the callback Shopify signed with the app's secret", () =>
    Effect.map(Shopify.verifyHmac(signed(params), secret), (ok) => expect(ok).toBe(true)))

  it.effect("refuses a changed shop, a missing hmac and another secret", () =>
    Effect.gen(function*() {
      const tampered = signed(params)
      tampered.searchParams.set("shop", "evil.myshopify.com")
      expect(yield* Shopify.verifyHmac(tampered, secret)).toBe(false)
      const bare = signed(params)
      bare.searchParams.delete("hmac")
      expect(yield* Shopify.verifyHmac(bare, secret)).toBe(false)
      expect(yield* Shopify.verifyHmac(signed(params), Redacted.make("other"))).toBe(false)
    }))
})
