/**
 * The one-call chain: a protected resource answers 401 with `resource_metadata`;
 * `ResourceAuthorization.fromResource` finds its authorization server, registers
 * a client, authorizes with the resource indicator and sends the request again.
 * Nothing about the authorization server is configured here.
 */
import { ResourceAuthorization, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { Console, Effect, Option } from "effect"

export const program = Effect.gen(function*() {
  const server = yield* TestServer.TestServerTag
  const resource = server.protectedResource
  if (resource === undefined) return yield* Effect.dieMessage("start the test server with resourceIndicators: true")
  yield* Console.log(`resource: ${resource.url}`)

  const { client, metadata, provider, registration, response, session } = yield* ResourceAuthorization.fromResource(
    resource.url,
    {
      redirectUri: "http://127.0.0.1/callback",
      // The user's part: in a CLI, open the browser and wait on a loopback listener.
      authorize: (request) => server.approve(request.url)
    }
  )
  yield* Console.log(`resource metadata: ${metadata.resource}, authorization server ${metadata.authorizationServers[0]}`)
  yield* Console.log(`authorization server: ${provider.issuer} (registration at ${provider.registrationEndpoint})`)
  yield* Console.log(`registered client: ${Option.match(registration, { onNone: () => "none", onSome: (c) => c.clientId })}`)
  yield* Console.log(`session: ${yield* session.state}`)
  const body = yield* response.json
  yield* Console.log(`retried request → ${response.status} ${JSON.stringify(body)}`)

  const again = yield* client.get(resource.url)
  yield* Console.log(`next request → ${again.status}`)
  return { status: response.status, body }
}).pipe(Effect.provide(TokenStore.layerMemory), Effect.scoped)
