import * as fs from "node:fs"
import * as path from "node:path"
import { parse } from "yaml"
import { describe, expect, it } from "vitest"

const root = path.resolve(import.meta.dirname, "../../..")
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8")

describe("the CI workflow", () => {
  const workflow = parse(read(".github/workflows/ci.yml")) as {
    on: Record<string, unknown>
    jobs: Record<
      string,
      { services: Record<string, { image: string; ports: Array<string> }>; steps: Array<{ uses?: string; run?: string }> }
    >
  }

  it("runs on push and pull request", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"])
  })

  it("runs .ci/run with RabbitMQ and PostgreSQL as service containers", () => {
    const job = Object.values(workflow.jobs)[0]!
    expect(job.services.postgres?.ports).toContain("5432:5432")
    expect(job.services.rabbitmq?.ports).toContain("5672:5672")
    expect(job.steps.some((s) => s.run?.includes(".ci/run"))).toBe(true)
    for (const step of job.steps) if (step.uses !== undefined) expect(step.uses).toMatch(/@v\d+$/)
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
