import { HttpClient, HttpClientResponse } from "@effect/platform"
import { OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Queue, Redacted, TestClock } from "effect"
import { authorize, harness, session, until } from "./helpers/session.js"

const second = 1000
const hour = 3_600_000
const day = 24 * hour

/**
 * An `OAuthClient` over a token endpoint that answers every request with
 * `body` (JSON): the wire response goes through `TokenResponse.parse`, as in
 * production. Counts the requests.
 */
const wireClient = (body: Record<string, unknown>) =>
  Effect.gen(function*() {
    const counts = { token: 0 }
    const http = HttpClient.make((request) =>
      Effect.sync(() => {
        counts.token++
        return HttpClientResponse.fromWeb(
          request,
          new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } })
        )
      })
    )
    const provider = Provider.make({
      name: "wire",
      authorizationEndpoint: "https://as.example/authorize",
      tokenEndpoint: "https://as.example/token"
    })
    const client = yield* OAuthClient.make({
      provider,
      client: { clientId: "app", redirectUri: "https://app.example/callback", authMethod: "none" }
    }).pipe(Effect.provideService(HttpClient.HttpClient, http))
    return { client, counts }
  })

const start = (client: OAuthClient.Service, options: Partial<OAuthSession.Options> = {}) =>
  Effect.gen(function*() {
    const s = yield* OAuthSession.make({ key: "user", refresh: "lazy", clock: "effect", ...options }).pipe(
      Effect.provideService(OAuthClient.OAuthClient, client),
      Effect.provideService(TokenStore.TokenStore, yield* TokenStore.makeMemory)
    )
    const changes = yield* s.subscribe
    const request = yield* s.authorize({ scopes: ["read:user"] })
    const tokens = yield* s.completeAuthorization(
      `https://app.example/callback?code=c0de&state=${encodeURIComponent(Redacted.value(request.state))}`
    )
    const expiring = Effect.map(
      Queue.takeAll(changes),
      (all) => Chunk.toReadonlyArray(all).filter((change) => change._tag === "RefreshTokenExpiring")
    )
    return { session: s, tokens, expiring }
  })

describe("OAuthSession / refresh margin", () => {
  const rows = [
    { name: "30 s token", lifetime: 30 * second, margin: 3 * second },
    { name: "1 h token", lifetime: hour, margin: 60 * second }
  ]
  for (const row of rows) {
    it.scoped(`${row.name}: accessToken starts a refresh ${row.margin} ms before expiry (a margin scaled to the lifetime), not 1 ms earlier`, () =>
      Effect.gen(function*() {
        const h = yield* harness({ accessTokenLifetime: row.lifetime, latency: "100 millis" })
        const s = yield* session(h)
        const first = yield* Effect.fork(authorize(h, s))
        yield* h.server.arrived("exchange", 1)
        yield* TestClock.adjust("100 millis")
        const tokens = yield* Fiber.join(first)
        const now = yield* TestClock.currentTimeMillis
        yield* TestClock.adjust(tokens.expiresAt! - row.margin - 1 - now)
        expect(Redacted.value(yield* s.accessToken)).toBe(Redacted.value(tokens.accessToken))
        expect(yield* s.state).toBe("authorized")
        expect(h.server.counts.refresh).toBe(0)
        yield* TestClock.adjust(1)
        // Still valid: handed out at once, while one refresh starts behind it.
        expect(Redacted.value(yield* s.accessToken)).toBe(Redacted.value(tokens.accessToken))
        expect(yield* s.state).toBe("refreshing")
        yield* h.server.arrived("refresh", 1)
        yield* TestClock.adjust("100 millis")
        yield* until(s, "authorized")
        expect(h.server.counts.refresh).toBe(1)
      }))
  }
})

