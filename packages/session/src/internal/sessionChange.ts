import { Data } from "effect"
import type * as OAuthSession from "../OAuthSession.js"
import type * as SessionMachine from "../SessionMachine.js"
import * as View from "./view.js"

type Snapshot = SessionMachine.Snapshot
type SessionChange = OAuthSession.SessionChange

/** @internal */
export const SessionChange = Data.taggedEnum<SessionChange>()

/** @internal */
export const diff = (previous: Snapshot, next: Snapshot): ReadonlyArray<SessionChange> => {
  const changes: Array<SessionChange> = []
  const before = previous.context
  const after = next.context
  if (after.tokens !== undefined && after.tokens !== before.tokens && after.version !== undefined) {
    changes.push(SessionChange.TokensUpdated({ tokens: after.tokens, version: after.version }))
  }
  const lapsesAt = after.tokens?.refreshTokenExpiresAt
  if (after.refreshTokenExpiring && !before.refreshTokenExpiring && lapsesAt !== undefined) {
    changes.push(SessionChange.RefreshTokenExpiring({ expiresAt: lapsesAt }))
  }
  if (after.devicePoll !== undefined && after.devicePoll !== before.devicePoll) {
    changes.push(SessionChange.DevicePolled({ poll: after.devicePoll }))
  }
  if (View.stateOf(previous) !== View.stateOf(next)) {
    changes.push(SessionChange.StateChanged({ from: View.stateOf(previous), to: View.stateOf(next), error: after.error }))
    if (View.stateOf(next) === "revoked") {
      changes.push(SessionChange.Revoked({ reason: after.error?._tag === "SessionRevoked" ? after.error.reason : "Revoked" }))
    }
  }
  return changes
}

