/**
 * Opening the user's browser: the system's handler for `https:` URLs
 * (`open` on macOS, `xdg-open` on Linux and BSD with a display,
 * `rundll32 url.dll,FileProtocolHandler` on Windows) or the program named by
 * the `BROWSER` environment variable. The URL is passed as one argument,
 * never through a shell. A service, so that tests and headless programs
 * replace it (`layerNone`, or a layer of their own).
 *
 * RFC 8252 has native apps authorize in an external user-agent, the system
 * browser, never in an embedded web view (§8.12, Embedded User-Agents).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.12
 * @since 0.1.0
 */
import { Context, Layer, Schema } from "effect"
import type { Effect } from "effect"
import * as internal from "./internal/browser.js"

/**
 * The browser could not be opened. `reason`:
 *
 * - `NoBrowser`: no way to open one here (no display, or `layerNone`).
 * - `LaunchFailed`: the command could not be started (`detail`: its error code).
 * - `UnsupportedUrl`: the URL is not `http:` or `https:`, so it is not handed to
 *   a program that might run it.
 *
 * Print the URL for the user instead.
 *
 * @since 0.1.0
 * @category errors
 */
export class BrowserUnavailable extends Schema.TaggedError<BrowserUnavailable>("@effect-oauth/node/BrowserUnavailable")(
  "BrowserUnavailable",
  { reason: Schema.Literal("NoBrowser", "LaunchFailed", "UnsupportedUrl"), detail: Schema.optional(Schema.String) }
) {
  override get message(): string {
    const detail = this.detail === undefined ? "" : `: ${this.detail}`
    switch (this.reason) {
      case "NoBrowser":
        return `no browser can be opened here${detail}`
      case "LaunchFailed":
        return `the browser could not be started${detail}`
      case "UnsupportedUrl":
        return "only http: and https: URLs are opened in a browser"
    }
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Asks the system to open `url` in a browser and returns once the command has
   * started (not when the page loaded). Fails with {@link BrowserUnavailable}.
   */
  readonly open: (url: string) => Effect.Effect<void, BrowserUnavailable>
}

/**
 * The service tag.
 *
 * @since 0.1.0
 * @category models
 */
export class Browser extends Context.Tag("@effect-oauth/node/Browser")<Browser, Service>() {}

/**
 * Where the browser is looked for. Defaults: `process.platform` and `process.env`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly platform?: NodeJS.Platform | undefined
  /** `BROWSER` names the program to run; `DISPLAY` / `WAYLAND_DISPLAY` tell a desktop on Linux. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
}

/**
 * Builds the system browser service: `BROWSER` when set, else `open` (macOS),
 * `rundll32 url.dll,FileProtocolHandler` (Windows) or `xdg-open` (others, with
 * a display). Its `open` fails with `BrowserUnavailable`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.12
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options | undefined) => Service = internal.make

/**
 * The system browser (see {@link make}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Browser> = Layer.sync(Browser, () => internal.make())

/**
 * No browser: every `open` fails with `NoBrowser`, so callers print the URL
 * (for SSH sessions, containers, CI).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNone: Layer.Layer<Browser> = Layer.succeed(Browser, internal.none)
