/**
 * Records the spans an effect starts, for tests that check what tracing would
 * export: no token, secret or proof in a span's attributes.
 *
 * ```ts
 * const { spans } = yield* Spans.record(oauth.refresh(tokens))
 * expect(JSON.stringify(Spans.attributes(spans))).not.toContain("refresh-token-value")
 * ```
 *
 * @since 0.1.0
 */
import { Effect, Tracer } from "effect"

/**
 * Runs `self` with a tracer that keeps every span it starts (the context's
 * tracer still does the work), and returns them with the result.
 *
 * @since 0.1.0
 * @category testing
 */
export const record = <A, E, R>(
  self: Effect.Effect<A, E, R>
): Effect.Effect<{ readonly result: A; readonly spans: ReadonlyArray<Tracer.Span> }, E, R> =>
  Effect.gen(function*() {
    const spans: Array<Tracer.Span> = []
    const native = yield* Effect.tracer
    const recording = Tracer.make({
      span: (...args) => {
        const span = native.span(...args)
        spans.push(span)
        return span
      },
      context: native.context
    })
    const result = yield* Effect.withTracer(self, recording)
    return { result, spans }
  })

/**
 * Each span's attributes as a plain object, in the order the spans started.
 *
 * @since 0.1.0
 * @category testing
 */
export const attributes = (spans: ReadonlyArray<Tracer.Span>): ReadonlyArray<Readonly<Record<string, unknown>>> =>
  spans.map((span) => Object.fromEntries(span.attributes))
