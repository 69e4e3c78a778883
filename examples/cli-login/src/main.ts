/**
 * The executable: `npm start -- --demo login status token logout` (offline), or
 * `npm start -- --issuer https://issuer.example --client-id my-cli login`.
 */
import { Effect, Logger } from "effect"
import { run } from "./cli.js"

const write = (stream: NodeJS.WriteStream) => (line: string) => Effect.sync(() => void stream.write(`${line}\n`))

const program = run(process.argv.slice(2), {
  io: { out: write(process.stdout), err: write(process.stderr) },
  env: process.env
}).pipe(
  // Standard output carries only what a command prints (the token, the status).
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.stringLogger)))
)

Effect.runPromise(program).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cli-login: ${error instanceof Error ? error.name : "unexpected failure"}\n`)
    process.exit(1)
  }
)
