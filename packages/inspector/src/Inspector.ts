/**
 * A live viewer of session machines for development, served on 127.0.0.1
 * only: the statechart drawn from the machine's own definition with the
 * current state lit, the transition just taken, a timeline of events, the
 * context as a readable panel (credentials always `<redacted>`), one entry per
 * session, and a step back through each session's snapshots.
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const inspector = yield* Inspector.make()
 *   yield* Console.log(`inspector: ${inspector.url}`)
 *   const session = yield* OAuthSession.make({ key: "alice", refresh: "lazy", inspect: inspector.inspect })
 * })
 * ```
 *
 * A whole `SessionRegistry`: pass `inspect` as the option of every session,
 * `SessionRegistry.layer({ clients, session: { inspect: inspector.inspect } })`.
 *
 * The page and the stream require the unguessable token of {@link Service.url};
 * the WebSocket refuses another `Origin` and a `Host` other than the loopback
 * address (DNS rebinding). The stream speaks `@statelyai/inspect`'s protocol
 * (`@xstate.actor`, `@xstate.event`, `@xstate.snapshot`), so Stately's
 * inspector can read it too (docs/inspector.md), and an inspector in another
 * process (`createWebSocketInspector({ url: socketUrl })`) can report to it.
 *
 * @since 0.1.0
 */
import { Context, Data, Layer } from "effect"
import type { Effect, Scope } from "effect"
import type { InspectionEvent, Observer } from "xstate"
import * as internal from "./internal/inspector.js"

/**
 * How the viewer is served.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number | undefined
  /**
   * Events and snapshots kept for a page opened late. Default 5000. The start
   * of the 1000 newest sessions is kept besides.
   */
  readonly history?: number | undefined
  /**
   * Page origins, besides the viewer's own, allowed to open the WebSocket
   * (they still need the token), e.g. a bridge page of Stately's inspector.
   */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
}

/**
 * A running viewer.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The viewer page with its token: `http://127.0.0.1:<port>/?token=…`. Treat it as a secret. */
  readonly url: string
  /** The WebSocket stream with its token: `ws://127.0.0.1:<port>/?token=…`. */
  readonly socketUrl: string
  readonly port: number
  /** The XState inspector to give sessions: `OAuthSession.make({ inspect })`. */
  readonly inspect: Observer<InspectionEvent>
}

/**
 * The viewer could not listen (the port is taken, or loopback is unavailable).
 *
 * @since 0.1.0
 * @category errors
 */
export class InspectorUnavailable extends Data.TaggedError("InspectorUnavailable")<{ readonly reason: string }> {
  override get message(): string {
    return `the inspector could not listen on 127.0.0.1: ${this.reason}`
  }
}

/**
 * The service tag.
 *
 * @since 0.1.0
 * @category models
 */
export class Inspector extends Context.Tag("@effect-oauth/inspector/Inspector")<Inspector, Service>() {}

/**
 * Starts a viewer on 127.0.0.1 with a fresh token; it stops, closing every
 * connection, when the scope closes. Fails with {@link InspectorUnavailable}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service, InspectorUnavailable, Scope.Scope> = internal.make

/**
 * A layer of an {@link Inspector} (see {@link make}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<Inspector, InspectorUnavailable> => Layer.scoped(Inspector, make(options))
