#!/usr/bin/env node
/**
 * Packs every package under `packages/` as it would be published, into the folder
 * given as the first argument (default `.pack`), and checks each tarball:
 *
 * - the published `package.json` has no `source` export condition (it exists for the
 *   monorepo's tests and points at `.ts` files) and no `devDependencies`, so every
 *   export lists `types` first;
 * - the tarball holds `dist/index.js`, `dist/index.d.ts`, `README.md` and `LICENSE` (the
 *   repository's when the package has none), and no `.tsbuildinfo`, test file or
 *   `node_modules`.
 *
 * Builds first (`npm run build`). Prints one line per tarball; exits 1 on a failed check.
 */
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const root = resolve(import.meta.dirname, "..")
const out = resolve(process.argv[2] ?? join(root, ".pack"))
mkdirSync(out, { recursive: true })
execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" })

const withoutSource = (value) =>
  typeof value !== "object" || value === null
    ? value
    : Object.fromEntries(Object.entries(value).filter(([key]) => key !== "source").map(([k, v]) => [k, withoutSource(v)]))

const failures = []
const staging = mkdtempSync(join(tmpdir(), "effect-oauth-pack-"))
for (const dir of readdirSync(join(root, "packages")).sort()) {
  const source = join(root, "packages", dir)
  if (!existsSync(join(source, "package.json"))) continue
  const manifest = JSON.parse(readFileSync(join(source, "package.json"), "utf8"))
  if (manifest.private) continue
  const stage = join(staging, dir)
  cpSync(source, stage, {
    recursive: true,
    filter: (path) => !/[\\/](node_modules|test|\.tsbuild)([\\/]|$)/.test(path.slice(source.length))
  })
  // The repository's license when a package has no LICENSE of its own.
  if (!existsSync(join(stage, "LICENSE"))) cpSync(join(root, "LICENSE"), join(stage, "LICENSE"))
  const { devDependencies: _dev, scripts: _scripts, ...published } = manifest
  published.exports = withoutSource(manifest.exports)
  writeFileSync(join(stage, "package.json"), JSON.stringify(published, null, 2) + "\n")
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", out], { cwd: stage, encoding: "utf8" }))
  const files = packed.files.map((file) => file.path)
  const problems = []
  for (const need of ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"]) {
    if (!files.includes(need)) problems.push(`missing ${need}`)
  }
  for (const file of files) {
    if (/\.tsbuildinfo$|(^|\/)test\/|\.test\.|(^|\/)node_modules\//.test(file)) problems.push(`should not ship ${file}`)
  }
  for (const [path, conditions] of Object.entries(published.exports)) {
    if (conditions !== null && typeof conditions === "object" && Object.keys(conditions)[0] !== "types") {
      problems.push(`exports["${path}"] does not list types first`)
    }
  }
  if (problems.length > 0) failures.push(`${manifest.name}: ${problems.join("; ")}`)
  console.log(`${packed.filename}  ${files.length} files, ${(packed.size / 1024).toFixed(0)} kB${problems.length ? "  FAILED" : ""}`)
}
rmSync(staging, { recursive: true, force: true })
if (failures.length > 0) {
  console.error(failures.join("\n"))
  process.exit(1)
}
