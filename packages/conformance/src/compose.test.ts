import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { dockerSkipReason } from "@codebox/test-support"

const root = path.resolve(import.meta.dirname, "../../..")
const composeFile = path.join(root, "docker-compose.yml")
const run = promisify(execFile)

/** `docker-compose` v1 (what Debian ships) or the `docker compose` v2 plugin, whichever exists. */
const findCompose = async (): Promise<ReadonlyArray<string> | null> => {
  for (const command of [["docker-compose"], ["docker", "compose"]]) {
    try {
      await run(command[0]!, [...command.slice(1), "version"])
      return command
    } catch {
      // not this one
    }
  }
  return null
}

const validate = async (compose: ReadonlyArray<string>, file: string) => {
  try {
    await run(compose[0]!, [...compose.slice(1), "-f", file, "config", "-q"], { cwd: path.dirname(file) })
    return { valid: true, errors: "" }
  } catch (error) {
    return { valid: false, errors: String((error as { stderr?: string }).stderr ?? error) }
  }
}

interface ComposeService {
  readonly image?: string
  readonly build?: unknown
  readonly restart?: string
  readonly healthcheck?: { readonly test: ReadonlyArray<string> }
  readonly volumes?: ReadonlyArray<string>
  readonly environment?: Record<string, string>
}

describe("docker-compose.yml", () => {
  const skip = dockerSkipReason(root)
  const file = parse(fs.readFileSync(composeFile, "utf8"), { merge: true }) as {
    services: Record<string, ComposeService>
    volumes: Record<string, unknown>
  }

  it("is valid for Compose, which also refuses a broken copy of it", { timeout: 60_000 }, async (ctx) => {
    const compose = await findCompose()
    // The set-up installs docker-compose with the engine; only when it said why it could not is
    // a missing one a skip.
    if (compose === null && skip !== null) ctx.skip(skip)
    expect(compose, "docker-compose (apt-get install docker-compose) or the docker compose plugin").not.toBeNull()
    const result = await validate(compose!, composeFile)
    expect(result.errors).toBe("")
    expect(result.valid).toBe(true)
    // The same file with one service's restart policy mistyped must be refused: the check can fail.
    const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "codebox-compose-")), "docker-compose.yml")
    fs.writeFileSync(broken, fs.readFileSync(composeFile, "utf8").replace("restart: unless-stopped", "restart: [unless-stopped]"))
    try {
      expect((await validate(compose!, broken)).valid).toBe(false)
    } finally {
      fs.rmSync(path.dirname(broken), { recursive: true, force: true })
    }
  })

  it("runs RabbitMQ, PostgreSQL, the server and the worker, each restarted and health-checked", () => {
    expect(Object.keys(file.services).sort()).toEqual(["postgres", "rabbitmq", "server", "worker"])
    for (const [name, service] of Object.entries(file.services)) {
      expect(service.restart, name).toBe("unless-stopped")
      expect(service.healthcheck?.test.length, name).toBeGreaterThan(0)
    }
  })

  it("gives only the worker the Docker socket, and it runs the Docker sandbox on host-path job directories", () => {
    const { server, worker } = file.services
    expect(worker!.volumes).toContain("/var/run/docker.sock:/var/run/docker.sock")
    expect(server!.volumes?.some((v) => v.includes("docker.sock"))).toBe(false)
    expect(worker!.environment?.CODEBOX_SANDBOX).toBe("docker")
    const jobs = worker!.environment?.CODEBOX_WORK_ROOT
    // Same path on both sides of the bind: what the worker sees is what the daemon mounts.
    expect(worker!.volumes).toContain(`${jobs}:${jobs}`)
    // The host's cgroups, where the worker reads each sandbox container's cpu time and peak memory.
    expect(worker!.volumes).toContain("/sys/fs/cgroup:/host/sys/fs/cgroup")
    expect(server!.volumes?.some((v) => v.includes("cgroup"))).toBe(false)
  })

  it("keeps task files and the database on volumes, and points the apps at the queue and database", () => {
    expect(Object.keys(file.volumes)).toEqual(expect.arrayContaining(["storage", "database"]))
    for (const name of ["server", "worker"]) {
      const service = file.services[name]!
      expect(service.volumes, name).toContain("storage:/var/lib/codebox/data")
      expect(service.environment?.DATABASE_URL, name).toMatch(/^postgres:\/\/.*@postgres:5432\//)
      expect(service.environment?.CODEBOX_AMQP_URL, name).toMatch(/^amqp:\/\/.*@rabbitmq:5672/)
    }
  })
})
