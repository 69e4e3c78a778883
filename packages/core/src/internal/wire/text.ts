// Linear-time readers of response text. No regular expression here may backtrack:
// each loop moves forward through the text, so a 1 MiB body costs one pass.

/**
 * A plain decimal number (`3600`, `"3600.5"`, `1e3`, with an optional sign), or
 * `undefined`. @internal
 */
export const decimal = (text: string): number | undefined => {
  let i = 0
  const s = text
  const c0 = s.charCodeAt(0)
  if (c0 === 0x2b || c0 === 0x2d) i++
  const digits = () => {
    const from = i
    while (s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++
    return i - from
  }
  let mantissa = digits()
  if (s.charCodeAt(i) === 0x2e) {
    i++
    mantissa += digits()
  }
  if (mantissa === 0) return undefined
  const e = s.charCodeAt(i)
  if (e === 0x65 || e === 0x45) {
    i++
    const sign = s.charCodeAt(i)
    if (sign === 0x2b || sign === 0x2d) i++
    if (digits() === 0) return undefined
  }
  return i === s.length ? Number(s) : undefined
}

/** Only ASCII digits, at least one. @internal */
export const isDigits = (text: string): boolean => {
  if (text.length === 0) return false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return false
  }
  return true
}

const isNameChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
  c === 0x5f || c === 0x2e || c === 0x7e || c === 0x25 || c === 0x2b || c === 0x2d

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b

/**
 * One or more `name=value` pairs joined by `&` (a trailing `&` allowed), no
 * whitespace: what application/x-www-form-urlencoded looks like. GitHub answers it
 * without `Accept: application/json`, and Facebook's legacy endpoint as text/plain.
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 *
 * @internal
 */
export const isFormLike = (text: string): boolean => {
  let i = 0
  const n = text.length
  for (;;) {
    const start = i
    while (i < n && isNameChar(text.charCodeAt(i))) i++
    if (i === start || text.charCodeAt(i) !== 0x3d) return false
    i++
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === 0x26 || isSpace(c)) break
      i++
    }
    if (i === n) return true
    if (text.charCodeAt(i) !== 0x26) return false
    i++
    if (i === n) return true
  }
}

const startsWithTag = (lower: string, at: number, name: string) =>
  lower.startsWith(name, at) && !/[a-z0-9-]/.test(lower[at + name.length] ?? "")

/**
 * The text a person would read in a body that may be markup: tags removed, `script`
 * and `style` elements removed whole, whitespace collapsed; at most `limit`
 * characters. Each step jumps forward (`indexOf`), so the cost is one pass.
 *
 * @internal
 */
export const visibleText = (text: string, limit: number): string => {
  const lower = text.toLowerCase()
  let out = ""
  let space = false
  let i = 0
  const n = text.length
  while (i < n && out.length < limit) {
    const c = text.charCodeAt(i)
    if (c === 0x3c) {
      const hidden = startsWithTag(lower, i + 1, "script") ? "</script" : startsWithTag(lower, i + 1, "style") ? "</style" : undefined
      if (hidden !== undefined) {
        const close = lower.indexOf(hidden, i + 1)
        if (close === -1) break
        const end = text.indexOf(">", close)
        if (end === -1) break
        i = end + 1
      } else {
        const end = text.indexOf(">", i + 1)
        if (end === -1) break
        i = end + 1
      }
      space = out.length > 0
      continue
    }
    if (isSpace(c)) {
      space = out.length > 0
    } else {
      if (space) out += " "
      space = false
      out += text[i]
    }
    i++
  }
  return out
}

/** The first CR, LF or NUL in `text` (header and log injection), or -1. @internal */
export const controlCharacter = (text: string): number => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x0d || c === 0x0a || c === 0x00) return i
  }
  return -1
}
