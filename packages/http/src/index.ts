/**
 * @since 0.1.0
 */
export * as WebHandler from "./WebHandler.js"

/**
 * @since 0.1.0
 */
export * as WebSignIn from "./WebSignIn.js"

/**
 * @since 0.1.0
 */
export * as WebSignInApi from "./WebSignInApi.js"
