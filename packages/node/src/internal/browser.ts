import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as Browser from "../Browser.js"

/** The program and arguments that open `url`, or `undefined` when nothing can. @internal */
export const commandFor = (
  url: string,
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>
): { readonly command: string; readonly args: ReadonlyArray<string> } | undefined => {
  const chosen = env["BROWSER"]?.trim()
  if (chosen !== undefined && chosen !== "") return { command: chosen, args: [url] }
  switch (platform) {
    case "darwin":
      return { command: "open", args: [url] }
    case "win32":
      // Not `cmd /c start`: cmd would parse the `&` of a query string.
      return { command: "rundll32", args: ["url.dll,FileProtocolHandler", url] }
    default:
      return env["DISPLAY"] === undefined && env["WAYLAND_DISPLAY"] === undefined
        ? undefined
        : { command: "xdg-open", args: [url] }
  }
}

const isWebUrl = (url: string): boolean => {
  try {
    const protocol = new URL(url).protocol
    return protocol === "https:" || protocol === "http:"
  } catch {
    return false
  }
}

/** @internal */
export const make = (options: Browser.Options = {}): Browser.Service => ({
  open: (url) =>
    Effect.suspend(() => {
      if (!isWebUrl(url)) return Effect.fail(new Browser.BrowserUnavailable({ reason: "UnsupportedUrl" }))
      const command = commandFor(url, options.platform ?? process.platform, options.env ?? process.env)
      if (command === undefined) {
        return Effect.fail(new Browser.BrowserUnavailable({ reason: "NoBrowser", detail: "no display" }))
      }
      return Effect.async<void, Browser.BrowserUnavailable>((resume) => {
        const child = spawn(command.command, command.args, { stdio: "ignore", detached: true, shell: false })
        child.once("error", (error: NodeJS.ErrnoException) =>
          resume(Effect.fail(
            new Browser.BrowserUnavailable({ reason: "LaunchFailed", detail: `${command.command} (${error.code ?? error.name})` })
          )))
        child.once("spawn", () => {
          // The browser outlives this program; its exit status is not awaited.
          child.unref()
          resume(Effect.void)
        })
      })
    })
})

/** @internal */
export const none: Browser.Service = {
  open: () => Effect.fail(new Browser.BrowserUnavailable({ reason: "NoBrowser" }))
}
