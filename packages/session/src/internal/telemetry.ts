import { Metric } from "effect"

/** @internal */
export const refreshes = Metric.counter("effect_oauth.session.refreshes", {
  description: "session refreshes, by outcome: refreshed (a token request), adopted (another holder's tokens), failed",
  incremental: true
})

/** @internal */
export const failures = Metric.counter("effect_oauth.session.failures", {
  description: "failed session refreshes, by remedy (retry, reauthorize, fixConfiguration)",
  incremental: true
})

/** @internal */
export const leaseWaits = Metric.counter("effect_oauth.session.lease_waits", {
  description: "waits for a refresh lease another holder kept",
  incremental: true
})
