/**
 * A deterministic, in-memory model of an authorization server behind an
 * `OAuthClient.Service`, for tests of code built on `@effect-oauth/session`:
 * authorization codes, grants, refresh-token rotation with reuse detection (a
 * reused refresh token kills the whole grant, as RFC 9700 §4.14.2 recommends and
 * oidc-provider does), revocation (RFC 7009), and scripted failures (transport
 * errors, lost responses, 5xx, 429 with `Retry-After`, `invalid_client`,
 * refused ID tokens). Time is Effect's `Clock`, so it runs under `TestClock`;
 * an optional latency sleeps on it, and `hold` keeps refresh responses until
 * released. It needs only `@effect-oauth/core`.
 *
 * ```ts
 * const server = new FakeTokenServer.FakeTokenServer({ accessTokenLifetime: 60_000 })
 * server.failNext("refresh", FakeTokenServer.unavailable(2))
 * // provide `server.layer` as the session's OAuthClient
 * ```
 *
 * Device authorizations are issued but never approved; the client credentials,
 * JWT bearer, token exchange, password, implicit, introspection and userinfo
 * calls are not modelled (they die).
 *
 * @since 0.1.0
 */
import { Callback, OAuthClient, OAuthError, Provider, TokenSet } from "@effect-oauth/core"
import { Clock, Deferred, Duration, Effect, Layer, Redacted } from "effect"
import { endpoint, invalidGrant, responseLost } from "./internal/fakeFailures.js"

/**
 * How a {@link FakeTokenServer} issues tokens.
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeServerOptions {
  /** Access token lifetime (ms). Default 1 hour. */
  readonly accessTokenLifetime?: number
  /** Refresh token lifetime (ms), sent as `refresh_token_expires_in`. Default: none. */
  readonly refreshTokenLifetime?: number
  /** Issue a new refresh token on each refresh and reject reuse. Default true. */
  readonly rotate?: boolean
  /** A reused (rotated) refresh token revokes the whole grant. Default true. */
  readonly reuseDetection?: boolean
  /** Issue refresh tokens at all. Default true. */
  readonly refreshTokens?: boolean
  /** Latency of every token endpoint call, on Effect's Clock. Default none. */
  readonly latency?: Duration.DurationInput
  /** Scopes granted for the requested ones. Default: all requested. */
  readonly grant?: (requested: ReadonlyArray<string>) => ReadonlyArray<string>
}

interface Grant {
  revoked: boolean
  readonly scopes: ReadonlyArray<string>
}

interface RefreshRecord {
  readonly grant: Grant
  used: boolean
  readonly expiresAt: number | undefined
}

/**
 * A token endpoint call the server counts and can be scripted to fail or lose.
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = "refresh" | "exchange" | "revoke"

/**
 * The fake token endpoint (`endpoint`) and the failures a test scripts with
 * `failNext`: `transportError`, `responseLost`, `unavailable`, `tooManyRequests`,
 * `invalidClient`, `invalidGrant` (each documented where it is declared).
 *
 * @since 0.1.0
 * @category errors
 */
export { endpoint, invalidClient, invalidGrant, responseLost, tooManyRequests, transportError, unavailable } from "./internal/fakeFailures.js"
/**
 * The provider the fake client speaks for: authorization, token and revocation endpoints on `as.example`.
 *
 * @since 0.1.0
 * @category constants
 */
export const provider = Provider.make({
  name: "fake",
  authorizationEndpoint: "https://as.example/authorize",
  tokenEndpoint: endpoint,
  revocationEndpoint: "https://as.example/revoke"
})

/**
 * The server: its `client` (an `OAuthClient.Service`) or `layer` replaces the
 * real client; its methods script failures and read what it issued.
 *
 * @since 0.1.0
 * @category models
 */
