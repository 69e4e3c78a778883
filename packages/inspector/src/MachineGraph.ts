/**
 * A state machine's definition as a graph: every state node (nested ones
 * included) and every transition it declares (`on` events, `after` delays,
 * invoked actors' `onDone`/`onError`, `always`), read from `machine.root`.
 * The docs diagram (`npm run docs:machine`) and the inspector's drawing both
 * come from {@link fromMachine}, so they cannot disagree.
 *
 * ```ts
 * const graph = MachineGraph.fromMachine(machine)
 * const svg = yield* MachineGraph.toSvg(graph) // laid out by elkjs
 * ```
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"
import type { AnyStateMachine } from "xstate"
import * as diagram from "./internal/diagram.js"
import * as internal from "./internal/machineGraph.js"
import * as mermaid from "./internal/mermaid.js"

/**
 * A state node. `id` is its path from the root joined with `.`
 * (`"refreshing"`, `"refreshing.backingOff"`): what {@link activeStates}
 * returns for a snapshot in it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Node {
  readonly id: string
  readonly key: string
  /** The enclosing state's `id`; `undefined` at the top level. */
  readonly parent: string | undefined
  /** The initial state of its parent. */
  readonly initial: boolean
  readonly type: "atomic" | "compound" | "parallel" | "final" | "history"
  /** Entry and exit actions by name (XState's own timer scheduling left out). */
  readonly entry: ReadonlyArray<string>
  readonly exit: ReadonlyArray<string>
  /** The `src` of each invoked actor. */
  readonly invokes: ReadonlyArray<string>
  /** The delays of its `after` transitions: a name, or a number of milliseconds. */
  readonly timers: ReadonlyArray<string>
  readonly tags: ReadonlyArray<string>
}

/**
 * A declared transition.
 *
 * @since 0.1.0
 * @category models
 */
export interface Edge {
  /** The `id` of the state declaring it (`""` for the machine itself). */
  readonly source: string
  /** The target states' ids; empty for a transition that stays (no exit, no entry). */
  readonly targets: ReadonlyArray<string>
  /**
   * The event type XState delivers (`xstate.after.<delay>.<machine>.<path>`
   * for a delay, `xstate.done.actor.<id>` for an actor's result); `""` for `always`.
   */
  readonly eventType: string
  /** How it reads: the event, `after <delay>`, `done <actor>`, `error <actor>`, or `always`. */
  readonly trigger: string
  /** The guard as written: a name, or `and`/`or`/`not` of names; `""` when none. */
  readonly guard: string
  readonly actions: ReadonlyArray<string>
  /** Re-enters its target (a self-transition that exits and enters again). */
  readonly reenter: boolean
}

/**
 * A machine as a graph: states in declaration order, parents before children.
 *
 * @since 0.1.0
 * @category models
 */
export interface Graph {
  /** The machine's `id`. */
  readonly id: string
  /** The id of the top-level initial state. */
  readonly initial: string | undefined
  readonly nodes: ReadonlyArray<Node>
  readonly edges: ReadonlyArray<Edge>
}

/**
 * Walks `machine.root` recursively into a {@link Graph}. Reads only the
 * definition: the machine is never started.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromMachine: (machine: AnyStateMachine) => Graph = internal.fromMachine

/**
 * The state ids a snapshot's `value` is in, outermost first:
 * `{ refreshing: "backingOff" }` → `["refreshing", "refreshing.backingOff"]`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const activeStates: (value: unknown) => ReadonlyArray<string> = (value) => internal.activeStates(value)

/**
 * Draws a graph as SVG, laid out by `elkjs` (layered, nested states inside
 * their parents). Each state is a `g.state[data-state=<id>]`, each transition
 * a `g.transition[data-edge=<index in edges>]`; the page styles them. No
 * coordinates are written by hand and nothing is fetched.
 *
 * @since 0.1.0
 * @category combinators
 */
export const toSvg: (graph: Graph) => Effect.Effect<string> = diagram.toSvg

/**
 * The graph as a Mermaid `stateDiagram-v2`: one arrow per transition target,
 * labelled `event [guard]`; a state with substates is a composite state
 * holding them, its initial arrow and the arrows between them. Substates are
 * named by their path with `_` (`refreshing_backingOff`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const toMermaid: (graph: Graph) => string = mermaid.toMermaid
