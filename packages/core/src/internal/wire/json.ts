// A JSON reader for response bodies that runs in time linear in the body and never
// recurses deeper than `maxDepth`: `JSON.parse` has no depth limit and keeps the last
// of a repeated member silently, while RFC 6749 §3.2 says "Request and response
// parameters MUST NOT be included more than once".

/** How deep an object or array may nest (the top-level object is depth 1). @internal */
export const maxDepth = 32

/** A top-level member that was not kept, and why. @internal */
export interface Dropped {
  readonly name: string
  readonly why: "too deeply nested" | "has a repeated member"
}

/** @internal */
export type ObjectResult =
  | {
    readonly _tag: "Object"
    readonly fields: Record<string, unknown>
    /** Top-level names that appeared more than once (the first value is kept). */
    readonly duplicates: ReadonlyArray<string>
    /** Top-level members whose value broke a limit: absent from `fields`. */
    readonly dropped: ReadonlyArray<Dropped>
  }
  | { readonly _tag: "Invalid"; readonly detail: string }
  | { readonly _tag: "NotObject" }

/** Sets a property by definition: a body's `__proto__` member must not set a prototype. @internal */
export const define = (record: Record<string, unknown>, name: string, value: unknown): void => {
  if (name === "__proto__") Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true })
  else record[name] = value
}

class Malformed {
  constructor(readonly detail: string) {}
}

const drop = Symbol("drop")

/**
 * Reads a JSON text whose top level must be an object. Syntax errors anywhere make
 * the body `Invalid`; a member whose value nests deeper than {@link maxDepth} or holds
 * an object with a repeated member is dropped (named in `dropped`), so that an
 * extension field can never cost the tokens beside it.
 *
 * @internal
 */
export const parseObject = (text: string): ObjectResult => {
  const reader = new Reader(text)
  try {
    reader.skipWs()
    if (text.charCodeAt(reader.i) !== 0x7b) {
      reader.value(1)
      reader.end()
      return { _tag: "NotObject" }
    }
    const result = reader.topObject()
    reader.end()
    return result
  } catch (error) {
    if (error instanceof Malformed) return { _tag: "Invalid", detail: error.detail }
    throw error
  }
}

class Reader {
  i = 0
  constructor(readonly s: string) {}

  fail(what: string): never {
    throw new Malformed(`is not valid JSON (${what} at offset ${this.i})`)
  }

