/**
 * The production deployment, brought up for real: `npm run compose:up -- --scale worker=2` from
 * nothing (the images the set-up built, or Debian-based stand-ins where no registry answers),
 * tasks in every language and a file task through the published port with an API key, a worker
 * container killed while 40 tasks run, and `npm run compose:down` leaving nothing behind. A Compose
 * project of its own (never the host's PostgreSQL or RabbitMQ ports), on a free port.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { dockerSkipReason } from "@codebox/test-support"

const root = path.resolve(import.meta.dirname, "../../..")
const run = promisify(execFile)
const project = `codebox-composetest-${process.pid}`
const apiKey = "compose-test-key"
const skip = dockerSkipReason(root)

/**
 * A port free on every address, below Linux's ephemeral range (32768 and up), so no connection's
 * local port can take it between this check and Docker publishing it.
 */
const freePort = async (): Promise<number> => {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000)
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer()
      server.once("error", () => resolve(false))
      server.listen(port, () => server.close(() => resolve(true)))
    })
    if (free) return port
  }
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`

describe.skipIf(skip !== null)("the Compose deployment (npm run compose:up / compose:down)", () => {
  let port = 0
  let base = ""
  let jobsDir = ""
  let env: NodeJS.ProcessEnv = {}
  const started = Date.now()

  /** scripts/compose.sh with this project's settings: up, down, or any compose command (ps, logs, ...). */
  const compose = async (args: ReadonlyArray<string>, timeout = 600_000) => {
    const { stdout } = await run("bash", [path.join(root, "scripts/compose.sh"), ...args], {
      cwd: root,
      env,
      timeout,
      maxBuffer: 64 * 1024 * 1024
    })
    return stdout
  }
  const npmRun = (script: string, args: ReadonlyArray<string>) =>
    run("npm", ["run", "--silent", script, "--", ...args], { cwd: root, env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 })

  const printLogs = async (why: string) => {
    try {
      const logs = await compose(["logs", "--no-color", "--tail", "60"], 60_000)
      console.log(`--- ${why}: the last compose logs of project ${project}\n${logs}`)
    } catch (error) {
      console.log(`--- ${why}: compose logs failed: ${String(error)}`)
    }
  }

  const api = (route: string, init: RequestInit = {}) =>
    fetch(`${base}${route}`, { ...init, headers: { "x-api-key": apiKey, ...(init.headers as Record<string, string>) } })

  const runTask = async (language: string, source: string) => {
    const response = await api("/api/tasks/create?wait=60", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ programming_language: language, source_code: source })
    })
    expect(response.status, `${language}: ${await response.clone().text()}`).toBe(200)
    return (await response.json()) as {
      status: string
      result: { stdout: string; stderr: string; returncode: number; cpu_time_ms: number | null; memory_peak_bytes: number | null }
    }
  }

  /** Every resource Compose made for the project (containers, networks, volumes), by its label. */
  const leftovers = async () => {
    const label = `label=com.docker.compose.project=${project}`
    const list = async (args: ReadonlyArray<string>) =>
      (await run("docker", [...args, "--filter", label, "-q"])).stdout.split("\n").filter((line) => line !== "")
    return {
      containers: await list(["ps", "-a"]),
      networks: await list(["network", "ls"]),
      volumes: await list(["volume", "ls"])
    }
  }

  beforeAll(async () => {
    port = await freePort()
    base = `http://127.0.0.1:${port}`
    jobsDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-compose-jobs-"))
    env = {
      ...process.env,
      COMPOSE_PROJECT_NAME: project,
      CODEBOX_PORT: String(port),
      CODEBOX_API_KEYS: apiKey,
      CODEBOX_JOBS_DIR: jobsDir,
      CODEBOX_COMPOSE_WAIT: "150",
      POSTGRES_PASSWORD: "compose-test-pg",
      RABBITMQ_PASSWORD: "compose-test-mq",
      // The killed worker's tasks are taken over once its heartbeats are 6 s silent (default 2 min).
      CODEBOX_HEARTBEAT_MS: "1000",
      CODEBOX_STALE_AFTER_MS: "6000",
      CODEBOX_RECONCILE_EVERY_MS: "2000"
    }
    // From nothing: no container, network or volume of this project exists before up.
    expect(await leftovers()).toEqual({ containers: [], networks: [], volumes: [] })
    const up = Date.now()
    try {
      await npmRun("compose:up", ["--scale", "worker=2"])
    } catch (error) {
      console.log(String((error as { stderr?: string }).stderr ?? error))
      await printLogs("compose:up failed")
      throw error
    }
    console.log(`compose:up (two workers) took ${seconds(up)}`)
  }, 900_000)

  afterEach(async (context) => {
    if (context.task.result?.state === "fail") await printLogs(`"${context.task.name}" failed`)
  })

  afterAll(async () => {
    // Whatever happened, the project goes (a no-op when the last test already took it down).
    await compose(["down"], 300_000).catch(() => undefined)
    fs.rmSync(jobsDir, { recursive: true, force: true })
    console.log(`the Compose deployment test took ${seconds(started)} in all`)
  }, 300_000)

  it("answers /api/health/ready on the published port, and wants an API key (the prod profile)", async () => {
    const ready = await fetch(`${base}/api/health/ready`)
    expect(ready.status, await ready.clone().text()).toBe(200)
    const keyless = await fetch(`${base}/api/tasks/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ programming_language: "python", source_code: "print(1)" })
    })
    expect(keyless.status).toBe(401)
  })

  it("runs python, c, javascript and php in the workers' Docker sandbox, with cpu time and peak memory", { timeout: 180_000 }, async () => {
    const programs: ReadonlyArray<readonly [string, string, string]> = [
      ["python", "block = bytearray(64 * 1024 * 1024)\nprint(sum(range(3_000_000)) % 1000)", "0\n"],
      ["c", '#include <stdio.h>\nint main(void) { printf("%d\\n", 6 * 7); return 0; }', "42\n"],
      ["javascript", "console.log([1, 2, 3].map((x) => x * 2).join(','))", "2,4,6\n"],
      ["php", "<?php echo strtoupper('compose'), \"\\n\";", "COMPOSE\n"]
    ]
    const results = await Promise.all(programs.map(([language, source]) => runTask(language, source)))
    programs.forEach(([language, , stdout], i) => {
      expect(results[i]?.status, `${language}: ${JSON.stringify(results[i])}`).toBe("SUCCESS")
      expect(results[i]?.result.stdout, language).toBe(stdout)
    })
    // The worker reads each container's cgroup on the Docker host (the host's hierarchies are
    // mounted into it): cpu time and peak memory are reported, not null.
    const python = results[0]!.result
    expect(python.cpu_time_ms, JSON.stringify(python)).toBeGreaterThan(0)
    expect(python.memory_peak_bytes, JSON.stringify(python)).toBeGreaterThan(64 * 1024 * 1024)
  })

  it("runs a file task and serves its outputs as a zip", { timeout: 120_000 }, async () => {
    const form = new FormData()
    form.append("programming_language", "python")
    form.append(
      "source_code",
      "data = open(IN_1).read()\nopen(OUT_upper.txt, 'w').write(data.upper())\nopen(OUT_count.txt, 'w').write(str(len(data)))\n"
    )
    form.append("input_files", "words.txt")
    form.append("files", new Blob(["deploy me"]), "words.txt")
    const created = await api("/api/file_task/create?wait=60", { method: "POST", body: form })
    const body = (await created.json()) as { task_id: string; status: string }
    expect(created.status, JSON.stringify(body)).toBe(200)
    expect(body.status, JSON.stringify(body)).toBe("SUCCESS")
    const download = await api(`/api/file_task/${body.task_id}/download`)
    expect(download.status).toBe(200)
    expect(download.headers.get("content-type")).toContain("zip")
    const zip = Buffer.from(await download.arrayBuffer())
    expect(zip.subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004")
    expect(zip.includes("upper.txt")).toBe(true)
    expect(zip.includes("count.txt")).toBe(true)
    const upper = await api(`/api/file_task/${body.task_id}/files/upper.txt`)
    expect(await upper.text()).toBe("DEPLOY ME")
  })

  it("finishes 40 tasks with the right output when one of two worker containers is killed", { timeout: 400_000 }, async () => {
    const workers = (await compose(["ps", "-q", "worker"])).split("\n").filter((line) => line !== "")
    expect(workers).toHaveLength(2)
    const phase = Date.now()
    const count = 40
    const created = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const response = await api("/api/tasks/create", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ programming_language: "python", source_code: `import time\ntime.sleep(0.3)\nprint(${i} * ${i})` })
        })
        expect(response.status).toBe(202)
        return ((await response.json()) as { task_id: string }).task_id
      })
    )
    // Kill a worker once it is running tasks (both take them from the start: prefetch 2 each).
    const deadline = Date.now() + 60_000
    for (;;) {
      const states = await Promise.all(created.slice(0, 8).map(async (id) => (await api(`/api/tasks/${id}/task_result`)).status))
      if (states.some((status) => status === 200) || Date.now() > deadline) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    await run("docker", ["kill", workers[0]!])
    console.log(`killed worker ${workers[0]!.slice(0, 12)} ${seconds(phase)} after submitting ${count} tasks`)
    const results = await Promise.all(
      created.map(async (id) => {
        const until = Date.now() + 300_000
        for (;;) {
          const response = await api(`/api/tasks/${id}/task_result?wait=20`)
          if (response.status === 200) return (await response.json()) as { status: string; result: { stdout: string } | null }
          if (Date.now() > until) return { status: `not finished (${response.status})`, result: null }
        }
      })
    )
    results.forEach((result, i) => {
      expect(result.status, `task ${i}: ${JSON.stringify(result)}`).toBe("SUCCESS")
      expect(result.result?.stdout, `task ${i}`).toBe(`${i * i}\n`)
    })
    console.log(`${count} tasks with a worker killed: all SUCCESS in ${seconds(phase)}`)
  })

  it("compose:down leaves no container, network or volume behind", { timeout: 300_000 }, async () => {
    const workers = (await compose(["ps", "-q", "worker"])).split("\n").filter((line) => line !== "")
    const down = Date.now()
    await npmRun("compose:down", [])
    console.log(`compose:down took ${seconds(down)}`)
    expect(await leftovers()).toEqual({ containers: [], networks: [], volumes: [] })
    // Nor a sandbox container of either worker.
    for (const id of workers) {
      const { stdout } = await run("docker", [
        "ps",
        "-aq",
        "--filter",
        "label=codebox.sandbox",
        "--filter",
        `label=codebox.host=${id.slice(0, 12)}`
      ])
      expect(stdout.trim(), id).toBe("")
    }
  })
})
