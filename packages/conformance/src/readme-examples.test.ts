import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const here = path.resolve(import.meta.dirname, "..")
const readme = fs.readFileSync(path.resolve(here, "../core/README.md"), "utf8")

/** Each `<!-- example: runs as written -->` is followed by a ts block and the text block it prints. */
const examples = [...readme.matchAll(/<!-- example: runs as written -->\s*```ts\n([\s\S]*?)```\s*prints\s*```text\n([\s\S]*?)```/g)].map(
  (m) => ({ code: m[1]!, prints: m[2]! })
)

describe("packages/core/README.md", () => {
  it("has examples", () => {
    expect(examples.length).toBeGreaterThanOrEqual(2)
  })

  examples.forEach((example, i) => {
    it(`example ${i + 1} runs as written and prints what the README says`, { timeout: 120_000 }, async () => {
      // Written inside the workspace package so "@codebox/..." and "effect" resolve as for a user.
      const dir = path.join(here, ".examples")
      fs.mkdirSync(dir, { recursive: true })
      const file = path.join(dir, `example-${i + 1}.ts`)
      fs.writeFileSync(file, example.code)
      const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: here, timeout: 110_000 })
      expect(stdout).toBe(example.prints)
    })
  })
})
