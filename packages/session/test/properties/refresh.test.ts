/**
 * Model-based properties of how sessions refresh (DESIGN §4, invariants 2, 5,
 * 6): the command sequences of `test/helpers/world.ts` over one or two
 * sessions sharing a store, checked after every command.
 */
import { describe, it } from "@effect/vitest"
import { racing, runs, sample, sequences } from "../helpers/properties.js"
import * as World from "../helpers/world.js"

describe("OAuthSession / properties / refresh", () => {
  it.effect.prop(
    "invariant 2: at most one refresh of a grant is in flight, per session and across sessions sharing a store",
    sequences(),
    sample([World.singleFlight]),
    runs(15)
  )

  it.effect.prop(
    "invariant 5: only grant errors revoke; configuration and transient errors keep the stored grant, retried a bounded number of times",
    sequences(World.setup, { Fail: 5 }),
    sample([World.errorsClassified]),
    runs(15)
  )

  it.effect.prop(
    "invariant 6: on invalid_grant after another holder rotated the grant, its tokens are adopted instead of revoking",
    sequences(racing),
    sample([World.rotationRaceAdopts]),
    runs(15)
  )
})
