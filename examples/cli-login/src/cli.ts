/**
 * A command-line login in the manner of `gh auth`: `login [--device]`, `token`,
 * `status`, `logout`, with the grant kept in a file store so every command (and
 * every new process) continues from it.
 *
 * `token` is the one place a token is printed, on purpose, to standard output
 * only. Everything else goes to standard error (progress) or standard output
 * (status) without any credential.
 */
import { OAuthClient, Provider } from "@effect-oauth/core"
import { Browser, Loopback } from "@effect-oauth/node"
import { OAuthSession, TokenStore } from "@effect-oauth/session"
import { TestServer } from "@effect-oauth/testing"
import { FetchHttpClient } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { Clock, Effect, Either, Fiber, Layer, Queue, Redacted } from "effect"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"

/**
 * The scopes of a login as they are: those the token response granted, those
 * requested, and the requested ones the server did not grant (RFC 6749 §3.3: the
 * server may grant fewer). The `TokenSet` holds the requested scopes when the
 * response named none (§5.1).
 */
export const scopeReport = (granted: ReadonlyArray<string>, requested: ReadonlyArray<string>): string => {
  const missing = requested.filter((scope) => !granted.includes(scope))
  return `granted: ${granted.length === 0 ? "none" : granted.join(" ")}; requested: ${
    requested.length === 0 ? "none" : requested.join(" ")
  }${missing.length === 0 ? "" : `; not granted: ${missing.join(" ")}`}`
}

/** Where the program writes: `out` is standard output, `err` standard error. */
export interface Io {
  readonly out: (line: string) => Effect.Effect<void>
  readonly err: (line: string) => Effect.Effect<void>
}

type Command = "login" | "token" | "status" | "logout"

/** The parsed command line. */
export interface Settings {
  readonly commands: ReadonlyArray<Command>
  readonly device: boolean
  readonly demo: boolean
  readonly issuer: string | undefined
  readonly clientId: string | undefined
  readonly scopes: ReadonlyArray<string>
  readonly dir: string | undefined
}

export const usage = `usage: cli-login [options] <command>...

commands (run in order):
  login [--device]   sign in: in the browser (loopback redirect, RFC 8252)
                     or with a code on another device (RFC 8628)
  token              print a valid access token (refreshed when needed)
  status             show the state, expiry and scopes (never a token)
  logout             revoke the grant at the server and forget it

options:
  --issuer URL       authorization server (env OAUTH_ISSUER)
  --client-id ID     registered public client (env OAUTH_CLIENT_ID)
  --scope "a b"      scopes to request (env OAUTH_SCOPES; default "openid offline_access")
  --dir PATH         where the grant is kept (env OAUTH_CLI_DIR; default ~/.config/effect-oauth-cli)
  --demo             run against an embedded authorization server, offline; the
                     user's side is played automatically`

const commands: ReadonlySet<string> = new Set(["login", "token", "status", "logout"])

/** Reads the arguments and the environment. */
export const parse = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): Either.Either<Settings, string> => {
  const found: Array<Command> = []
  const values: Record<string, string | undefined> = {
    issuer: env["OAUTH_ISSUER"],
    clientId: env["OAUTH_CLIENT_ID"],
    scope: env["OAUTH_SCOPES"],
    dir: env["OAUTH_CLI_DIR"]
  }
  let device = false
  let demo = false
  const named: Record<string, string> = { "--issuer": "issuer", "--client-id": "clientId", "--scope": "scope", "--dir": "dir" }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const name = named[arg]
    if (name !== undefined) {
      const value = argv[++i]
      if (value === undefined || value.startsWith("--")) return Either.left(`${arg} needs a value`)
      values[name] = value
    } else if (arg === "--device") device = true
    else if (arg === "--demo") demo = true
    else if (commands.has(arg)) found.push(arg as Command)
    else return Either.left(`unknown argument "${arg}"`)
  }
  if (found.length === 0) return Either.left("no command given")
  if (!demo && (values["issuer"] === undefined || values["clientId"] === undefined)) {
    return Either.left("--issuer and --client-id (or OAUTH_ISSUER and OAUTH_CLIENT_ID) are required without --demo")
  }
  return Either.right({
    commands: found,
    device,
    demo,
    issuer: values["issuer"],
    clientId: values["clientId"],
    scopes: (values["scope"] ?? "openid offline_access").split(" ").filter((scope) => scope !== ""),
    dir: values["dir"]
  })
}