  skipWs(): void {
    const s = this.s
    let c = s.charCodeAt(this.i)
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++this.i)
  }

  end(): void {
    this.skipWs()
    if (this.i !== this.s.length) this.fail("unexpected text after the value")
  }

  expect(code: number, what: string): void {
    this.skipWs()
    if (this.s.charCodeAt(this.i) !== code) this.fail(`expected ${what}`)
    this.i++
  }

  topObject(): ObjectResult {
    const fields: Record<string, unknown> = {}
    const duplicates = new Set<string>()
    const dropped = new Map<string, Dropped>()
    this.members(1, (name, value) => {
      if (Object.hasOwn(fields, name) || dropped.has(name)) duplicates.add(name)
      else if (value === drop) dropped.set(name, { name, why: this.lastDrop })
      else define(fields, name, value)
    })
    return { _tag: "Object", fields, duplicates: [...duplicates], dropped: [...dropped.values()] }
  }

  lastDrop: Dropped["why"] = "too deeply nested"

  members(depth: number, onMember: (name: string, value: unknown) => void): void {
    this.i++ // "{"
    this.skipWs()
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++
      return
    }
    for (;;) {
      this.skipWs()
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail("expected a member name")
      const name = this.string()
      this.expect(0x3a, "\":\"")
      onMember(name, this.value(depth + 1))
      this.skipWs()
      const c = this.s.charCodeAt(this.i++)
      if (c === 0x7d) return
      if (c !== 0x2c) {
        this.i--
        this.fail("expected \",\" or \"}\"")
      }
    }
  }

  // Returns `drop` for a value that broke a limit (already consumed, syntax checked).
  value(depth: number): unknown {
    this.skipWs()
    const c = this.s.charCodeAt(this.i)
    if (c === 0x7b || c === 0x5b) {
      if (depth > maxDepth) {
        this.skipNested()
        this.lastDrop = "too deeply nested"
        return drop
      }
      return c === 0x7b ? this.object(depth) : this.array(depth)
    }
    if (c === 0x22) return this.string()
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number()
    if (this.s.startsWith("true", this.i)) return (this.i += 4, true)
    if (this.s.startsWith("false", this.i)) return (this.i += 5, false)
    if (this.s.startsWith("null", this.i)) return (this.i += 4, null)
    return this.fail("expected a value")
  }

  object(depth: number): unknown {
    const record: Record<string, unknown> = {}
    let dropped = false
    this.members(depth, (name, value) => {
      if (value === drop || Object.hasOwn(record, name)) {
        if (value !== drop) this.lastDrop = "has a repeated member"
        dropped = true
      } else {
        define(record, name, value)
      }
    })
    return dropped ? drop : record
  }

  array(depth: number): unknown {
    this.i++ // "["
    const items: Array<unknown> = []
    let dropped = false
    this.skipWs()
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++
      return items
    }
    for (;;) {
      const item = this.value(depth + 1)
      if (item === drop) dropped = true
      else items.push(item)
      this.skipWs()
      const c = this.s.charCodeAt(this.i++)
      if (c === 0x5d) return dropped ? drop : items
      if (c !== 0x2c) {
        this.i--
        this.fail("expected \",\" or \"]\"")
      }
    }
  }

  // Past the depth limit: check the syntax without building values, with an explicit
  // stack instead of recursion.
  skipNested(): void {
    const stack: Array<number> = []
    const s = this.s
    for (;;) {
      this.skipWs()
      const c = s.charCodeAt(this.i)
      if (c === 0x7b || c === 0x5b) {
        stack.push(c === 0x7b ? 0x7d : 0x5d)
        this.i++
        this.skipWs()
        if (s.charCodeAt(this.i) === stack[stack.length - 1]) {
          this.i++
          stack.pop()
        } else {
          if (c === 0x7b) this.memberName()
          continue
        }
      } else {
        this.scalar()
      }
      // After a value: close containers or move on to the next item.
      for (;;) {
        if (stack.length === 0) return
        this.skipWs()
        const next = s.charCodeAt(this.i++)
        if (next === stack[stack.length - 1]) {
          stack.pop()
          continue
        }
        if (next !== 0x2c) {
          this.i--
          this.fail("expected \",\" or a closing bracket")
        }
        if (stack[stack.length - 1] === 0x7d) this.memberName()
        break
      }
    }
  }

  memberName(): void {
    this.skipWs()
    if (this.s.charCodeAt(this.i) !== 0x22) this.fail("expected a member name")
    this.string()
    this.expect(0x3a, "\":\"")
  }

  scalar(): void {
    const c = this.s.charCodeAt(this.i)
    if (c === 0x22) this.string()
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.number()
    else if (this.s.startsWith("true", this.i)) this.i += 4
    else if (this.s.startsWith("false", this.i)) this.i += 5
    else if (this.s.startsWith("null", this.i)) this.i += 4
    else this.fail("expected a value")
  }

  string(): string {
    const s = this.s
    const start = this.i
    let escaped = false
    for (let i = start + 1; i < s.length; i++) {
      const c = s.charCodeAt(i)
      if (c === 0x22) {
        this.i = i + 1
        if (!escaped) return s.slice(start + 1, i)
        try {
          return JSON.parse(s.slice(start, i + 1)) as string
        } catch {
          this.i = start
          return this.fail("invalid escape in a string")
        }
      }
      if (c === 0x5c) {
        escaped = true
        i++
      } else if (c < 0x20) {
        this.i = i
        this.fail("control character in a string")
      }
    }
    return this.fail("unterminated string")
  }

  number(): number {
    const s = this.s
    const start = this.i
    let i = start
    if (s.charCodeAt(i) === 0x2d) i++
    const digits = () => {
      const from = i
      while (s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++
      return i - from
    }
    const first = s.charCodeAt(i)
    if (first === 0x30) i++
    else if (digits() === 0) return (this.i = i, this.fail("invalid number"))
    if (s.charCodeAt(i) === 0x2e) {
      i++
      if (digits() === 0) return (this.i = i, this.fail("invalid number"))
    }
    const e = s.charCodeAt(i)
    if (e === 0x65 || e === 0x45) {
      i++
      const sign = s.charCodeAt(i)
      if (sign === 0x2b || sign === 0x2d) i++
      if (digits() === 0) return (this.i = i, this.fail("invalid number"))
    }
    this.i = i
    return Number(s.slice(start, i))
  }
}
