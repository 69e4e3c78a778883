/**
 * Pushes events to a calendar through an `AuthorizedHttpClient`: each request
 * carries the session's access token; a 401 with `error="invalid_token"` makes
 * the client refresh once and retry (the inserts are marked replayable: their
 * ids make a second one harmless). When the grant is gone (refresh refused),
 * the push stops with `ReconnectRequired`: the session is `revoked`, its store
 * entry cleared, and only the user can connect the calendar again.
 */
import { AuthorizedHttpClient } from "@effect-oauth/session"
import type { SessionError } from "@effect-oauth/session"
import { HttpClientRequest } from "@effect/platform"
import { Data, Effect, Schema } from "effect"

/** An event to push. Its `id` is chosen by the app, so pushing it twice is harmless. */
export interface CalendarEvent {
  /** Google's event id alphabet: base32hex (`a`–`v`, `0`–`9`), 5 to 1024 characters. */
  readonly id: string
  readonly summary: string
  readonly start: string
  readonly end: string
}

/** The grant is dead: the user must connect the calendar again. */
export class ReconnectRequired extends Data.TaggedError("ReconnectRequired")<{
  /** Events pushed before the grant was lost. */
  readonly pushed: number
  readonly cause: SessionError.SessionRevoked | SessionError.Unauthorized
}> {
  override get message(): string {
    return `the calendar connection was lost after ${this.pushed} event(s) (${this.cause.message}): ask the user to reconnect`
  }
}

/** The push stopped for another reason; the grant is kept, so trying later may work. */
export class SyncFailed extends Data.TaggedError("SyncFailed")<{
  readonly pushed: number
  readonly reason: "Api" | "Transport" | "Refresh"
  readonly detail: string
}> {
  override get message(): string {
    return `calendar sync stopped after ${this.pushed} event(s) (${this.reason}): ${this.detail}`
  }
}

/** What a push did. */
export interface SyncReport {
  /** Ids of the events created now. */
  readonly inserted: ReadonlyArray<string>
  /** Ids the calendar already had (an earlier, interrupted push). */
  readonly existing: ReadonlyArray<string>
}

const Inserted = Schema.Struct({ id: Schema.String, status: Schema.String, htmlLink: Schema.String })
const decodeInserted = Schema.decodeUnknown(Inserted)

/**
 * Inserts `events` into `calendarId`, in order (`POST /calendars/{id}/events`).
 *
 * @see https://developers.google.com/calendar/api/v3/reference/events/insert
 */
export const push = (
  api: AuthorizedHttpClient.AuthorizedHttpClient,
  calendarUrl: string,
  calendarId: string,
  events: ReadonlyArray<CalendarEvent>
): Effect.Effect<SyncReport, ReconnectRequired | SyncFailed> =>
  Effect.gen(function*() {
    const inserted: Array<string> = []
    const existing: Array<string> = []
    const url = `${calendarUrl}/calendars/${encodeURIComponent(calendarId)}/events`
    for (const event of events) {
      const pushed = inserted.length + existing.length
      const request = HttpClientRequest.post(url).pipe(
        HttpClientRequest.bodyUnsafeJson({
          id: event.id,
          summary: event.summary,
          start: { dateTime: event.start },
          end: { dateTime: event.end }
        })
      )
      // The app chose the event's id, so a second insert is a 409, not a second
      // event: the POST may be sent again after a refresh.
      const response = yield* api.execute(request).pipe(
        AuthorizedHttpClient.withReplayableBody,
        Effect.catchTags({
          SessionRevoked: (cause) => new ReconnectRequired({ pushed, cause }),
          Unauthorized: (cause) => new ReconnectRequired({ pushed, cause }),
          RefreshFailed: (cause) => new SyncFailed({ pushed, reason: "Refresh", detail: cause.message }),
          RequestError: (cause) => new SyncFailed({ pushed, reason: "Transport", detail: cause.reason }),
          ResponseError: (cause) => new SyncFailed({ pushed, reason: "Transport", detail: cause.reason })
        })
      )
      if (response.status === 409) {
        existing.push(event.id)
        continue
      }
      if (response.status !== 200) {
        return yield* new SyncFailed({ pushed, reason: "Api", detail: `HTTP ${response.status} from ${calendarUrl}` })
      }
      const body = yield* response.json.pipe(
        Effect.flatMap(decodeInserted),
        Effect.mapError(() => new SyncFailed({ pushed, reason: "Api", detail: "the created event could not be read" }))
      )
      inserted.push(body.id)
    }
    return { inserted, existing }
  })
