// `npm run bench`: runs every benchmark beside this file (each module exports `run(): Promise<void>`
// and prints its own table), in name order, one after the other so they do not compete for cores.
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const dir = path.dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
let failed = false
for (const file of fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "main.ts")
  .sort()) {
  const name = file.replace(/\.ts$/, "")
  if (only.length > 0 && !only.includes(name)) continue
  console.log(`\n== bench: ${name}`)
  try {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { run?: () => Promise<void> }
    if (typeof mod.run !== "function") throw new Error(`${file} does not export run()`)
    await mod.run()
  } catch (e) {
    failed = true
    console.error(`bench ${name} failed:`, e instanceof Error ? e.message : e)
  }
}
process.exit(failed ? 1 : 0)
