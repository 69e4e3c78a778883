import { Redacted } from "effect"
import * as Text from "./text.js"

/** What a masked run of a credential is replaced by. @internal */
export const marker = "<redacted>"

/** The shortest run of a credential's characters that is masked wherever it appears. @internal */
export const runLength = 8

// The encodings a server may echo a credential in: as sent in a form body
// (application/x-www-form-urlencoded, RFC 6749 Appendix B), URL-encoded in a query
// or an `error_uri`, and raw.
const encodings = (value: string): ReadonlyArray<string> => [
  value,
  encodeURIComponent(value),
  new URLSearchParams({ v: value }).toString().slice(2)
]

/**
 * The one masker: a function replacing, in any text, every credential of `secrets`
 * in raw, URL-encoded and form-encoded form, and every run of {@link runLength} or
 * more characters of one of those forms, by `<redacted>` (a credential shorter than
 * a run wherever it stands alone). The base64 value of an
 * `Authorization: Basic` header is one more secret, given by the caller.
 *
 * @internal
 */
export const make = (secrets: ReadonlyArray<Redacted.Redacted<string>> | undefined): (text: string) => string => {
  if (secrets === undefined || secrets.length === 0) return identity
  // Built on first use: a successful response masks nothing.
  let masker: ((text: string) => string) | undefined
  return (text) => (masker ??= build(secrets))(text)
}

const identity = (text: string) => text

const build = (secrets: ReadonlyArray<Redacted.Redacted<string>>): (text: string) => string => {
  const whole = new Set<string>()
  const runs = new Set<string>()
  for (const secret of secrets) {
    const value = Redacted.value(secret)
    if (value.length === 0) continue
    for (const form of encodings(value)) {
      if (form.length < runLength) whole.add(form)
      else for (let i = 0; i + runLength <= form.length; i++) runs.add(form.slice(i, i + runLength))
    }
  }
  if (whole.size === 0 && runs.size === 0) return (text) => text
  const short = [...whole].sort((a, b) => b.length - a.length)
  return (text) => {
    let out = text
    if (runs.size > 0 && out.length >= runLength) {
      // Mark every position covered by a window that is a run of a secret, then
      // replace each maximal marked range once: linear in the text.
      const covered = new Uint8Array(out.length)
      let any = false
      for (let i = 0; i + runLength <= out.length; i++) {
        if (runs.has(out.slice(i, i + runLength))) {
          covered.fill(1, i, i + runLength)
          any = true
        }
      }
      if (any) {
        let masked = ""
        for (let i = 0; i < out.length;) {
          if (covered[i] === 1) {
            masked += marker
            while (covered[i] === 1) i++
          } else {
            masked += out[i]
            i++
          }
        }
        out = masked
      }
    }
    for (const value of short) out = replaceWhole(out, value)
    return out
  }
}

const isTokenChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
  c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e || c === 0x2b || c === 0x2f || c === 0x25 || c === 0x3d

// A credential shorter than a run is masked where it stands alone, not inside a
// longer word: a one-letter test secret must not cut `invalid_client` apart.
const replaceWhole = (text: string, value: string): string => {
  let out = ""
  let from = 0
  for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
    const end = at + value.length
    if (at < from || isTokenChar(text.charCodeAt(at - 1)) || isTokenChar(text.charCodeAt(end))) continue
    out += text.slice(from, at) + marker
    from = end
  }
  return out + text.slice(from)
}

/** `mask` in one call. @internal */
export const mask = (text: string, secrets: ReadonlyArray<Redacted.Redacted<string>> | undefined): string =>
  make(secrets)(text)

// 16 or more characters of the kind tokens are made of (base64, base64url, JWT
// dots, percent-encoding, Salesforce's `!`, Amazon's `|`). A character class with a
// bound: each match attempt reads at most 16 characters before it fails.
const tokenLikeRun = /[A-Za-z0-9\-._~+/=%!|]{16,}/g

/** Every run of 16 or more token-like characters replaced by `…`. @internal */
export const maskTokenLike = (text: string): string => text.replace(tokenLikeRun, "…")

/** A short, secret-free view of a text body (see `OAuthError.excerpt`). @internal */
export const excerpt = (text: string, mask: (text: string) => string, length: number): string => {
  const visible = maskTokenLike(mask(Text.visibleText(text, length * 8)))
  return visible.length > length ? `${visible.slice(0, length - 1)}…` : visible
}
