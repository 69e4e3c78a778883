/**
 * @effect-oauth/testing — an embedded authorization server, span recording and
 * other helpers for tests of code built on the SDK.
 *
 * @since 0.1.0
 */
export * as Browser from "./Browser.js"
export * as HttpStub from "./HttpStub.js"
export * as Spans from "./Spans.js"
export * as TestServer from "./TestServer.js"
