import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineLayer } from "./layers.ts"
import { call, type RunningServer, startServer, unzip } from "./test-support/harness.ts"
import { filledBytes, scriptedPrograms } from "./test-support/scriptedPrograms.ts"

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex")

const fileTask = (source: string) => {
  const body = new FormData()
  body.append("programming_language", "python")
  body.append("source_code", source)
  return body
}

/** How many output zips this process has built, from the server's Prometheus metrics. */
const zipBuilds = async (url: string) => {
  const metrics = await call(`${url}/metrics`)
  expect(metrics.status).toBe(200)
  const line = String(metrics.text)
    .split("\n")
    .find((l) => l.startsWith("codebox_output_zip_builds_total"))
  return line === undefined ? 0 : Number(line.split(" ").at(-1))
}

describe("downloads stream from storage (scripted sandbox, local file storage)", () => {
  const programs = scriptedPrograms()
  let server: RunningServer
  let api: string
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, programs.layer), { maxWaitSeconds: 60 })
    api = `${server.url}/api`
  })
  afterAll(() => server.close())

  const run = async (source: string) => {
    const created = await call(`${api}/file_task/create?wait=60`, { method: "POST", body: fileTask(source) })
    expect(created.status).toBe(200)
    expect(created.body.status).toBe("SUCCESS")
    return created.body.task_id as string
  }

  it("serves a 64 MiB single output with its exact Content-Length and bytes", async () => {
    const size = 64 * 1024 * 1024
    // Worked out first: hashing 64 MiB after the download would keep this process busy for seconds,
    // long enough for the server to close the idle keep-alive connection the next test reuses.
    const expected = sha256(filledBytes(size))
    const taskId = await run(`fill OUT_big.bin ${size}`)
    const download = await fetch(`${api}/file_task/${taskId}/download`)
    expect(download.status).toBe(200)
    expect(download.headers.get("content-length")).toBe(String(size))
    expect(download.headers.get("content-disposition")).toContain('filename="big.bin"')
    const hash = createHash("sha256")
    let received = 0
    for await (const chunk of download.body!) {
      hash.update(chunk)
      received += chunk.byteLength
    }
    expect(received).toBe(size)
    expect(hash.digest("hex")).toBe(expected)
  })

  it("builds a task's zip once for concurrent downloads, all of them identical and complete", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `part${String(i).padStart(2, "0")}.bin`)
    const sizeOf = (i: number) => 100_000 + i * 1_000
    const taskId = await run(names.map((name, i) => `fill OUT_${name} ${sizeOf(i)}`).join("\n"))
    const before = await zipBuilds(server.url)

    const downloads = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const response = await fetch(`${api}/file_task/${taskId}/download`)
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toBe("application/zip")
        const body = new Uint8Array(await response.arrayBuffer())
        expect(response.headers.get("content-length")).toBe(String(body.byteLength))
        return body
      })
    )
    expect(new Set(downloads.map(sha256)).size).toBe(1)
    expect(await zipBuilds(server.url)).toBe(before + 1)

    const entries = await unzip(downloads[0]!)
    expect(Object.keys(entries).sort()).toEqual(names)
    for (const [i, name] of names.entries()) expect(sha256(entries[name]!)).toBe(sha256(filledBytes(sizeOf(i))))

    // A later download is served from the kept zip, without building it again.
    const again = await fetch(`${api}/file_task/${taskId}/download`)
    expect(sha256(new Uint8Array(await again.arrayBuffer()))).toBe(sha256(downloads[0]!))
    expect(await zipBuilds(server.url)).toBe(before + 1)
    await expect(fs.stat(path.join(server.dataDir, "files", taskId, "cache", "outputs.zip"))).resolves.toBeDefined()
  })

  it("answers a clean error, keeps no zip and stays up when an output file is gone from storage", async () => {
    const taskId = await run("fill OUT_a.bin 1000\nfill OUT_b.bin 2000")
    await fs.rm(path.join(server.dataDir, "files", taskId, "out", "b.bin"))
    const broken = await call(`${api}/file_task/${taskId}/download`)
    expect(broken.status).toBe(500)
    expect(broken.body._tag).toBe("StorageError")
    await expect(fs.readdir(path.join(server.dataDir, "files", taskId, "cache")).catch(() => [])).resolves.toEqual([])
    expect((await call(`${api}/health`)).status).toBe(200)
  })
})
