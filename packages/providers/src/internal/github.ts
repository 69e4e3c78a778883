import type * as GitHub from "../GitHub.js"

/** @internal */
export const authorizationParams = (options: GitHub.AuthorizationOptions): Readonly<Record<string, string>> => ({
  ...(options.login === undefined ? {} : { login: options.login }),
  ...(options.allowSignup === undefined ? {} : { allow_signup: String(options.allowSignup) }),
  ...(options.prompt === undefined ? {} : { prompt: options.prompt })
})
