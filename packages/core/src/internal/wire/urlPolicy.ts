import { Effect } from "effect"
import { ConfigurationError } from "../../OAuthError.js"

// The policy for URLs one server names for another request (discovery's endpoints
// and `jwks_uri`, RFC 9728 `resource_metadata` and `authorization_servers`): a remote
// server must not steer the client at the client's own network (RFC 9728 §7.7,
// RFC 8414 §6, server-side request forgery). Host names are judged as written: a
// name is not resolved here, so `allowHosts` is the only way to name a private host.

const ipv4 = (host: string): ReadonlyArray<number> | undefined => {
  const parts = host.split(".")
  if (parts.length !== 4) return undefined
  const bytes: Array<number> = []
  for (const part of parts) {
    if (part.length === 0 || part.length > 3) return undefined
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i)
      if (c < 0x30 || c > 0x39) return undefined
    }
    const n = Number(part)
    if (n > 255) return undefined
    bytes.push(n)
  }
  return bytes
}

const privateIpv4 = (b: ReadonlyArray<number>): string | undefined => {
  const [a = 0, c = 0] = b
  if (a === 127) return "loopback (127.0.0.0/8)"
  if (a === 10) return "private (10.0.0.0/8)"
  if (a === 172 && c >= 16 && c <= 31) return "private (172.16.0.0/12)"
  if (a === 192 && c === 168) return "private (192.168.0.0/16)"
  if (a === 169 && c === 254) return "link-local (169.254.0.0/16)"
  if (a === 100 && c >= 64 && c <= 127) return "shared (100.64.0.0/10)"
  if (a === 0) return "unspecified (0.0.0.0/8)"
  return undefined
}

/**
 * Why a host (as `URL.hostname` spells it) is a loopback, link-local or private
 * address, or `undefined` for a public one. @internal
 */
export const privateKind = (hostname: string): string | undefined => {
  const host = hostname.toLowerCase()
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback (localhost)"
  const v4 = ipv4(host)
  if (v4 !== undefined) return privateIpv4(v4)
  if (!host.startsWith("[")) return undefined
  const v6 = host.slice(1, -1)
  if (v6 === "::1") return "loopback (::1)"
  if (v6 === "::") return "unspecified (::)"
  // IPv4-mapped (::ffff:a.b.c.d; the URL parser writes it as ::ffff:xxxx:xxxx).
  if (v6.startsWith("::ffff:")) {
    const rest = v6.slice(7)
    const dotted = ipv4(rest)
    if (dotted !== undefined) return privateIpv4(dotted)
    const [hi = "", lo = ""] = rest.split(":")
    const h = parseInt(hi, 16)
    const l = parseInt(lo, 16)
    if (Number.isFinite(h) && Number.isFinite(l)) return privateIpv4([h >> 8, h & 255, l >> 8, l & 255])
  }
  const first = parseInt(v6.split(":")[0] || "0", 16)
  if ((first & 0xffc0) === 0xfe80) return "link-local (fe80::/10)"
  if ((first & 0xfe00) === 0xfc00) return "private (fc00::/7)"
  return undefined
}

/** @internal */
export interface Policy {
  /** Hosts the application trusts for learned URLs although private or cross-origin. */
  readonly allowHosts?: ReadonlyArray<string> | undefined
}

const allowed = (url: URL, policy: Policy | undefined) =>
  policy?.allowHosts?.some((host) => host.toLowerCase() === url.hostname.toLowerCase() || host.toLowerCase() === url.host.toLowerCase()) ===
    true

/**
 * Refuses a URL named by the server at `from` when that server is remote and the
 * URL points at a loopback, link-local or private address (RFC 9728 §7.7), unless
 * the application allows its host by name. @internal
 */
export const checkLearned = (
  field: string,
  url: URL,
  from: URL,
  policy: Policy | undefined
): Effect.Effect<URL, ConfigurationError> => {
  if (allowed(url, policy) || privateKind(from.hostname) !== undefined) return Effect.succeed(url)
  const kind = privateKind(url.hostname)
  if (kind === undefined) return Effect.succeed(url)
  return Effect.fail(
    new ConfigurationError({
      reason: "InsecureUrl",
      detail: `${field} (${url.origin}${url.pathname}) is a ${kind} address named by the remote server ${from.origin}: ` +
        `refused (RFC 9728 §7.7); allow the host with allowHosts: ["${url.host}"] if it is yours`
    })
  )
}

/**
 * Refuses a `resource_metadata` URL on another origin than the resource's (RFC 9728
 * §3, §7.7), unless the application allows its host by name. @internal
 */
export const checkSameOrigin = (
  field: string,
  url: URL,
  resource: URL,
  policy: Policy | undefined
): Effect.Effect<URL, ConfigurationError> =>
  url.origin === resource.origin || allowed(url, policy)
    ? checkLearned(field, url, resource, policy)
    : Effect.fail(
      new ConfigurationError({
        reason: "InsecureUrl",
        detail: `${field} (${url.origin}${url.pathname}) is not on the resource's origin ${resource.origin}: ` +
          `refused (RFC 9728 §3, §7.7); allow the host with allowHosts: ["${url.host}"] if you trust it`
      })
    )
