/**
 * Shopify apps (authorization code grant on a merchant's shop), as data.
 *
 * Quirks: every endpoint is on the shop's own host
 * (`https://<shop>.myshopify.com/admin/oauth/…`), so `make` takes the shop and
 * refuses a host that is not a `myshopify.com` shop (the shop name arrives in
 * the callback and must never pick an arbitrary host); `scope` comes back
 * comma-separated; an offline token has no expiry (unless the app opts in to
 * expiring offline tokens, which come with a refresh token), an online token
 * comes with `expires_in` and `associated_user`. The callback also carries
 * `hmac`, `shop`, `host` and `timestamp`: check them with {@link verifyHmac}.
 *
 * @see https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
 * @since 0.1.0
 */
import type { Provider } from "@effect-oauth/core"
import { Effect, Redacted } from "effect"
import type { Brand } from "effect"
import type * as Preset from "./Preset.js"

/**
 * A shop's `myshopify.com` host, checked by {@link shopDomain}: the only way to
 * get one, so that a shop name from a callback can never pick another host.
 *
 * @see https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant#step-2-verify-the-installation-request
 * @since 0.1.0
 * @category models
 */
export type Shop = string & Brand.Brand<"@effect-oauth/providers/Shopify/Shop">

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The shop's host, from {@link shopDomain}. */
  readonly shop: Shop
  /** `grant_options[]=per-user` for an online (user-bound, expiring) token. Default offline. */
  readonly online?: boolean | undefined
  /** Scopes requested when a call names none. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

const shopHost = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/

/**
 * The shop's `myshopify.com` host, or `undefined` when `shop` is not one.
 *
 * @see https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant#step-2-verify-the-installation-request
 * @since 0.1.0
 * @category parsing
 */
export const shopDomain = (shop: string): Shop | undefined => {
  const host = shop.trim().toLowerCase()
  const full = host.includes(".") ? host : `${host}.myshopify.com`
  return shopHost.test(full) ? (full as Shop) : undefined
}

/**
 * The Shopify preset for one shop: authorization and token endpoints on the
 * shop's checked host, secrets in the body, comma-separated scopes.
 *
 * @example
 * ```ts
 * import { Shopify } from "@effect-oauth/providers"
 *
 * const shop = Shopify.shopDomain("example.myshopify.com")
 * const provider = shop === undefined ? undefined : Shopify.make({ shop, scopes: ["read_products"] })
 * ```
 *
 * @see https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Provider.Provider => {
  const host = options.shop
  return {
    name: "shopify",
    authorizationEndpoint: `https://${host}/admin/oauth/authorize`,
    tokenEndpoint: `https://${host}/admin/oauth/access_token`,
    tokenEndpointAuthMethodsSupported: ["client_secret_post"],
    ...(options.scopes === undefined ? {} : { defaultScopes: options.scopes }),
    tokenResponse: { scopeSeparator: "," },
    ...(options.online === true ? { requests: { authorizationParams: { "grant_options[]": "per-user" } } } : {})
  }
}

/**
 * Checks the `hmac` Shopify puts in every redirect to the app (install request and
 * callback): HMAC-SHA256, keyed with the app's secret, of the other query
 * parameters sorted by name as `name=value` joined by `&`, hex-encoded, compared in
 * constant time. `false` when it is missing or differs: then trust neither `shop`
 * nor `code`.
 *
 * @see https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant#step-1-verify-the-installation-request
 * @since 0.1.0
 * @category parsing
 */
export const verifyHmac = (url: URL, secret: Redacted.Redacted<string>): Effect.Effect<boolean> =>
  Effect.promise(async () => {
    const received = url.searchParams.get("hmac")
    if (received === null || !/^[0-9a-f]{64}$/i.test(received)) return false
    const message = [...url.searchParams].filter(([name]) => name !== "hmac" && name !== "signature")
      .map(([name, value]) => `${name}=${value}`).sort().join("&")
    const encoder = new TextEncoder()
    const key = await crypto.subtle.importKey("raw", encoder.encode(Redacted.value(secret)), { name: "HMAC", hash: "SHA-256" }, false, ["verify"])
    const bytes = new Uint8Array(received.match(/../g)!.map((pair) => parseInt(pair, 16)))
    return crypto.subtle.verify("HMAC", key, bytes, encoder.encode(message))
  })

/**
 * This preset's row of `docs/providers.md`.
 *
 * @see https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens
 * @since 0.1.0
 * @category models
 */
export const about: Preset.About = {
  title: "Shopify",
  docs: "https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant",
  refresh: "offline tokens never expire (expiring ones opt in, with a refresh token); online tokens expire",
  quirks: "per-shop host, checked (`Shopify.shopDomain`); comma-separated `scope`; `hmac` in the callback (`Shopify.verifyHmac`); docs show no token error body",
  provider: make({ shop: "example.myshopify.com" as Shop })
}