const defaultDir = (env: Readonly<Record<string, string | undefined>>) =>
  Path.join(env["XDG_CONFIG_HOME"] ?? Path.join(env["HOME"] ?? Os.homedir(), ".config"), "effect-oauth-cli")

/** How the user's side of a sign-in happens: a person, or the demo server playing one. */
interface User {
  readonly browser: Layer.Layer<Browser.Browser>
  readonly onUserCode: (userCode: string) => Effect.Effect<void>
}

/** The embedded server plays the user: it approves in place of a browser. */
const demoUser = (server: TestServer.TestServer, io: Io): User => ({
  browser: Layer.succeed(Browser.Browser, {
    open: (url) =>
      Effect.zipRight(
        io.err("(demo) the embedded server signs in as user-1 and consents"),
        Effect.forkDaemon(
          Effect.flatMap(server.approve(url), (callback) => Effect.promise(() => fetch(callback).then((r) => r.text())))
        )
      ).pipe(Effect.asVoid)
  }),
  onUserCode: (userCode) =>
    Effect.zipRight(
      io.err("(demo) the embedded server enters the code as user-1 and consents"),
      Effect.asVoid(Effect.forkDaemon(server.approveDevice(userCode)))
    )
})

const seconds = (millis: number) => `${Math.round(millis / 1000)} s`

interface Context {
  readonly settings: Settings
  readonly io: Io
  readonly user: User
  readonly issuer: string
  readonly clientId: string
}

/** One command, on a session started from the store (a fresh runtime for each). */
const runCommand = (command: Command, context: Context, layers: Layer.Layer<OAuthClient.OAuthClient | TokenStore.TokenStore, unknown>) => {
  const { io, settings } = context
  const program = Effect.gen(function*() {
    const session = yield* OAuthSession.make({
      key: `${context.clientId}@${context.issuer}`,
      refresh: "lazy",
      // A device code's own `expires_in` (often 15 to 30 minutes) ends a device login first.
      authorizationTimeout: "30 minutes"
    })
    const state = yield* session.state
    switch (command) {
      case "login": {
        if (state !== "unauthorized" && state !== "revoked") {
          yield* io.err("Already logged in (run logout first to sign in again).")
          return 0
        }
        const tokens = settings.device ? yield* deviceLogin(session, context) : yield* Loopback.authorize(session, {
          scopes: settings.scopes,
          onAuthorizationUrl: (url, opened) =>
            io.err(opened ? `Opened a browser to sign in. If it did not open, visit:\n  ${url}` : `Open this URL to sign in:\n  ${url}`)
        }).pipe(Effect.provide(context.user.browser))
        yield* io.err(`Logged in (${scopeReport(tokens.scopes, settings.scopes)}).`)
        return 0
      }
      case "token": {
        const token = yield* session.accessToken
        yield* io.out(Redacted.value(token))
        return 0
      }
      case "status": {
        const { tokens } = (yield* session.snapshot).context
        yield* io.out(`issuer:  ${context.issuer}`)
        yield* io.out(`client:  ${context.clientId}`)
        yield* io.out(`state:   ${state}`)
        if (tokens !== undefined) {
          const now = yield* Clock.currentTimeMillis
          yield* io.out(
            tokens.expiresAt === undefined
              ? "expires: never (no expiry given)"
              : tokens.expiresAt > now
              ? `expires: in ${seconds(tokens.expiresAt - now)} (${new Date(tokens.expiresAt).toISOString()})`
              : `expires: expired ${seconds(now - tokens.expiresAt)} ago; the next token command refreshes it`
          )
          yield* io.out(`scopes:  ${tokens.scopes.join(" ")}`)
          yield* io.out(`refresh: ${tokens.refreshToken === undefined ? "no refresh token" : "refresh token kept"}`)
        }
        return 0
      }
      case "logout": {
        if (state === "unauthorized" || state === "revoked") {
          yield* io.err("Not logged in.")
          return 0
        }
        yield* session.revoke
        yield* io.err("Logged out: the grant was revoked at the server and removed from this computer.")
        return 0
      }
    }
  })
  return program.pipe(
    Effect.scoped,
    Effect.provide(layers),
    Effect.catchAll((error) =>
      Effect.as(io.err(`${command} failed: ${error instanceof Error ? error.message : String(error)}`), 1)
    )
  )
}

