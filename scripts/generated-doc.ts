/**
 * The part of a doc between two markers that a script generates, shared by the
 * doc generators (`docs:machine`, `docs:providers`): read it, check it, rewrite it.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** The generated part currently in `doc`, markers included, or `undefined` when its markers are missing. */
export const current = (doc: string, begin: string, end: string): string | undefined => {
  const from = doc.indexOf(begin)
  const to = doc.indexOf(end)
  return from === -1 || to < from ? undefined : doc.slice(from, to + end.length)
}

/**
 * Run as a script (`moduleUrl` is the caller's `import.meta.url`): rewrites the
 * generated part of `docPath`, or with `--check` exits 1 when it is stale.
 */
export const main = (options: {
  readonly moduleUrl: string
  readonly docPath: string
  readonly begin: string
  readonly end: string
  readonly generated: () => string
  readonly command: string
}): void => {
  if (process.argv[1] === undefined || fileURLToPath(options.moduleUrl) !== process.argv[1]) return
  const doc = readFileSync(options.docPath, "utf8")
  const found = current(doc, options.begin, options.end)
  if (found === undefined) {
    console.error(`${options.docPath}: the generated-part markers are missing`)
    process.exitCode = 1
  } else if (process.argv.includes("--check")) {
    if (found !== options.generated()) {
      console.error(`${options.docPath} is stale: run ${options.command}`)
      process.exitCode = 1
    }
  } else {
    writeFileSync(options.docPath, doc.replace(found, options.generated()))
  }
}
