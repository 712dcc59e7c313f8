import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { readersPlugin, tsFragments } from "./docs/tsFragments.ts"

const root = path.resolve(import.meta.dirname, "../../..")

/**
 * Every TypeScript block in README.md, docs/ and the packages' READMEs type-checks, strict, against
 * the packages as they are: a renamed export or a changed option breaks the documentation here, not
 * in a reader's editor. (The blocks marked "runs as written" are also run, by readme-examples.)
 */
describe("TypeScript in the documentation", () => {
  const fragments = tsFragments(root)

  it("finds the blocks", () => {
    expect(fragments.length).toBeGreaterThanOrEqual(16)
  })

  it("every block type-checks (strict, NodeNext)", { timeout: 180_000 }, async () => {
    const out = path.join(root, ".examples/ts-fragments")
    fs.rmSync(out, { recursive: true, force: true })
    const written = fragments.map((fragment, i) => {
      // Inside the package the document belongs to, so its imports resolve as for that package's user.
      const dir = path.join(fragment.base, ".examples/ts-fragments", String(i))
      fs.rmSync(dir, { recursive: true, force: true })
      fs.mkdirSync(path.join(dir, "example"), { recursive: true })
      const file = path.join(dir, "example/main.ts")
      const head = fragment.context === "" ? "" : `${fragment.context}\n`
      fs.writeFileSync(file, `${head}${fragment.code}\nexport {}\n`)
      if (/from "\.\.\/src\/index\.(js|ts)"/.test(fragment.code)) {
        fs.mkdirSync(path.join(dir, "src"))
        fs.writeFileSync(path.join(dir, "src/index.ts"), readersPlugin)
      }
      return { fragment, file, offset: head === "" ? 0 : head.split("\n").length - 1 }
    })
    fs.mkdirSync(out, { recursive: true })
    const tsconfig = path.join(out, "tsconfig.json")
    fs.writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2023", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          allowImportingTsExtensions: true,
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          types: ["node"],
          typeRoots: [path.join(root, "node_modules/@types")]
        },
        files: written.map((w) => w.file)
      })
    )
    const tsc = path.join(root, "node_modules/typescript/bin/tsc")
    const errors = await promisify(execFile)(process.execPath, [tsc, "-p", tsconfig, "--pretty", "false"], { cwd: root }).then(
      () => "",
      (e: { stdout: string }) => e.stdout
    )
    // Each error is told at the document's line, not the generated file's.
    const located = errors
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        for (const w of written) {
          const rel = path.relative(root, w.file)
          const m = new RegExp(`^${rel.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\((\\d+),(\\d+)\\): (.*)$`).exec(line)
          if (m) {
            const [file, start] = w.fragment.where.split(":")
            return `${file}:${Number(start) + Number(m[1]) - w.offset}: ${m[3]}`
          }
        }
        return line
      })
    expect(located).toEqual([])
  })
})
