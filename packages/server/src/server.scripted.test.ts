import { createHash } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineLayer } from "./layers.ts"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { call, postJson, type RunningServer, startServer, unzip } from "./test-support/harness.ts"
import { scriptedPrograms } from "./test-support/scriptedPrograms.ts"

const bytes = (text: string) => new TextEncoder().encode(text)
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex")

const form = (fields: Record<string, string | ReadonlyArray<string>>, files: ReadonlyArray<{ name: string; data: Uint8Array }> = []) => {
  const body = new FormData()
  for (const [key, value] of Object.entries(fields)) {
    for (const v of typeof value === "string" ? [value] : value) body.append(key, v)
  }
  for (const file of files) body.append("files", new Blob([file.data]), file.name)
  return body
}

describe("HTTP API on a real server (scripted sandbox)", () => {
  const programs = scriptedPrograms()
  let server: RunningServer
  let api: string
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, programs.layer), {
      maxJsonBodyBytes: 64 * 1024,
      maxUploadFileBytes: 128 * 1024,
      maxUploadTotalBytes: 512 * 1024,
      maxWaitSeconds: 20
    })
    api = `${server.url}/api`
  })
  afterAll(() => server.close())

  const finish = async (taskId: string) => {
    const done = await call(`${api}/tasks/${taskId}/task_result?wait=20`)
    expect(done.status).toBe(200)
    return done.body
  }

  it("accepts a task with 202 and reports its result with 200", async () => {
    const created = await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: "print hello" })
    expect(created.status).toBe(202)
    expect(created.body).toEqual({ task_id: expect.any(String), status: "accepted" })
    const done = await finish(created.body.task_id)
    expect(done).toMatchObject({
      task_id: created.body.task_id,
      status: "SUCCESS",
      result: { stdout: "hello\n", stderr: "", returncode: 0, error: null, output_files: [], verdict: "ok" }
    })
  })

  it("answers ?wait with 200 and the result, and passes stdin and args (an argv, no shell)", async () => {
    const created = await postJson(`${api}/tasks/create?wait=20`, {
      programming_language: "py",
      source_code: "echo-stdin\necho-args",
      stdin: "input;$(id)\n",
      args: ["a b", "$HOME", "--x"]
    })
    expect(created.status).toBe(200)
    expect(created.body.status).toBe("SUCCESS")
    expect(created.body.result.stdout).toBe(`input;$(id)\n${JSON.stringify(["a b", "$HOME", "--x"])}`)
  })

  it("reports a non-zero exit code in result.returncode", async () => {
    const created = await postJson(`${api}/tasks/create?wait=20`, { programming_language: "python", source_code: "exit 3" })
    expect(created.body.result).toMatchObject({ returncode: 3, verdict: "runtime_error" })
  })

  it("answers 202 {status, state} while the task runs, and DELETE revokes it and kills its processes", async () => {
    const created = await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: "hang #1" })
    const taskId = created.body.task_id
    let running = await call(`${api}/tasks/${taskId}/task_result`)
    expect(running.status).toBe(202)
    expect(["PENDING", "STARTED"]).toContain(running.body.state)
    expect(Object.keys(running.body)).toEqual(["status", "state"])
    // ?wait that runs out answers 202 as usual.
    running = await call(`${api}/tasks/${taskId}/task_result?wait=1`)
    expect(running.status).toBe(202)
    const download = await call(`${api}/file_task/${taskId}/download`)
    expect(download.status).toBe(202)
    expect(download.body.state).toBeDefined()

    const cancelled = await call(`${api}/tasks/${taskId}`, { method: "DELETE" })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toEqual({ task_id: taskId, status: "REVOKED" })
    const done = await finish(taskId)
    expect(done.status).toBe("REVOKED")
    expect(done.result.error).toBe("cancelled")
    await expect.poll(() => programs.killed.includes("hang #1")).toBe(true)
  })

  it("rejects bad input with 400 and says what is wrong, per field", async () => {
    const missing = await postJson(`${api}/tasks/create`, { programming_language: "python" })
    expect(missing.status).toBe(400)
    expect(missing.body.errors).toEqual([{ path: ["payload", "source_code"], message: expect.any(String) }])

    const language = await postJson(`${api}/tasks/create`, { programming_language: "cobol", source_code: "x" })
    expect(language.status).toBe(400)
    expect(language.body).toMatchObject({
      _tag: "UnsupportedLanguage",
      supported: ["python", "c", "javascript", "php", "cpp", "bash", "lua", "perl", "typescript", "java"]
    })

    const limit = await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: "x", limits: { memory_mb: 60000 } })
    expect(limit.status).toBe(400)
    expect(limit.body).toMatchObject({ _tag: "LimitOutOfRange", limit: "memory_mb" })

    const placeholder = await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: "copy IN_3 OUT_x.txt" })
    expect(placeholder.status).toBe(400)
    expect(placeholder.body._tag).toBe("PlaceholderError")

    // An OUT_ name without an extension is refused at create, not left to fail when the task runs.
    const noExtension = await postJson(`${api}/tasks/create`, {
      programming_language: "python",
      source_code: 'x = 1\nopen(OUT_noext, "w")'
    })
    expect(noExtension.status).toBe(400)
    expect(noExtension.body).toMatchObject({ _tag: "PlaceholderError", placeholder: "OUT_noext", line: 2, column: 6 })

    const wait = await postJson(`${api}/tasks/create?wait=9999`, { programming_language: "python", source_code: "x" })
    expect(wait.status).toBe(400)
    expect(wait.body).toMatchObject({ _tag: "InvalidTask", field: "wait" })

    const notJson = await call(`${api}/tasks/create`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" })
    expect(notJson.status).toBe(400)
    expect(notJson.body.detail).toBeDefined()
  })

  it("answers 404 for unknown tasks and routes, always with a JSON body", async () => {
    const unknown = "00000000-0000-0000-0000-000000000000"
    for (const [method, path] of [
      ["GET", `/tasks/${unknown}/task_result`],
      ["GET", `/file_task/${unknown}/download`],
      ["DELETE", `/tasks/${unknown}`]
    ] as const) {
      const response = await call(`${api}${path}`, { method })
      expect(response.status, path).toBe(404)
      expect(response.body).toMatchObject({ _tag: "TaskNotFound", message: "TaskResult does not exist" })
    }
    const route = await call(`${api}/no/such/route`)
    expect(route.status).toBe(404)
    expect(route.body.message).toBeDefined()
  })

  it("runs a file task with several inputs and outputs: zip, manifest and per-file download", async () => {
    const inputs = [
      { name: "a.txt", data: bytes("alpha\n") },
      { name: "b.csv", data: bytes("x,y\n1,2\n") },
      { name: "c.bin", data: new Uint8Array([0, 1, 2, 253, 254, 255]) }
    ]
    const created = await call(`${api}/file_task/create`, {
      method: "POST",
      body: form(
        {
          programming_language: "python",
          source_code: "copy IN_1 OUT_one.txt\ncopy IN_2 OUT_two.csv\ncopy IN_3 OUT_three.bin\nprint done",
          input_files: inputs.map((f) => f.name)
        },
        inputs
      )
    })
    expect(created.status).toBe(202)
    expect(created.body.status).toBe("accepted")
    const done = await finish(created.body.task_id)
    expect(done.result.stdout).toBe("done\n")
    expect([...done.result.output_files].sort()).toEqual(["one.txt", "three.bin", "two.csv"])

    const download = await fetch(`${api}/file_task/${created.body.task_id}/download`)
    expect(download.status).toBe(200)
    expect(download.headers.get("content-type")).toBe("application/zip")
    expect(download.headers.get("content-disposition")).toContain(`${created.body.task_id}.zip`)
    const entries = await unzip(new Uint8Array(await download.arrayBuffer()))
    expect(Object.keys(entries).sort()).toEqual(["one.txt", "three.bin", "two.csv"])
    expect(new Uint8Array(entries["one.txt"]!)).toEqual(inputs[0]!.data)
    expect(new Uint8Array(entries["two.csv"]!)).toEqual(inputs[1]!.data)
    expect(new Uint8Array(entries["three.bin"]!)).toEqual(inputs[2]!.data)

    const manifest = await call(`${api}/file_task/${created.body.task_id}/files`)
    expect(manifest.status).toBe(200)
    const three = manifest.body.files.find((f: { name: string }) => f.name === "three.bin")
    expect(three).toEqual({ name: "three.bin", size: 6, sha256: sha256(inputs[2]!.data), content_type: "application/octet-stream" })

    const one = await fetch(`${api}/file_task/${created.body.task_id}/files/two.csv`)
    expect(one.status).toBe(200)
    expect(one.headers.get("content-type")).toBe("text/csv; charset=utf-8")
    expect(new Uint8Array(await one.arrayBuffer())).toEqual(inputs[1]!.data)
    const missing = await call(`${api}/file_task/${created.body.task_id}/files/nope.txt`)
    expect(missing.status).toBe(404)
    expect(missing.body._tag).toBe("OutputNotFound")
  })

  it("downloads a single output as the file itself, byte for byte", async () => {
    const data = new Uint8Array(50_000).map((_, i) => (i * 7919) % 256)
    const created = await call(`${api}/file_task/create?wait=20`, {
      method: "POST",
      body: form({ programming_language: "python", source_code: "copy IN_1 OUT_result.dat", input_files: ["data.dat"] }, [
        { name: "data.dat", data }
      ])
    })
    expect(created.status).toBe(200)
    const download = await fetch(`${api}/file_task/${created.body.task_id}/download`)
    expect(download.status).toBe(200)
    expect(download.headers.get("content-disposition")).toContain('filename="result.dat"')
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(data)
  })

  it("answers 404 No output files for a task that wrote none", async () => {
    const created = await call(`${api}/file_task/create?wait=20`, {
      method: "POST",
      body: form({ programming_language: "python", source_code: "print nothing" })
    })
    expect(created.status).toBe(200)
    const download = await call(`${api}/file_task/${created.body.task_id}/download`)
    expect(download.status).toBe(404)
    expect(download.body).toMatchObject({ _tag: "NoOutputFiles", message: "No output files" })
  })

  it("rejects file tasks whose names and files do not match, or with more than 5 files", async () => {
    const file = { name: "a.txt", data: bytes("a") }
    const mismatch = await call(`${api}/file_task/create`, {
      method: "POST",
      body: form({ programming_language: "python", source_code: "print x", input_files: ["a.txt", "b.txt"] }, [file])
    })
    expect(mismatch.status).toBe(400)
    expect(mismatch.body).toMatchObject({ _tag: "InvalidTask", field: "input_files" })

    const six = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.txt`, data: bytes(String(i)) }))
    const tooMany = await call(`${api}/file_task/create`, {
      method: "POST",
      body: form({ programming_language: "python", source_code: "print x", input_files: six.map((f) => f.name) }, six)
    })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body).toMatchObject({ _tag: "InvalidTask", field: "files" })

    const noLanguage = await call(`${api}/file_task/create`, { method: "POST", body: form({ source_code: "print x" }) })
    expect(noLanguage.status).toBe(400)
    expect(noLanguage.body.errors[0].path).toEqual(["payload", "programming_language"])
  })

  it("answers 413 for a body or an upload above the limits", async () => {
    const big = await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: "x".repeat(100 * 1024) })
    expect(big.status).toBe(413)
    expect(big.body).toMatchObject({ _tag: "PayloadTooLarge", limit_bytes: 64 * 1024 })

    // Sent without a length (chunked): cut at the same limit while it is read.
    const chunked = await call(`${api}/tasks/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      duplex: "half",
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(bytes(JSON.stringify({ programming_language: "python", source_code: "x".repeat(100 * 1024) })))
          controller.close()
        }
      })
    } as RequestInit)
    expect(chunked.status).toBe(413)
    expect(chunked.body._tag).toBe("PayloadTooLarge")

    const upload = await call(`${api}/file_task/create`, {
      method: "POST",
      body: form({ programming_language: "python", source_code: "print x", input_files: ["big.bin"] }, [
        { name: "big.bin", data: new Uint8Array(200 * 1024) }
      ])
    })
    expect(upload.status).toBe(413)
    expect(upload.body._tag).toBe("PayloadTooLarge")
  })

  it("lists the languages with aliases, versions and limits", async () => {
    const response = await call(`${api}/languages`)
    expect(response.status).toBe(200)
    expect(response.body.languages.map((l: { id: string }) => l.id)).toEqual(plugins.map((p) => p.id))
    const c = response.body.languages.find((l: { id: string }) => l.id === "c")
    expect(c).toMatchObject({ compiled: true, version: "Scripted 1.0" })
    expect(c.max_limits.memory_mb).toBeGreaterThanOrEqual(c.default_limits.memory_mb)
  })

  it("serves health, readiness, the OpenAPI document and the docs page", async () => {
    expect((await call(`${api}/health`)).body).toEqual({ status: "ok" })
    const ready = await call(`${api}/health/ready`)
    expect(ready.status).toBe(200)
    expect(Object.keys(ready.body.checks).sort()).toEqual(["queue", "sandbox", "storage", "store"])

    const openapi = await call(`${api}/openapi.json`)
    expect(openapi.status).toBe(200)
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        "/api/tasks/create",
        "/api/tasks/{task_id}/task_result",
        "/api/tasks/{task_id}",
        "/api/file_task/create",
        "/api/file_task/{task_id}/download",
        "/api/file_task/{task_id}/files",
        "/api/file_task/{task_id}/files/{name}",
        "/api/languages",
        "/api/health",
        "/api/health/ready"
      ])
    )
    expect(Object.keys(openapi.body.paths["/api/file_task/create"].post.requestBody.content)).toEqual(["multipart/form-data"])

    const docs = await fetch(`${api}/docs`)
    expect(docs.status).toBe(200)
    expect(docs.headers.get("content-type")).toContain("text/html")
    const page = await docs.text()
    expect(page).toContain("<title>CodeBox</title>")
    expect(page).toContain("/api/tasks/create")
  })
})
