// Lists public exports (packages/*/src/*.ts, not internal/) that have no JSDoc block right above them.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const missing = []
for (const pkg of readdirSync("packages")) {
  const dir = join("packages", pkg, "src")
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "index.ts")) {
    const lines = readFileSync(join(dir, file), "utf8").split("\n")
    lines.forEach((line, i) => {
      if (!/^export (declare )?(const|function|class|interface|type|enum)\b/.test(line)) return
      let j = i - 1
      while (j >= 0 && lines[j].trim() === "") j--
      if (!(lines[j] ?? "").trim().endsWith("*/")) missing.push(`${dir}/${file}:${i + 1}: ${line.slice(0, 80)}`)
    })
  }
}
console.log(missing.join("\n"))
console.log(`${missing.length} public exports without JSDoc`)
process.exitCode = missing.length === 0 ? 0 : 1
