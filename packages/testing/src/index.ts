/**
 * @effect-oauth/testing — an embedded authorization server, span recording and
 * other helpers for tests of code built on the SDK. `Browser`, `TokenStoreContract`
 * and `TokenResponseFixtures` need optional peers (`puppeteer-core`, vitest): import
 * them from their own paths, `@effect-oauth/testing/Browser` and so on.
 *
 * @since 0.1.0
 */
export * as FakeTokenServer from "./FakeTokenServer.js"
export * as HttpStub from "./HttpStub.js"
export * as MovableClock from "./MovableClock.js"
export * as Spans from "./Spans.js"
export * as TestServer from "./TestServer.js"