export class FakeTokenServer {
  readonly counts: Record<Operation | "authorizationUrl", number> = { refresh: 0, exchange: 0, revoke: 0, authorizationUrl: 0 }
  /** Every access token and refresh token value issued, in order. */
  readonly issued: Array<string> = []
  private serial = 0
  private readonly codes = new Map<string, ReadonlyArray<string>>()
  private readonly refreshTokens = new Map<string, RefreshRecord>()
  private readonly accessTokens = new Map<string, { readonly grant: Grant; readonly expiresAt: number }>()
  private readonly failures: Record<Operation, Array<OAuthError.TokenEndpointError>> = { refresh: [], exchange: [], revoke: [] }
  private gate: Deferred.Deferred<void> | undefined
  private readonly lost: Record<Operation, number> = { refresh: 0, exchange: 0, revoke: 0 }
  private readonly idTokenRefusals: Array<OAuthError.IdTokenInvalid["reason"]> = []
  private readonly waiters: Array<{ readonly operation: Operation; readonly n: number; readonly wake: () => void }> = []

  /** Whether refreshes rotate the refresh token; starts as `options.rotate` (default true). */
  rotate: boolean

  constructor(readonly options: FakeServerOptions = {}) {
    this.rotate = options.rotate !== false
  }

  /** How many failures scripted with `failNext` are still to come. */
  get pendingFailures(): number {
    return this.failures.refresh.length + this.failures.exchange.length + this.failures.revoke.length
  }

  /** The next `n` calls of `operation` take effect at the server, and their responses are lost on the way back. */
  loseNext(operation: Operation, n = 1): void {
    this.lost[operation] += n
  }

  /**
   * The next refresh takes effect at the server (the refresh token rotates), and
   * the client refuses the response's ID token with `reason`, as core's refresh
   * does: an `IdTokenInvalid` carrying the rotated refresh token.
   */
  refuseIdTokenNext(reason: OAuthError.IdTokenInvalid["reason"]): void {
    this.idTokenRefusals.push(reason)
  }

  /** Drops the failures scripted with `failNext`. */
  clearFailures(): void {
    for (const list of Object.values(this.failures)) list.length = 0
  }

  /** When the access token `value` expires, by the server's records (`undefined`: never issued). */
  accessTokenExpiresAt(value: string): number | undefined {
    return this.accessTokens.get(value)?.expiresAt
  }

  /** The refresh token issued last, if any. */
  newestRefreshToken(): string | undefined {
    for (let i = this.issued.length - 1; i >= 0; i--) if (this.issued[i]!.startsWith("refresh-")) return this.issued[i]
    return undefined
  }

  /** `true` when a refresh with `value` would succeed now: issued, unused, unexpired, its grant live. */
  isRefreshTokenUsable(value: string, now: number): boolean {
    const record = this.refreshTokens.get(value)
    return record !== undefined && !record.used && !record.grant.revoked &&
      (record.expiresAt === undefined || now < record.expiresAt)
  }

  /** The next calls of `operation` fail with `errors`, in order. */
  failNext(operation: Operation, ...errors: ReadonlyArray<OAuthError.TokenEndpointError>): void {
    this.failures[operation].push(...errors)
  }

