import { Redacted } from "effect"
import type { InspectionEvent } from "xstate"

/** @internal */
export const redacted = "<redacted>"

/** The `_version` of `@statelyai/inspect`'s protocol these messages follow. */
const version = "0.7.2"

// Context and events hold credentials as `Redacted`; a plain string under a
// credential's name is masked too, in case an application's own machine forgets.
const secretName = /token|secret|password|verifier|assertion|devicecode|device_code|nonce|^code$|^state$/i
const publicName = /^(token_?type|tokenType|token_type_hint)$/i

/**
 * A value as plain JSON data: `Redacted` values and strings under credential
 * names become `<redacted>`, errors keep their tag, message and `remedy`,
 * functions and actor references are dropped, cycles and depth are cut.
 *
 * @internal
 */
export const sanitize = (value: unknown, key = "", depth = 0, seen: Array<object> = []): unknown => {
  if (typeof value === "string") return secretName.test(key) && !publicName.test(key) ? redacted : value
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value)
  if (typeof value === "boolean" || value === null) return value
  if (typeof value === "bigint") return value.toString()
  if (typeof value !== "object") return undefined
  if (Redacted.isRedacted(value)) return redacted
  if (depth > 12) return "[deep]"
  if (seen.includes(value)) return "[circular]"
  // An actor reference (a child in a snapshot): its id, not its internals.
  if ("sessionId" in value && "send" in value && typeof value.send === "function") {
    return { actor: String((value as { readonly id?: unknown }).id) }
  }
  const inner = [...seen, value]
  if (Array.isArray(value)) return value.map((item) => sanitize(item, key, depth + 1, inner) ?? null)
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Error) {
    const fields: Record<string, unknown> = {}
    for (const [field, item] of Object.entries(value)) {
      if (field !== "stack") fields[field] = sanitize(item, field, depth + 1, inner)
    }
    const remedy: unknown = (value as { readonly remedy?: unknown }).remedy
    return {
      ...fields,
      _tag: "_tag" in value ? String(value._tag) : value.name,
      message: sanitize(value.message, "message", depth + 1, inner),
      ...(typeof remedy === "string" ? { remedy } : {})
    }
  }
  if (!isPlain(value) && "toJSON" in value && typeof value.toJSON === "function") {
    return sanitize((value.toJSON as () => unknown).call(value), key, depth + 1, inner)
  }
  const out: Record<string, unknown> = {}
  for (const [field, item] of Object.entries(value)) {
    const clean = sanitize(item, field, depth + 1, inner)
    if (clean !== undefined) out[field] = clean
  }
  return out
}

const isPlain = (value: object) => {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === null || proto === Object.prototype
}

const snapshotOf = (snapshot: unknown): unknown => {
  if (typeof snapshot !== "object" || snapshot === null) return undefined
  const s = snapshot as Record<string, unknown>
  const out: Record<string, unknown> = { status: s["status"] }
  for (const field of ["value", "context", "input", "output", "error"]) {
    if (field in s) out[field] = sanitize(s[field], field)
  }
  if (s["tags"] instanceof Set) out["tags"] = [...s["tags"]].map(String)
  return out
}

// An actor reports itself while it initializes, before its snapshot can be read:
// the `xstate.init` snapshot follows.
const readSnapshot = (actorRef: { getSnapshot(): unknown }): unknown => {
  try {
    return actorRef.getSnapshot()
  } catch {
    return undefined
  }
}

const logicOf = (actorRef: unknown): unknown => (actorRef as { readonly logic?: unknown }).logic

/** @internal */
export const isMachine = (logic: unknown): logic is import("xstate").AnyStateMachine =>
  typeof logic === "object" && logic !== null && "root" in logic && "config" in logic

/**
 * An XState inspection event as `@statelyai/inspect` sends it (`@xstate.actor`,
 * `@xstate.event`, `@xstate.snapshot`), sanitized; `undefined` for the others.
 *
 * @internal
 */
export const convert = (event: InspectionEvent, now: number, extra: Record<string, unknown> = {}): Record<string, unknown> | undefined => {
  const common = { _version: version, createdAt: String(now), id: null, rootId: event.rootId, sessionId: event.actorRef.sessionId }
  switch (event.type) {
    case "@xstate.actor": {
      const logic = logicOf(event.actorRef)
      const config = isMachine(logic) ? logic.config : undefined
      const id = (event.actorRef as { readonly id?: string }).id ?? event.actorRef.sessionId
      const name = id === event.actorRef.sessionId && config !== undefined ? config.id ?? id : id
      return {
        type: "@xstate.actor",
        name,
        definition: JSON.stringify(sanitize(config ?? { id: name })),
        parentId: (event.actorRef as { readonly _parent?: { readonly sessionId: string } })._parent?.sessionId,
        snapshot: snapshotOf(readSnapshot(event.actorRef)),
        ...common,
        ...extra
      }
    }
    case "@xstate.event":
      return {
        type: "@xstate.event",
        event: sanitize(event.event),
        sourceId: event.sourceRef?.sessionId,
        ...common
      }
    case "@xstate.snapshot":
      return {
        type: "@xstate.snapshot",
        event: sanitize(event.event),
        snapshot: snapshotOf(event.snapshot),
        ...common
      }
    default:
      return undefined
  }
}
