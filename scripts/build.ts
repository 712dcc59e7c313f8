/**
 * `npm run build`: compiles every publishable package to its dist/ (JavaScript, .d.ts, source
 * maps) with `tsc -b` over the project references in tsconfig.build.json.
 *
 * The sources import each other with `.ts` extensions (Node runs them directly in the workspace).
 * tsc rewrites those to `.js` in the JavaScript it emits but not in declaration files, where a
 * consumer's compiler would refuse them (TS5097) or not find them; this rewrites them there too.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const tsc = path.join(root, "node_modules/typescript/bin/tsc")
const force = process.argv.includes("--force")

execFileSync(process.execPath, [tsc, "-b", path.join(root, "tsconfig.build.json"), "--pretty", "false", ...(force ? ["--force"] : [])], {
  stdio: "inherit"
})

const relativeTsImport = /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g
const references = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.build.json"), "utf8")).references as Array<{ path: string }>
let rewritten = 0
for (const reference of references) {
  const dist = path.join(root, path.dirname(reference.path), "dist")
  for (const file of fs.readdirSync(dist, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".d.ts")) continue
    const full = path.join(dist, file)
    const text = fs.readFileSync(full, "utf8")
    const fixed = text.replace(relativeTsImport, "$1$2.js$3")
    if (fixed !== text) {
      fs.writeFileSync(full, fixed)
      rewritten++
    }
  }
}
console.log(`built ${references.length} packages (${rewritten} declaration files with .ts imports rewritten)`)
