import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Redacted } from "effect"
import { ConfigurationError, InvalidTokenResponse } from "../OAuthError.js"
import type { Provider } from "../Provider.js"
import type * as Registration from "../Registration.js"
import { RegisteredClient } from "../Registration.js"
import * as http from "./http.js"

const credentialFields: ReadonlySet<string> = new Set([
  "client_id",
  "client_secret",
  "client_id_issued_at",
  "client_secret_expires_at",
  "registration_access_token",
  "registration_client_uri"
])

/** @internal */
export const register = (
  provider: Provider,
  metadata: Registration.ClientMetadata,
  options: Registration.RegisterOptions = {}
) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    if (provider.registrationEndpoint === undefined) {
      return yield* new ConfigurationError({
        reason: "MissingEndpoint",
        detail: `provider "${provider.name}" has no registration_endpoint`
      })
    }
    const url = yield* http.endpointUrl("registration_endpoint", provider.registrationEndpoint)
    const limits = http.limits(options)
    const base = HttpClientRequest.post(url).pipe(
      HttpClientRequest.setHeaders({ accept: "application/json", ...provider.requests?.headers }),
      HttpClientRequest.bodyUnsafeJson(metadata)
    )
    const request = options.initialAccessToken === undefined
      ? base
      : HttpClientRequest.setHeader(base, "authorization", `Bearer ${Redacted.value(options.initialAccessToken)}`)
    const response = yield* http.send(client, request, url, limits)
    const endpoint = http.where(url)
    const secrets = options.initialAccessToken === undefined ? [] : [options.initialAccessToken]
    // RFC 7591 §3.2.1: "The server responds with an HTTP 201 Created status code".
    if (response.status !== 201 && response.status !== 200) {
      return yield* http.failure(response, { endpoint, quirks: provider.tokenResponse, secrets })
    }
    const body = http.jsonObject(response.body)
    const invalid = (field: string | undefined, detail?: string) =>
      new InvalidTokenResponse({
        reason: field === undefined ? "NotJson" : "InvalidField",
        status: response.status,
        endpoint,
        ...(field === undefined ? {} : { field }),
        ...(detail === undefined ? {} : { detail }),
        ...http.excerptOf(response, body)
      })
    if (body === undefined) return yield* invalid(undefined)
    const clientId = body["client_id"]
    if (typeof clientId !== "string" || clientId === "") return yield* invalid("client_id", "is missing or not a string")
    const strings: Record<string, string> = {}
    for (const field of ["client_secret", "registration_access_token", "registration_client_uri"] as const) {
      const value = body[field]
      if (value === undefined) continue
      if (typeof value !== "string") return yield* invalid(field, "is not a string")
      strings[field] = value
    }
    const times: Record<string, number> = {}
    for (const [field, name] of [["client_id_issued_at", "clientIdIssuedAt"], ["client_secret_expires_at", "clientSecretExpiresAt"]] as const) {
      const value = body[field]
      if (value === undefined) continue
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        return yield* invalid(field, "is not a number of seconds")
      }
      // §3.2.1: client_secret_expires_at "0 if it will not expire".
      if (field === "client_secret_expires_at" && value === 0) continue
      times[name] = value * 1000
    }
    const registered: Record<string, unknown> = {}
    for (const [field, value] of Object.entries(body)) {
      if (!credentialFields.has(field)) registered[field] = value
    }
    return new RegisteredClient({
      clientId,
      ...(strings["client_secret"] === undefined ? {} : { clientSecret: Redacted.make(strings["client_secret"]) }),
      ...times,
      ...(strings["registration_access_token"] === undefined
        ? {}
        : { registrationAccessToken: Redacted.make(strings["registration_access_token"]) }),
      ...(strings["registration_client_uri"] === undefined ? {} : { registrationClientUri: strings["registration_client_uri"] }),
      metadata: registered
    })
  }).pipe(Effect.withSpan("Registration.register", { attributes: { "oauth.provider": provider.name }, captureStackTrace: false }))
