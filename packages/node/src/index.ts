/**
 * @effect-oauth/node — Node.js helpers for native apps: the RFC 8252 loopback
 * flow and opening the system browser.
 *
 * @since 0.1.0
 */
export * as Browser from "./Browser.js"
export * as Loopback from "./Loopback.js"
