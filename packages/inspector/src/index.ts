/**
 * @effect-oauth/inspector — a loopback-only live viewer of session machines,
 * and the machine graph the docs diagram is drawn from.
 *
 * @since 0.1.0
 */
export * as Inspector from "./Inspector.js"
export * as MachineGraph from "./MachineGraph.js"
