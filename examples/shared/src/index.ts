/**
 * What the provider examples share: a data-driven local HTTP server for their
 * provider fixtures, the browser's redirect step, and masked printing.
 */
export * as LocalServer from "./LocalServer.js"
export * as Print from "./Print.js"
export * as UserAgent from "./UserAgent.js"
