import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

/**
 * The settings the code reads and the ones the documents name, compared so they cannot drift: a
 * setting added in code without a line in .env.example fails here, and so does a documented one
 * the code no longer reads.
 */
const root = path.resolve(import.meta.dirname, "../../..")
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8")

/** Environment names in the code that are not settings, each with why. */
const notSettings: Readonly<Record<string, string>> = {
  CODEBOX_HOSTILE_CANARY: "a variable the hostile suite plants in a job's environment to check it is not inherited"
}

const settingName = /^(CODEBOX_[A-Z0-9_]+|BENCH_[A-Z0-9_]+|DATABASE_URL|HOST|PORT)$/

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.parentPath.includes("node_modules"))
    .map((e) => path.join(e.parentPath, e.name))

/** Every setting name the packages' sources read: quoted names (Config, helpers) and process.env.NAME. */
const readByCode = (): ReadonlySet<string> => {
  const names = new Set<string>()
  const packages = path.join(root, "packages")
  for (const pkg of fs.readdirSync(packages)) {
    const src = path.join(packages, pkg, "src")
    if (!fs.existsSync(src)) continue
    for (const file of sourceFiles(src)) {
      const text = fs.readFileSync(file, "utf8")
      for (const m of text.matchAll(/"([A-Z][A-Z0-9_]+)"|process\.env\.([A-Z][A-Z0-9_]+)/g)) {
        const name = m[1] ?? m[2]!
        if (settingName.test(name) && notSettings[name] === undefined) names.add(name)
      }
    }
  }
  return names
}

/** Names set (or commented out with a value) in .env.example. */
const inEnvExample = (): ReadonlySet<string> => new Set([...read(".env.example").matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!))

/** Names in the first column of the README's settings table (`PORT`, `HOST` share a row). */
const inReadmeTable = (): ReadonlySet<string> => {
  const readme = read("README.md")
  const names = new Set<string>()
  for (const line of readme.split("\n")) {
    const first = /^\|\s*([^|]+)\|/.exec(line)?.[1] ?? ""
    for (const m of first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) if (settingName.test(m[1]!)) names.add(m[1]!)
  }
  return names
}

const missing = (from: ReadonlySet<string>, inside: ReadonlySet<string>) => [...from].filter((n) => !inside.has(n)).sort()

describe("settings: code and documents agree", () => {
  const code = readByCode()

  it("finds the settings the code reads", () => {
    for (const name of ["CODEBOX_API_KEYS", "CODEBOX_ADMIN_KEYS", "CODEBOX_READ_RATE_LIMIT", "DATABASE_URL", "CODEBOX_WORK_ROOT"]) {
      expect(code.has(name), name).toBe(true)
    }
  })

  it(".env.example names every setting the code reads, and nothing else", () => {
    const env = inEnvExample()
    expect(missing(code, env), "read by the code, missing from .env.example").toEqual([])
    expect(missing(env, code), "in .env.example, read by no code").toEqual([])
  })

  it("the README's settings table names only settings the code reads, and every setting of the HTTP server", () => {
    const table = inReadmeTable()
    expect(missing(table, code), "in the README table, read by no code").toEqual([])
    const serverSettings = new Set(
      [...read("packages/server/src/config.ts").matchAll(/"([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]!).filter((n) => settingName.test(n))
    )
    expect(missing(serverSettings, table), "read by the server, missing from the README table").toEqual([])
  })
})
