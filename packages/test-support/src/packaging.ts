import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

/** The repository's root (this file is packages/test-support/src/packaging.ts). */
export const repoRoot = path.resolve(import.meta.dirname, "../../..")

/**
 * Builds the workspace (idempotent) and packs the named packages (`core`, `sandbox-native`, ...)
 * as they would be published, into a fresh directory. Returns each package's tarball path.
 */
export const packWorkspacePackages = async (names: ReadonlyArray<string>): Promise<Record<string, string>> => {
  await run(process.execPath, [path.join(repoRoot, "scripts/build.ts")], { cwd: repoRoot })
  const pnpm = path.join(repoRoot, ".tools/pnpm/node_modules/pnpm/bin/pnpm.cjs")
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-pack-"))
  const tarballs: Record<string, string> = {}
  for (const name of names) {
    const { stdout } = await run(process.execPath, [pnpm, "pack", "--pack-destination", out], {
      cwd: path.join(repoRoot, "packages", name)
    })
    tarballs[name] = stdout.trim().split("\n").at(-1)!
  }
  return tarballs
}

/**
 * A third party's package from `examples/NAME`, copied to a temporary folder and installed there
 * with npm as its author would (`npm install`, then `npm run build` when it has one), with
 * CodeBox's packages taken from freshly packed tarballs instead of the registry (they are not
 * published from here). Returns the installed folder.
 */
export const installExample = async (name: string): Promise<string> => {
  const source = path.join(repoRoot, "examples", name)
  const target = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`))
  fs.cpSync(source, target, { recursive: true, filter: (f) => !/[/\\](node_modules|dist)$/.test(f) })
  const manifestFile = path.join(target, "package.json")
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as {
    dependencies?: Record<string, string>
    devDependencies?: Record<string, string>
    scripts?: Record<string, string>
  }
  const ours = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})].filter((d) =>
    d.startsWith("@codebox/")
  )
  const tarballs = await packWorkspacePackages([...new Set(ours)].map((d) => d.slice("@codebox/".length)))
  for (const deps of [manifest.dependencies, manifest.devDependencies])
    for (const dep of Object.keys(deps ?? {}))
      if (dep.startsWith("@codebox/")) deps![dep] = `file:${tarballs[dep.slice("@codebox/".length)]}`
  fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2))
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: target, timeout: 300_000 })
  if (manifest.scripts?.build !== undefined) await run("npm", ["run", "build"], { cwd: target, timeout: 120_000 })
  return target
}
