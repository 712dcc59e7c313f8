import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { packWorkspacePackages } from "@codebox/test-support"
import { beforeAll, describe, expect, it } from "vitest"

/**
 * CodeBox as an outsider gets it: the packages packed as they would be published, installed with
 * npm into an empty project outside the workspace (dependencies from the registry), then used
 * with plain `node` and type-checked with an ordinary strict tsconfig.
 */
const root = path.resolve(import.meta.dirname, "../../..")
const run = promisify(execFile)
const node = process.execPath
const pnpm = path.join(root, ".tools/pnpm/node_modules/pnpm/bin/pnpm.cjs")
const packed = ["core", "sandbox-native", "lang-python"]

const readme = fs.readFileSync(path.join(root, "packages/core/README.md"), "utf8")
const firstExample = /<!-- example: runs as written -->\s*```ts\n([\s\S]*?)```\s*prints\s*```text\n([\s\S]*?)```/.exec(readme)!

const consumerTs = `import { createCodeBox, type CodeBoxClient, type LanguagePlugin, standardLimits } from "@codebox/core"
import { NativeSandbox, type NativeSandboxOptions } from "@codebox/sandbox-native"
import { python } from "@codebox/lang-python"

const options: NativeSandboxOptions = { warmLaunchers: 1 }
const plugins: ReadonlyArray<LanguagePlugin> = [python]
export const box: CodeBoxClient = createCodeBox({ plugins, sandbox: NativeSandbox.layer(options) })
export const wall: number = standardLimits.wall_time_ms
`

let project = ""
let tarballs: Record<string, string> = {}

describe("the published packages, installed from their tarballs outside the workspace", () => {
  beforeAll(async () => {
    tarballs = await packWorkspacePackages(packed)
    project = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-consumer-"))
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "@types/node@24", ...packed.map((n) => tarballs[n]!)], {
      cwd: project,
      timeout: 240_000
    })
  }, 300_000)

  it("ship dist with types and source maps, a README, a CHANGELOG and a LICENSE, and no sources or tests", async () => {
    for (const name of packed) {
      const { stdout } = await run("tar", ["-tzf", tarballs[name]!])
      const files = stdout.split("\n").filter((f) => f !== "")
      expect(files, name).toContain("package/dist/index.js")
      expect(files, name).toContain("package/dist/index.d.ts")
      expect(files, name).toContain("package/dist/index.js.map")
      for (const doc of ["README.md", "CHANGELOG.md", "LICENSE"]) expect(files, name).toContain(`package/${doc}`)
      expect(
        files.filter((f) => f.includes("/src/") || /\.test\./.test(f) || f.endsWith(".tsbuildinfo")),
        name
      ).toEqual([])
      const manifest = JSON.parse(fs.readFileSync(path.join(project, "node_modules/@codebox", name, "package.json"), "utf8"))
      expect(JSON.stringify(manifest.exports), name).not.toMatch(/[^d]\.ts"/)
      expect(JSON.stringify(manifest), name).not.toContain("workspace:")
    }
  })

  it("core's installed tree has no Docker, RabbitMQ or SQL client", () => {
    const installed = fs.readdirSync(path.join(project, "node_modules"))
    const scoped = (scope: string) =>
      fs.existsSync(path.join(project, "node_modules", scope)) ? fs.readdirSync(path.join(project, "node_modules", scope)) : []
    expect(installed).not.toContain("dockerode")
    expect(installed).not.toContain("amqplib")
    expect(installed).not.toContain("ssh2")
    expect(scoped("@electric-sql")).toEqual([])
    expect(scoped("@effect")).not.toContain("sql-pg")
  })

  it("the core README's first example, as a plain .mjs, runs with plain node and prints what the README says", async () => {
    fs.writeFileSync(path.join(project, "main.mjs"), firstExample[1]!)
    const { stdout } = await run(node, ["main.mjs"], { cwd: project, timeout: 120_000, env: { PATH: process.env.PATH ?? "" } })
    expect(stdout).toBe(firstExample[2])
  }, 150_000)

  it("a consumer's TypeScript type-checks with a stock strict tsconfig (nodenext, no .ts imports allowed)", async () => {
    fs.writeFileSync(path.join(project, "consumer.ts"), consumerTs)
    fs.writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"]
        },
        files: ["consumer.ts"]
      })
    )
    const tsc = path.join(root, "node_modules/typescript/bin/tsc")
    const result = await run(node, [tsc, "-p", "tsconfig.json", "--pretty", "false"], { cwd: project }).catch((e: { stdout: string }) => e)
    expect(result.stdout).toBe("")
  }, 120_000)
})

describe("a release", () => {
  it("`pnpm publish -r --dry-run` publishes every public package at 0.2.0 and none of the private ones", async () => {
    await run(node, [path.join(root, "scripts/build.ts")], { cwd: root })
    const { stdout, stderr } = await run(node, [pnpm, "publish", "-r", "--dry-run", "--no-git-checks"], { cwd: root, timeout: 240_000 })
    const published = [...`${stdout}\n${stderr}`.matchAll(/^\+ (@codebox\/[\w-]+)@([\d.]+)$/gm)].map((m) => `${m[1]}@${m[2]}`).sort()
    const expected = [
      "cli",
      "core",
      "lang-bash",
      "lang-c",
      "lang-cpp",
      "lang-java",
      "lang-javascript",
      "lang-lua",
      "lang-perl",
      "lang-php",
      "lang-python",
      "lang-typescript",
      "queue-amqp",
      "sandbox-docker",
      "sandbox-native",
      "store-sql",
      "testkit"
    ]
    expect(published).toEqual(expected.map((n) => `@codebox/${n}@0.2.0`))
  }, 300_000)
})
