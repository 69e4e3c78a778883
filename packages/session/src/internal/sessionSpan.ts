import { Effect, Runtime } from "effect"
import type { Clock, Exit } from "effect"
import type * as SessionMachine from "../SessionMachine.js"
import * as View from "./view.js"

/** The transitions recorded as events of a session's span (OpenTelemetry's default event limit). @internal */
export const maxTransitionEvents = 128

/** The attributes of one transition's event: state names only, never a token. @internal */
export const transition = (
  from: SessionMachine.State,
  to: SessionMachine.State,
  snapshot: SessionMachine.Snapshot
): Record<string, string> => ({
  "oauth.session.from": from,
  "oauth.session.to": to,
  "oauth.session.substate": View.pathOf(snapshot),
  ...(snapshot.context.error === undefined ? {} : { "oauth.session.error": snapshot.context.error._tag })
})

// `clock`, but with the time stopped at `nanos` (a span's start time).
const clockAt = (clock: Clock.Clock, nanos: bigint): Clock.Clock =>
  Object.create(clock, { unsafeCurrentTimeNanos: { value: () => nanos } })

/**
 * The session's span, made and ended as the scope closes: the tracer gets
 * what it would have got from a span made with the session (its start time,
 * the parent, annotations and links of the fiber that made the session, then
 * each event at its time), and a live session holds a few values instead of
 * a span. `events`: time, then attributes, for each of the first transitions.
 *
 * @internal
 */
export const end = <R>(
  runtime: Runtime.Runtime<R>,
  clock: Clock.Clock,
  startedAt: bigint | undefined,
  transitions: number,
  events: ReadonlyArray<bigint | Record<string, string>> | undefined,
  exit: Exit.Exit<unknown, unknown>
): void => {
  const make = Effect.makeSpan("OAuthSession", { kind: "internal", captureStackTrace: false })
  const span = Runtime.runSync(runtime)(startedAt === undefined ? make : Effect.withClock(make, clockAt(clock, startedAt)))
  span.attribute("oauth.session.transitions", transitions)
  for (let i = 0; events !== undefined && i < events.length; i += 2) {
    span.event("OAuthSession.transition", events[i] as bigint, events[i + 1] as Record<string, string>)
  }
  span.end(startedAt === undefined ? BigInt(0) : clock.unsafeCurrentTimeNanos(), exit)
}