  /**
   * Completes once `n` calls of `operation` have reached the server (and are
   * sleeping on their latency): advance the `TestClock` only after this, since a
   * call may cross a real async boundary (Web Crypto) before it arrives.
   */
  arrived(operation: Operation, n: number): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      if (this.counts[operation] >= n) return resume(Effect.void)
      this.waiters.push({ operation, n, wake: () => resume(Effect.void) })
    })
  }

  /** Refresh responses wait until the returned effect runs. */
  hold(): Effect.Effect<Effect.Effect<void>> {
    return Effect.map(Deferred.make<void>(), (gate) => {
      this.gate = gate
      return Effect.zipRight(Deferred.succeed(gate, undefined), Effect.sync(() => (this.gate = undefined)))
    })
  }

  /** The server revokes every grant (an admin action, a password change). */
  revokeAll(): void {
    for (const record of this.refreshTokens.values()) record.grant.revoked = true
  }

  /** `true` when `accessToken` is live: issued, unexpired, its grant not revoked. */
  isActive(accessToken: Redacted.Redacted<string> | string): Effect.Effect<boolean> {
    const value = typeof accessToken === "string" ? accessToken : Redacted.value(accessToken)
    return Effect.map(Clock.currentTimeMillis, (now) => this.isActiveAt(value, now))
  }

  /** `true` when the access token `value` is live at `now`. */
  isActiveAt(value: string, now: number): boolean {
    const record = this.accessTokens.get(value)
    return record !== undefined && !record.grant.revoked && now < record.expiresAt
  }

  /**
   * Issues a grant directly, as if an authorization had completed earlier;
   * `issuedAgo` (ms) backdates it (a large value gives an expired access token).
   */
  seed(scopes: ReadonlyArray<string> = ["read"], issuedAgo = 0): Effect.Effect<TokenSet.TokenSet> {
    return Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => Effect.sync(() => this.issue({ revoked: false, scopes }, now - issuedAgo, true))
    )
  }

  /** The user approves `request`: the redirect URL back to the app, with a fresh code. */
  approve(request: Callback.AuthorizationRequest): string {
    const code = `code-${++this.serial}`
    this.codes.set(code, request.scopes)
    return `https://app.example/callback?code=${code}&state=${encodeURIComponent(Redacted.value(request.state))}`
  }

  private issue(grant: Grant, now: number, withRefreshToken: boolean): TokenSet.TokenSet {
    const n = ++this.serial
    const accessToken = `access-${n}`
    const lifetime = this.options.accessTokenLifetime ?? 3_600_000
    this.accessTokens.set(accessToken, { grant, expiresAt: now + lifetime })
    this.issued.push(accessToken)
    const refreshLifetime = this.options.refreshTokenLifetime
    let refreshToken: string | undefined
    if (withRefreshToken && this.options.refreshTokens !== false) {
      refreshToken = `refresh-${n}`
      this.refreshTokens.set(refreshToken, {
        grant,
        used: false,
        expiresAt: refreshLifetime === undefined ? undefined : now + refreshLifetime
      })
      this.issued.push(refreshToken)
    }
    return TokenSet.make({
      accessToken,
      issuedAt: now,
      expiresAt: now + lifetime,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      ...(refreshToken === undefined || refreshLifetime === undefined ? {} : { refreshTokenExpiresAt: now + refreshLifetime }),
      scopes: grant.scopes
    })
  }

  private call<A, E = never>(
    operation: Operation,
    body: (now: number) => Effect.Effect<A, OAuthError.TokenEndpointError | E>
  ): Effect.Effect<A, OAuthError.TokenEndpointError | E> {
    return Effect.gen(this, function*() {
      this.counts[operation]++
      for (const waiter of this.waiters.splice(0)) {
        if (this.counts[waiter.operation] >= waiter.n) waiter.wake()
        else this.waiters.push(waiter)
      }
      const now = yield* Clock.currentTimeMillis
      if (this.options.latency !== undefined) yield* Effect.sleep(this.options.latency)
      if (operation === "refresh" && this.gate !== undefined) yield* Deferred.await(this.gate)
      const failure = this.failures[operation].shift()
      if (failure !== undefined) return yield* Effect.fail(failure)
      const result = yield* body(now)
      if (this.lost[operation] > 0) {
        this.lost[operation]--
        return yield* Effect.fail(responseLost())
      }
      return result
    })
  }

  readonly client: OAuthClient.Service = {
    provider,
    clientId: "fake-client",
    authorizationUrl: (options) =>
      Effect.sync(() => {
        const n = ++this.serial
        this.counts.authorizationUrl++
        return new Callback.AuthorizationRequest({
          url: `https://as.example/authorize?client_id=fake-client&state=state-${n}`,
          state: Redacted.make(`state-${n}`),
          codeVerifier: Redacted.make(`verifier-${n}`),
          redirectUri: "https://app.example/callback",
          scopes: options?.scopes ?? ["read"],
          issRequired: false
        })
      }),
    exchangeCode: (response) =>
      this.call("exchange", (now) => {
        const code = Redacted.value(response.code)
        const requested = this.codes.get(code)
        if (requested === undefined) return Effect.fail(invalidGrant("authorization code is invalid"))
        this.codes.delete(code)
        const scopes = this.options.grant?.(requested) ?? requested
        return Effect.succeed(this.issue({ revoked: false, scopes }, now, true))
      }),
    refresh: (tokens) =>
      Effect.suspend(() => {
        if (tokens.refreshToken === undefined) {
          return Effect.fail(new OAuthError.ConfigurationError({ reason: "MissingCredential", detail: "no refresh token" }))
        }
        const presented = Redacted.value(tokens.refreshToken)
        return this.call("refresh", (now) => {
          const record = this.refreshTokens.get(presented)
          if (record === undefined || record.grant.revoked) return Effect.fail(invalidGrant())
          if (record.expiresAt !== undefined && now >= record.expiresAt) return Effect.fail(invalidGrant("refresh token expired"))
          const rotate = this.rotate
          if (record.used) {
            // Reuse of a rotated refresh token: with reuse detection, the whole grant dies.
            if (this.options.reuseDetection !== false) record.grant.revoked = true
            return Effect.fail(invalidGrant("refresh token reused"))
          }
          if (rotate) record.used = true
          const refreshed = TokenSet.merge(tokens, this.issue(record.grant, now, rotate))
          const refusal = this.idTokenRefusals.shift()
          return refusal === undefined
            ? Effect.succeed(refreshed)
            : Effect.fail(
              // As core's refresh fails when a refreshed ID token is refused: with the rotated refresh token.
              new OAuthError.IdTokenInvalid({
                reason: refusal,
                ...(refreshed.refreshToken === undefined ? {} : { refreshToken: refreshed.refreshToken })
              })
            )
        })
      }),
    clientCredentials: () => Effect.die("not modelled"),
    grant: () => Effect.die("not modelled"),
    // Device authorizations are issued, and their users never approve them.
    deviceAuthorization: (options) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const n = ++this.serial
        return new OAuthClient.DeviceAuthorization({
          deviceCode: Redacted.make(`device-code-${n}`),
          userCode: `USER-${n}`,
          verificationUri: "https://as.example/device",
          expiresAt: now + 30 * 60_000,
          interval: 5,
          scopes: options?.scopes ?? ["read"],
          extra: {}
        })
      }),
    pollDeviceToken: () => Effect.never,
    jwtBearer: () => Effect.die("not modelled"),
    exchangeToken: () => Effect.die("not modelled"),
    password: () => Effect.die("not modelled"),
    implicitAuthorizationUrl: () => Effect.die("not modelled"),
    revoke: (token) =>
      this.call("revoke", () =>
        Effect.sync(() => {
          const value = Redacted.isRedacted(token)
            ? Redacted.value(token)
            : Redacted.value(token.refreshToken ?? token.accessToken)
          const grant = this.refreshTokens.get(value)?.grant ?? this.accessTokens.get(value)?.grant
          if (grant !== undefined) grant.revoked = true
        })),
    introspect: () => Effect.die("not modelled"),
    userinfo: () => Effect.die("not modelled")
  }

  get layer(): Layer.Layer<OAuthClient.OAuthClient> {
    return Layer.succeed(OAuthClient.OAuthClient, this.client)
  }
}

/**
 * A latency for {@link FakeServerOptions.latency}, in milliseconds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const latency = (millis: number): Duration.Duration => Duration.millis(millis)
