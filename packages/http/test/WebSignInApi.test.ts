import { WebSignIn, WebSignInApi } from "@effect-oauth/http"
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup, HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { origin, setup } from "./helpers.js"

class Api extends HttpApi.make("app")
  .add(WebSignInApi.group)
  .add(
    HttpApiGroup.make("me")
      .add(HttpApiEndpoint.get("me", "/me").addSuccess(Schema.Struct({ account: Schema.String })))
      .middleware(WebSignInApi.Authentication)
  )
{}

describe("WebSignInApi", () => {
  it.scoped("mounts the sign-in endpoints in an HttpApi; the middleware gives the user, or 401", () =>
    Effect.gen(function*() {
      const app = yield* setup()
      const me = HttpApiBuilder.group(Api, "me", (handlers) =>
        handlers.handle("me", () => Effect.map(WebSignIn.CurrentUser, (user) => ({ account: user.key.account }))))
      const live = HttpApiBuilder.api(Api).pipe(
        Layer.provide([me, WebSignInApi.layer(Api, app.signIn)]),
        Layer.provide(WebSignInApi.layerAuthentication(app.signIn)),
        Layer.merge(HttpServer.layerContext)
      )
      const { handler, dispose } = HttpApiBuilder.toWebHandler(live)
      yield* Effect.addFinalizer(() => Effect.promise(dispose))
      const jar = new Map<string, string>()
      const send = (path: string, init: RequestInit = {}) =>
        Effect.promise(async () => {
          const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ")
          const response = await handler(new Request(new URL(path, origin), { ...init, headers: { cookie } }))
          for (const line of response.headers.getSetCookie()) {
            const [name, value] = line.split(";")[0]!.split("=") as [string, string]
            if (value === "") jar.delete(name)
            else jar.set(name, value)
          }
          return { response, body: await response.text() }
        })

      const refused = yield* send("/me")
      expect(refused.response.status).toBe(401)
      expect(JSON.parse(refused.body)).toEqual({ _tag: "Unauthorized" })
      const login = yield* send("/auth/login?returnTo=/me")
      expect(login.response.status).toBe(302)
      const callback = new URL(yield* app.server.approve(login.response.headers.get("location")!))
      const landed = yield* send(`${callback.pathname}${callback.search}`)
      expect(landed.response.status).toBe(303)
      expect(landed.response.headers.get("location")).toBe("/me")
      const signedIn = yield* send("/me")
      expect(signedIn.response.status).toBe(200)
      expect(JSON.parse(signedIn.body)).toEqual({ account: "user-1" })
      expect((yield* send("/auth/logout", { method: "POST" })).response.status).toBe(303)
      expect((yield* send("/me")).response.status).toBe(401)
    }), 60_000)
})
