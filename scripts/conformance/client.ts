/**
 * The conformance client: what `scripts/conformance/run.ts` bundles (esbuild, one
 * file) and runs on each JavaScript runtime against the embedded authorization
 * server, which runs in Node. Only `fetch`, Web Crypto and the packages.
 */
import { Callback, OAuthClient, Provider, TokenSet } from "@effect-oauth/core"
import { Signature } from "@effect-oauth/oauth1"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"

/** Where the server is, the client registration, and the page that plays the user. */
export interface Target {
  readonly issuer: string
  readonly clientId: string
  /** Absent for a public client (a browser's), which authenticates with PKCE alone. */
  readonly clientSecret?: string | undefined
  readonly redirectUri: string
  /** `GET <approve>?url=<authorization URL>` answers the redirect back (unattended consent). */
  readonly approve: string
}

const approve = (target: Target, url: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${target.approve}?url=${encodeURIComponent(url)}`)
    if (!response.ok) throw new Error(`approve answered ${response.status}`)
    return response.text()
  })

// RFC 5849 §3.4.1 / the OAuth test cases (wiki.oauth.net TestCases, HMAC-SHA1).
const oauth1Vector = Signature.signature(
  "HMAC-SHA1",
  "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03" +
    "%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096" +
    "%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal",
  { key: Redacted.make("dpf43f3p2l4k3l03"), secret: Redacted.make("kd94hf93k423kf44") },
  { token: Redacted.make("nnch734d00sl2jdk"), tokenSecret: Redacted.make("pfkkdhi9sl3r4s00") }
)

/** Runs every step; resolves to the names of the steps that passed, or rejects naming the one that failed. */
export const run = (target: Target): Promise<string> => {
  const steps: Array<string> = []
  const step = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>) =>
    Effect.tap(
      Effect.mapError(effect, (error) => new Error(`${name} failed: ${String(error)}`)),
      () => Effect.sync(() => void steps.push(name))
    )
  const program = Effect.gen(function*() {
    const provider = yield* step("discovery", Provider.discover(target.issuer))
    const oauth = yield* OAuthClient.make({
      provider,
      client: {
        clientId: target.clientId,
        ...(target.clientSecret === undefined
          ? { authMethod: "none" as const }
          : { clientSecret: Redacted.make(target.clientSecret) }),
        redirectUri: target.redirectUri,
        scopes: ["openid", "offline_access", "api:read"]
      }
    })
    const request = yield* step("authorization URL", oauth.authorizationUrl())
    const callback = yield* approve(target, request.url)
    const tokens = yield* step("code exchange", Effect.flatMap(Callback.parse(callback, request), oauth.exchangeCode))
    const refreshed = yield* step("refresh", oauth.refresh(tokens))
    yield* step(
      "revocation",
      Effect.zipRight(
        oauth.revoke(refreshed, { hint: "refresh_token" }),
        Effect.flip(oauth.refresh(refreshed)) // the revoked grant is refused
      )
    )
    yield* step(
      "session",
      Effect.gen(function*() {
        const session = yield* OAuthSession.make({ key: "conformance", refresh: "lazy" })
        const authorization = yield* session.authorize()
        yield* session.completeAuthorization(yield* approve(target, authorization.url))
        yield* session.accessToken
        yield* TokenSet.fromJson(TokenSet.toJson(refreshed))
      }).pipe(
        Effect.scoped,
        Effect.provide(Layer.merge(Layer.succeed(OAuthClient.OAuthClient, oauth), TokenStore.layerMemory))
      )
    )
    yield* step(
      "oauth1 signature",
      Effect.filterOrFail(
        oauth1Vector,
        (signature) => Redacted.value(signature) === "tR3+Ty81lMeYAr/Fid0kMTYa/WM=",
        () => "a different HMAC-SHA1"
      )
    )
    return steps.join(", ")
  })
  return Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer)))
}
