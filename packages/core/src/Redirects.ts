/**
 * Requests that follow no redirect. A credential sent to one URL must not travel on
 * to the URL a `Location` header names (RFC 9700 §4.11, §2.6): the SDK sends every
 * request with `FetchHttpClient` told not to follow (`redirect: "manual"`), and
 * decides itself what a 3xx means. The same holds for an application's own calls
 * that carry a token.
 *
 * ```ts
 * const response = yield* Redirects.notFollowed(client.get("https://api.example/me"))
 * // a 3xx comes back as it is; its Location is the caller's to judge
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11
 * @since 0.1.0
 */
import { FetchHttpClient } from "@effect/platform"
import { Context, Effect, FiberRef, Option } from "effect"

// One per context, which a fiber keeps from call to call.
const manualContexts = new WeakMap<Context.Context<never>, Context.Context<never>>()

/**
 * `context` with `redirect: "manual"` merged into `FetchHttpClient.RequestInit`
 * (the same context when it says so already). Other HTTP clients read no
 * `RequestInit`: the SDK refuses any 3xx they follow by themselves only where it
 * sees one. Fails with nothing.
 *
 * @since 0.1.0
 * @category combinators
 */
export const manualContext = <R>(context: Context.Context<R>): Context.Context<R> => {
  const known = manualContexts.get(context as Context.Context<never>)
  if (known !== undefined) return known as Context.Context<R>
  const init = Context.getOption(context as Context.Context<never>, FetchHttpClient.RequestInit)
  const manual = Option.isSome(init) && init.value.redirect === "manual"
    ? context
    : Context.add(context, FetchHttpClient.RequestInit, { ...Option.getOrElse(init, () => ({})), redirect: "manual" })
  manualContexts.set(context as Context.Context<never>, manual as Context.Context<never>)
  return manual
}

/**
 * Runs `self` with {@link manualContext}: `FetchHttpClient` hands any 3xx back as
 * it is instead of following it. Fails as `self` does.
 *
 * @since 0.1.0
 * @category combinators
 */
export const notFollowed = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime<A, E, R>((fiber) => {
    const context = fiber.getFiberRef(FiberRef.currentContext)
    const manual = manualContext(context)
    return manual === context ? self : Effect.locally(self, FiberRef.currentContext, manual)
  })