/** `login --device`: show the code, report each poll, wait for the outcome. */
const deviceLogin = (session: OAuthSession.OAuthSession, context: Context) =>
  Effect.gen(function*() {
    const { io } = context
    const changes = yield* session.subscribe
    const device = yield* session.authorizeDevice({ scopes: context.settings.scopes })
    yield* io.err(`To sign in, open ${device.verificationUri} and enter the code ${device.userCode}`)
    if (device.verificationUriComplete !== undefined) yield* io.err(`  (or open ${device.verificationUriComplete})`)
    const now = yield* Clock.currentTimeMillis
    yield* io.err(`  the code expires in ${seconds(device.expiresAt - now)}`)
    const progress = yield* Effect.fork(Effect.forever(Effect.flatMap(Queue.take(changes), (change) =>
      change._tag === "DevicePolled"
        ? io.err(`  waiting for approval (${change.poll.outcome}, next check in ${change.poll.interval} s)`)
        : Effect.void)))
    yield* context.user.onUserCode(device.userCode)
    return yield* Effect.ensuring(session.awaitAuthorization, Fiber.interrupt(progress))
  }).pipe(Effect.scoped)

/** Options of {@link run}. */
export interface RunOptions {
  readonly io: Io
  readonly env: Readonly<Record<string, string | undefined>>
  /** The browser for `login` (default: the system browser). */
  readonly browser?: Layer.Layer<Browser.Browser> | undefined
}

/** Runs the command line; the exit code is 0 on success, 1 when a command failed, 2 for bad usage. */
export const run = (argv: ReadonlyArray<string>, options: RunOptions): Effect.Effect<number> =>
  Effect.gen(function*() {
    const { env, io } = options
    const parsed = parse(argv, env)
    if (Either.isLeft(parsed)) {
      yield* io.err(`cli-login: ${parsed.left}\n\n${usage}`)
      return 2
    }
    const settings = parsed.right
    let issuer = settings.issuer ?? ""
    let clientId = settings.clientId ?? ""
    let dir = settings.dir ?? defaultDir(env)
    let user: User = { browser: options.browser ?? Browser.layer, onUserCode: () => Effect.void }
    if (settings.demo) {
      const server = yield* TestServer.make({ deviceFlow: true, rotateRefreshToken: true })
      issuer = server.issuer
      clientId = server.clients.native.clientId
      user = demoUser(server, io)
      if (settings.dir === undefined) {
        dir = yield* Effect.acquireRelease(
          Effect.promise(() => Fs.mkdtemp(Path.join(Os.tmpdir(), "cli-login-demo-"))),
          (created) => Effect.promise(() => Fs.rm(created, { recursive: true, force: true }))
        )
      }
      yield* io.err(`(demo) embedded authorization server at ${issuer}, client ${clientId}`)
    }
    const provider = yield* Provider.discover(issuer).pipe(Effect.provide(FetchHttpClient.layer), Effect.either)
    if (Either.isLeft(provider)) {
      yield* io.err(`cli-login: cannot read the server's metadata: ${provider.left.message}`)
      return 1
    }
    const layers = Layer.merge(
      OAuthClient.layer({ provider: provider.right, client: { clientId, scopes: settings.scopes } }),
      TokenStore.layerFileSystem(dir).pipe(Layer.provide(NodeFileSystem.layer))
    ).pipe(Layer.provide(FetchHttpClient.layer))
    const context: Context = { settings, io, user, issuer, clientId }
    for (const command of settings.commands) {
      const code = yield* runCommand(command, context, layers)
      if (code !== 0) return code
    }
    return 0
  }).pipe(Effect.scoped)
