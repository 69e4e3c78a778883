/**
 * Web sign-in for an `HttpApi`: the `login` / `callback` / `logout` endpoints as
 * a group to add to the app's API, their handlers (the routes of a
 * {@link WebSignIn.WebSignIn}), and an `HttpApiMiddleware` that gives endpoints
 * the signed-in user, or answers 401.
 *
 * ```ts
 * class Api extends HttpApi.make("app")
 *   .add(WebSignInApi.group)
 *   .add(HttpApiGroup.make("me").add(HttpApiEndpoint.get("me", "/me").addSuccess(Schema.String)).middleware(WebSignInApi.Authentication)) {}
 * const MeLive = HttpApiBuilder.group(Api, "me", (handlers) =>
 *   handlers.handle("me", () => Effect.map(WebSignIn.CurrentUser, (user) => user.key.account)))
 * // with `signIn` from WebSignIn.make:
 * const ApiLive = HttpApiBuilder.api(Api).pipe(
 *   Layer.provide([MeLive, WebSignInApi.layer(Api, signIn)]),
 *   Layer.provide(WebSignInApi.layerAuthentication(signIn))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { HttpApiBuilder, HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSchema } from "@effect/platform"
import type { HttpApi } from "@effect/platform"
import { Effect, Layer, Option, Schema } from "effect"
import * as WebSignIn from "./WebSignIn.js"

/**
 * The endpoints, under `/auth` (the default `basePath`; see {@link makeGroup} for another):
 * `GET /auth/login`, `GET /auth/callback`, `POST /auth/logout`. Their responses
 * are redirects and pages, outside the API's schemas.
 *
 * @since 0.1.0
 * @category models
 */
export const makeGroup = <const Prefix extends `/${string}`>(prefix: Prefix) =>
  HttpApiGroup.make("webSignIn")
    .add(HttpApiEndpoint.get("login", "/login"))
    .add(HttpApiEndpoint.get("callback", "/callback"))
    .add(HttpApiEndpoint.post("logout", "/logout"))
    .prefix(prefix)

/**
 * The group at `/auth`.
 *
 * @since 0.1.0
 * @category models
 */
export const group = makeGroup("/auth")

/**
 * The type of {@link group}.
 *
 * @since 0.1.0
 * @category models
 */
export type Group = typeof group

/**
 * The handlers of the group: `signIn`'s `login`, `callback` and `logout`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <ApiId extends string, Groups extends HttpApiGroup.HttpApiGroup.Any, ApiError, ApiR>(
  api: HttpApi.HttpApi<ApiId, Groups | Group, ApiError, ApiR>,
  signIn: WebSignIn.WebSignIn
): Layer.Layer<HttpApiGroup.ApiGroup<ApiId, "webSignIn">> =>
  HttpApiBuilder.group(
    // The handlers neither fail nor need context: the API's other groups do not matter here.
    api as unknown as HttpApi.HttpApi<ApiId, Group, never, never>,
    "webSignIn",
    (handlers) =>
      handlers
        .handleRaw("login", () => signIn.login)
        .handleRaw("callback", () => signIn.callback)
        .handleRaw("logout", () => signIn.logout)
  )

/**
 * No signed-in user: the request has no valid session cookie, or its grant is
 * no longer held (signed out, revoked). Answered with HTTP 401.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@effect-oauth/http/Unauthorized")(
  "Unauthorized",
  {},
  HttpApiSchema.annotations({ status: 401 })
) {
  override get message(): string {
    return "sign-in required"
  }
}

/**
 * The user's grant could not be read (the `TokenStore` failed): try again.
 * Answered with HTTP 503.
 *
 * @since 0.1.0
 * @category errors
 */
export class SignInUnavailable extends Schema.TaggedError<SignInUnavailable>("@effect-oauth/http/SignInUnavailable")(
  "SignInUnavailable",
  {},
  HttpApiSchema.annotations({ status: 503 })
) {
  override get message(): string {
    return "sign-in is unavailable, try again"
  }
}

/**
 * The middleware giving endpoints {@link WebSignIn.CurrentUser}; add it to a
 * group or an endpoint with `.middleware(WebSignInApi.Authentication)`.
 *
 * @since 0.1.0
 * @category models
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("@effect-oauth/http/Authentication", {
  failure: Schema.Union(Unauthorized, SignInUnavailable),
  provides: WebSignIn.CurrentUser
}) {}

/**
 * The implementation of {@link Authentication}: `signIn.user` of the request,
 * or `Unauthorized`; `SignInUnavailable` when the store cannot be read. The user's session stays in memory for the request.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerAuthentication = (signIn: WebSignIn.WebSignIn): Layer.Layer<Authentication> =>
  Layer.succeed(
    Authentication,
    signIn.user.pipe(
      Effect.catchAll((error) =>
        Effect.zipRight(Effect.logWarning(`sign-in check: ${error.message}`), Effect.fail(new SignInUnavailable()))
      ),
      Effect.flatMap(Option.match({ onNone: () => Effect.fail(new Unauthorized()), onSome: Effect.succeed }))
    )
  )
