// The user's side of the embedded server's login and consent (and device
// verification), played without a browser: follow the redirects, post the forms.

/**
 * Follows the authorization redirects by hand with a cookie jar, answering the
 * server's development login and consent forms, until the redirect URI.
 */
const browser = () => {
  const jar = new Map<string, string>()
  return async (target: string, init: RequestInit = {}) => {
    const response = await fetch(target, {
      ...init,
      redirect: "manual",
      headers: { ...init.headers, cookie: Array.from(jar, ([k, v]) => `${k}=${v}`).join("; ") }
    })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";")
      const index = pair.indexOf("=")
      jar.set(pair.slice(0, index), pair.slice(index + 1))
    }
    return response
  }
}

/** `url` goes to the redirect URI; on a loopback IP any port matches (RFC 8252 §7.3). */
const isRedirectTo = (url: string, redirectUri: string): boolean => {
  if (url.startsWith(redirectUri)) return true
  const target = new URL(url)
  const registered = new URL(redirectUri)
  return (registered.hostname === "127.0.0.1" || registered.hostname === "[::1]") &&
    target.protocol === registered.protocol && target.hostname === registered.hostname &&
    target.pathname === registered.pathname
}

/** @internal */
export const approve = async (url: string, redirectUri: string, accountId: string, deny: boolean): Promise<string> => {
  const go = browser()
  let next = url
  for (let step = 0; step < 12; step++) {
    if (isRedirectTo(next, redirectUri)) return next
    const response = await go(next)
    const location = response.headers.get("location")
    if (location !== null) {
      next = new URL(location, next).toString()
      continue
    }
    const page = await response.text()
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1]
    const action = /action="([^"]+)"/.exec(page)?.[1]
    if (prompt === undefined || action === undefined) throw new Error(`unexpected page at ${new URL(next).pathname}`)
    const target = new URL(deny && prompt === "consent" ? `${action}/abort` : action, next).toString()
    const form: Record<string, string> = prompt === "login" ? { prompt, login: accountId, password: "x" } : { prompt }
    const submitted = await go(target, {
      method: deny && prompt === "consent" ? "GET" : "POST",
      ...(deny && prompt === "consent"
        ? {}
        : { headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() })
    })
    next = new URL(submitted.headers.get("location") ?? "", next).toString()
  }
  throw new Error("authorization did not reach the redirect URI")
}

const form = (values: Record<string, string>): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(values).toString()
})

/**
 * The user side of RFC 8628 §3.3: opens the verification page, enters the user
 * code, confirms (or aborts) the device, then answers the login and consent forms
 * until the server's success page.
 *
 * @internal
 */
export const approveDevice = async (verificationUri: string, userCode: string, accountId: string, deny: boolean) => {
  const go = browser()
  const input = await (await go(verificationUri)).text()
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(input)?.[1]
  if (xsrf === undefined) throw new Error("the verification page has no form")
  const confirmation = await go(verificationUri, form({ xsrf, user_code: userCode }))
  const confirmPage = await confirmation.text()
  if (!confirmPage.includes('name="confirm"')) throw new Error(`user code ${userCode} was not accepted`)
  const answer = await go(verificationUri, form({ xsrf, user_code: userCode, ...(deny ? { abort: "yes" } : { confirm: "yes" }) }))
  if (deny) return
  let response = answer
  let at = verificationUri
  for (let step = 0; step < 12; step++) {
    const location = response.headers.get("location")
    if (location !== null) {
      at = new URL(location, at).toString()
      response = await go(at)
      continue
    }
    const body = await response.text()
    const prompt = /name="prompt" value="(\w+)"/.exec(body)?.[1]
    const action = /action="([^"]+)"/.exec(body)?.[1]
    if (prompt === undefined || action === undefined) {
      if (response.status === 200 && body.includes("Signed in")) return
      throw new Error(`unexpected page at ${new URL(at).pathname} (HTTP ${response.status})`)
    }
    at = new URL(action, at).toString()
    response = await go(at, form(prompt === "login" ? { prompt, login: accountId, password: "x" } : { prompt }))
  }
  throw new Error("the device authorization did not complete")
}
