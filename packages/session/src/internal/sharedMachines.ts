/**
 * One machine definition per clock and machine options, shared by every
 * `OAuthSession.make` made with them.
 *
 * @internal
 */
import type { Clock } from "effect"
import type * as OAuthSession from "../OAuthSession.js"
import type * as SessionMachine from "../SessionMachine.js"
import * as machine from "./sessionMachine.js"

// One machine definition per clock and machine options, shared by every session
// made with them (building one costs far more than starting an actor, and each
// definition held per session is most of its heap).
const machines = new WeakMap<Clock.Clock, Map<string, SessionMachine.Machine>>()

// The machine options as a cache key: everything but the session key and the
// options of the session itself (inspector, timers, machine hook).
const machineKey = (options: OAuthSession.Options): string => {
  const { clock: _clock, inspect: _inspect, key: _key, machine: _machine, ...rest } = options
  return JSON.stringify(rest, (_, value) => typeof value === "bigint" ? `${value}n` : value)
}

/** The machine for `options` and `clock`, built once and shared. @internal */
export const sharedMachine = (options: OAuthSession.Options, clock: Clock.Clock): SessionMachine.Machine => {
  let byOptions = machines.get(clock)
  if (byOptions === undefined) {
    byOptions = new Map()
    machines.set(clock, byOptions)
  }
  const key = machineKey(options)
  let found = byOptions.get(key)
  if (found === undefined) {
    found = machine.makeShared({ ...options, key: "" }, () => clock.unsafeCurrentTimeMillis())
    byOptions.set(key, found)
  }
  return found
}
