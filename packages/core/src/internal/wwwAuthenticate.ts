import { Data, Either } from "effect"
import type * as WwwAuthenticate from "../WwwAuthenticate.js"
import { InvalidChallenge } from "../WwwAuthenticate.js"

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const tchar = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/
// RFC 9110 §11.2: token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const token68char = /[A-Za-z0-9\-._~+/]/

/** @internal */
export class Challenge extends Data.Class<{
  readonly scheme: string
  readonly params: Readonly<Record<string, string>>
  readonly token68?: string | undefined
}> implements WwwAuthenticate.Challenge {
  get error(): string | undefined {
    return this.params["error"]
  }
  get errorDescription(): string | undefined {
    return this.params["error_description"]
  }
  get errorUri(): string | undefined {
    return this.params["error_uri"]
  }
  get realm(): string | undefined {
    return this.params["realm"]
  }
  get scope(): ReadonlyArray<string> {
    return (this.params["scope"] ?? "").split(" ").filter((entry) => entry !== "")
  }
  get resourceMetadata(): string | undefined {
    return this.params["resource_metadata"]
  }
}

/** @internal */
export const parse = (header: string): Either.Either<ReadonlyArray<Challenge>, InvalidChallenge> => {
  const s = header
  let i = 0
  const fail = (reason: InvalidChallenge["reason"], position = i) =>
    Either.left(new InvalidChallenge({ reason, position }))
  const isWs = (c: string | undefined) => c === " " || c === "\t"
  const skipWs = () => {
    while (isWs(s[i])) i++
  }
  const readWhile = (pattern: RegExp) => {
    const start = i
    while (i < s.length && pattern.test(s[i]!)) i++
    return s.slice(start, i)
  }
  // A run of "=" ending the element (end of header or a comma after OWS): token68 padding.
  const isToken68Tail = (at: number) => {
    let k = at
    while (s[k] === "=") k++
    while (isWs(s[k])) k++
    return k >= s.length || s[k] === ","
  }
  const readQuoted = (): string | undefined => {
    // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4)
    i++
    let value = ""
    while (i < s.length) {
      const c = s[i]!
      if (c === "\"") {
        i++
        return value
      }
      if (c === "\\") {
        const next = s[i + 1]
        if (next === undefined) return undefined
        value += next
        i += 2
        continue
      }
      const code = c.charCodeAt(0)
      if ((code < 0x20 && c !== "\t") || code === 0x7f) return undefined
      value += c
      i++
    }
    return undefined
  }

  interface Open {
    readonly scheme: string
    readonly params: Record<string, string>
    token68?: string
  }
  const challenges: Array<Open> = []
  let current: Open | undefined

  // Reads `name BWS "=" BWS ( token / quoted-string )` at i, where `name` was read.
  const readParam = (target: Open, name: string): InvalidChallenge | undefined => {
    i++ // "="
    skipWs()
    let value: string | undefined
    if (s[i] === "\"") {
      const start = i
      value = readQuoted()
      if (value === undefined) return new InvalidChallenge({ reason: "UnterminatedString", position: start })
    } else {
      value = readWhile(tchar)
      if (value === "") return new InvalidChallenge({ reason: "MissingValue", position: i })
    }
    const key = name.toLowerCase()
    // RFC 9110 §11.2: "each parameter name MUST only occur once per challenge".
    if (Object.hasOwn(target.params, key)) return new InvalidChallenge({ reason: "DuplicateParameter", position: i })
    target.params[key] = value
    skipWs()
    if (i < s.length && s[i] !== ",") return new InvalidChallenge({ reason: "UnexpectedCharacter", position: i })
    return undefined
  }

  while (true) {
    // RFC 9110 §5.6.1: a recipient accepts empty list elements ("a, , b").
    while (isWs(s[i]) || s[i] === ",") i++
    if (i >= s.length) break
    const start = i
    const name = readWhile(tchar)
    if (name === "") return fail("UnexpectedCharacter")
    const afterName = i
    skipWs()
    // A scheme is never followed by "=": after a comma, `name =` continues the challenge.
    if (current !== undefined && current.token68 === undefined && s[i] === "=") {
      const error = readParam(current, name)
      if (error !== undefined) return Either.left(error)
      continue
    }
    i = afterName
    if (s[i] === "=") return fail("MissingScheme", start)
    // A new challenge: auth-scheme [ 1*SP ( token68 / #auth-param ) ]
    current = { scheme: name, params: {} }
    challenges.push(current)
    const beforeSpace = i
    while (s[i] === " ") i++
    if (i >= s.length || s[i] === ",") continue
    if (i === beforeSpace) return fail("UnexpectedCharacter")
    const itemStart = i
    const first = readWhile(tchar)
    const afterFirst = i
    skipWs()
    if (first !== "" && s[i] === "=" && !isToken68Tail(i)) {
      const error = readParam(current, first)
      if (error !== undefined) return Either.left(error)
      continue
    }
    i = itemStart
    const body = readWhile(token68char)
    if (body === "") return fail("UnexpectedCharacter", afterFirst === itemStart ? itemStart : afterFirst)
    const padding = readWhile(/=/)
    current.token68 = body + padding
    skipWs()
    if (i < s.length && s[i] !== ",") return fail("UnexpectedCharacter")
  }
  return Either.right(challenges.map((open) =>
    new Challenge({
      scheme: open.scheme,
      params: open.params,
      ...(open.token68 === undefined ? {} : { token68: open.token68 })
    })
  ))
}