describe("OAuthSession / refresh token lifetime, from the wire", () => {
  // https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
  const github = {
    access_token: "ghu_16C7e42F292c6912E7710c838347Ae178B4a",
    expires_in: 28800,
    refresh_token: "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498",
    refresh_token_expires_in: 15897600,
    scope: "",
    token_type: "bearer"
  }

  it.scoped("GitHub refresh_token_expires_in: an idle lazy session flags refreshTokenExpiring and reports RefreshTokenExpiring a day before the refresh token lapses, with no request", () =>
    Effect.gen(function*() {
      const { client, counts } = yield* wireClient(github)
      const { expiring, session: s, tokens } = yield* start(client)
      const lapsesAt = tokens.issuedAt + 15897600 * second
      expect(tokens.refreshTokenExpiresAt).toBe(lapsesAt)
      // The access token expires after 8 h; the lazy session waits in `expired`.
      yield* TestClock.adjust(lapsesAt - day - 1)
      expect(yield* s.state).toBe("expired")
      expect((yield* s.snapshot).context.refreshTokenExpiring).toBe(false)
      expect(yield* expiring).toEqual([])
      yield* TestClock.adjust(1)
      expect((yield* s.snapshot).context.refreshTokenExpiring).toBe(true)
      expect(yield* expiring).toEqual([OAuthSession.SessionChange.RefreshTokenExpiring({ expiresAt: lapsesAt })])
      expect(counts.token).toBe(1)
    }))

  // https://www.keycloak.org/securing-apps/oidc-layers#_token_endpoint
  it.scoped("Keycloak refresh_expires_in shorter than the warning: flagged as soon as the tokens are stored", () =>
    Effect.gen(function*() {
      const { client } = yield* wireClient({
        access_token: "eyJhbGciOiJSUzI1NiIsInR5cCIgOiAiSldUIiwia2lkIiA6ICJrZXljbG9hay1leGFtcGxlIn0.at.sig",
        expires_in: 300,
        refresh_expires_in: 1800,
        refresh_token: "eyJhbGciOiJIUzUxMiIsInR5cCIgOiAiSldUIiwia2lkIiA6ICJyZWZyZXNoLWV4YW1wbGUifQ.rt.sig",
        token_type: "Bearer",
        scope: "openid email profile"
      })
      const { expiring, session: s, tokens } = yield* start(client)
      expect(tokens.refreshTokenExpiresAt).toBe(tokens.issuedAt + 1800 * second)
      expect((yield* s.snapshot).context.refreshTokenExpiring).toBe(true)
      expect(yield* expiring).toEqual([
        OAuthSession.SessionChange.RefreshTokenExpiring({ expiresAt: tokens.issuedAt + 1800 * second })
      ])
    }))
})

describe("OAuthSession / granted scopes", () => {
  it.scoped("a grant loaded from the store reports the scopes it lacks against the scopes option, as data", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const now = yield* TestClock.currentTimeMillis
      const stored = TokenSet.make({ accessToken: "at-1", refreshToken: "rt-1", issuedAt: now, expiresAt: now + hour, scopes: ["read"] })
      yield* h.store.compareAndSet("alice", undefined, stored)
      const s = yield* session(h, { scopes: ["read", "write"] })
      const { context, value } = yield* s.snapshot
      expect(value).toBe("authorized")
      expect(context.requestedScopes).toEqual(["read", "write"])
      expect(context.missingScopes).toEqual(["write"])
      expect(Redacted.value(yield* s.accessToken)).toBe("at-1")
    }))

  it.scoped("an authorization's own scopes replace the scopes option; tokens adopted from the store with fewer scopes update missingScopes", () =>
    Effect.gen(function*() {
      const h = yield* harness()
      const s = yield* session(h, { scopes: ["read"] })
      yield* authorize(h, s, { scopes: ["read", "profile"] })
      expect((yield* s.snapshot).context.missingScopes).toEqual([])
      // Another holder of the grant stored tokens with fewer scopes; the next refresh adopts them.
      const fewer = yield* h.server.seed(["read"])
      yield* h.store.compareAndSet("alice", (yield* s.snapshot).context.version, fewer)
      yield* s.refresh
      const { context } = yield* s.snapshot
      expect(Redacted.value(context.tokens!.accessToken)).toBe(Redacted.value(fewer.accessToken))
      expect(context.requestedScopes).toEqual(["read", "profile"])
      expect(context.missingScopes).toEqual(["profile"])
    }))
})
