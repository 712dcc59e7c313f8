import { describe, expect, it } from "vitest"
import { CliError } from "./CliError.ts"
import { readEvents } from "./events.ts"
import { multipartBody } from "./multipart.ts"
import { exitCodeOf, languageOf, parseLimits } from "./task.ts"
import type { Finished } from "./wire.ts"

const finished = (status: Finished["status"], result: Partial<Finished["result"]>): Finished => ({
  task_id: "5c0e0000-0000-4000-8000-000000000000",
  status,
  result: { stdout: "", stderr: "", returncode: 0, error: null, output_files: [], ...result }
})

describe("the CLI's pieces", () => {
  it("exits with the program's code, 124 for its time limit, and 7 when CodeBox could not run it", () => {
    expect(exitCodeOf(finished("SUCCESS", { returncode: 0, verdict: "ok" }))).toBe(0)
    expect(exitCodeOf(finished("SUCCESS", { returncode: 42, verdict: "runtime_error" }))).toBe(42)
    expect(exitCodeOf(finished("SUCCESS", { returncode: 137, verdict: "time_limit" }))).toBe(124)
    expect(exitCodeOf(finished("SUCCESS", { returncode: null, verdict: "compile_error" }))).toBe(1)
    expect(() => exitCodeOf(finished("FAILURE", { error: "no sandbox" }))).toThrow(CliError)
    try {
      exitCodeOf(finished("FAILURE", { error: "no sandbox" }))
    } catch (error) {
      expect(error).toMatchObject({ exitCode: 7, message: expect.stringContaining("no sandbox") })
    }
  })

  it("takes the language from the extension and limits as NAME=NUMBER", () => {
    expect(languageOf("dir/prog.py")).toBe("py")
    expect(languageOf("a.mjs")).toBe("javascript")
    expect(() => languageOf("Makefile")).toThrow(/--lang/)
    expect(parseLimits(["wall_time_ms=5000", " memory_mb=256 "])).toEqual({ wall_time_ms: 5000, memory_mb: 256 })
    expect(() => parseLimits(["wall_time_ms"])).toThrow(/NAME=NUMBER/)
  })

  it("writes form fields byte for byte (FormData would turn \\n into \\r\\n)", () => {
    const form = multipartBody([
      { name: "stdin", value: "a\nb\n" },
      { name: "files", fileName: "in.bin", data: new Uint8Array([0, 255, 10]) }
    ])
    const boundary = form.contentType.split("boundary=")[1]!
    const text = form.body.toString("latin1")
    expect(text).toContain(`--${boundary}\r\nContent-Disposition: form-data; name="stdin"\r\n\r\na\nb\n\r\n`)
    expect(text).toContain('filename="in.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\u0000\u00ff\n\r\n')
    expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true)
  })

  it("reads server-sent events split anywhere, skipping comments", async () => {
    const raw = ': heartbeat\n\nid: 0.0\nevent: state\ndata: {"state":"STARTED"}\n\nid: 3.0\nevent: stdout\ndata: {"text":"hi\\n"}\n\n'
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(raw)
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.subarray(i, i + 7))
        controller.close()
      }
    })
    const events = []
    for await (const event of readEvents(body)) events.push(event)
    expect(events).toEqual([
      { event: "state", data: '{"state":"STARTED"}' },
      { event: "stdout", data: '{"text":"hi\\n"}' }
    ])
  })
})
