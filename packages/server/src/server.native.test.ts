import { NativeSandbox } from "@codebox/sandbox-native"
import { c } from "@codebox/lang-c"
import { javascript } from "@codebox/lang-javascript"
import { php } from "@codebox/lang-php"
import { python } from "@codebox/lang-python"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineLayer } from "./layers.ts"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { call, postJson, type RunningServer, startServer, unzip } from "./test-support/harness.ts"

/** Copies IN_1 to OUT_first.txt and IN_2 to OUT_second.bin, then prints "ok", in each language. */
const copyTwo: Record<string, string> = {
  python: `import shutil\nshutil.copyfile(IN_1, OUT_first.txt)\nshutil.copyfile(IN_2, OUT_second.bin)\nprint("ok")\n`,
  javascript: `const fs = require("node:fs")\nfs.copyFileSync(IN_1, OUT_first.txt)\nfs.copyFileSync(IN_2, OUT_second.bin)\nconsole.log("ok")\n`,
  php: `<?php\ncopy(IN_1, OUT_first.txt);\ncopy(IN_2, OUT_second.bin);\necho "ok\\n";\n`,
  c: [
    `#include <stdio.h>`,
    `static int cp(const char *from, const char *to) {`,
    `  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");`,
    `  int ch;`,
    `  if (in == NULL || out == NULL) return 1;`,
    `  while ((ch = fgetc(in)) != EOF) fputc(ch, out);`,
    `  fclose(in); fclose(out);`,
    `  return 0;`,
    `}`,
    `int main(void) {`,
    `  if (cp(IN_1, OUT_first.txt) || cp(IN_2, OUT_second.bin)) return 1;`,
    `  puts("ok");`,
    `  return 0;`,
    `}`,
    ``
  ].join("\n")
}

const timeout = 120_000

/** The embedded stack for real: every language through the HTTP API into the native sandbox. */
describe("HTTP API on a real server (native sandbox), all four languages", () => {
  let server: RunningServer
  let api: string
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, NativeSandbox.layer()), { maxWaitSeconds: 100 })
    api = `${server.url}/api`
  }, timeout)
  afterAll(() => server?.close())

  for (const plugin of [python, c, javascript, php]) {
    it(`${plugin.id}: runs, reads stdin, reports the exit code`, { timeout }, async () => {
      const hello = await postJson(`${api}/tasks/create?wait=100`, { programming_language: plugin.id, source_code: plugin.samples.hello })
      expect(hello.status, JSON.stringify(hello.body)).toBe(200)
      expect(hello.body.result).toMatchObject({ stdout: "hello\n", returncode: 0, verdict: "ok" })

      const echo = await postJson(`${api}/tasks/create?wait=100`, {
        programming_language: plugin.id,
        source_code: plugin.samples.echoUpper,
        stdin: "abc xyz\n"
      })
      expect(echo.body.result.stdout).toBe("ABC XYZ\n")

      const exit = await postJson(`${api}/tasks/create?wait=100`, {
        programming_language: plugin.id,
        source_code: plugin.samples.exitThree
      })
      expect(exit.body.result).toMatchObject({ returncode: 3, verdict: "runtime_error" })
    })

    it(`${plugin.id}: a file task with two inputs and two outputs, downloaded as a zip and one by one`, { timeout }, async () => {
      const text = new TextEncoder().encode(`first input of ${plugin.id}\n`)
      const binary = new Uint8Array(4096).map((_, i) => (i * 31 + 7) % 256)
      const body = new FormData()
      body.append("programming_language", plugin.id)
      body.append("source_code", copyTwo[plugin.id]!)
      body.append("input_files", "first.txt")
      body.append("input_files", "data.bin")
      body.append("files", new Blob([text]), "first.txt")
      body.append("files", new Blob([binary]), "data.bin")
      const created = await call(`${api}/file_task/create?wait=100`, { method: "POST", body })
      expect(created.status, JSON.stringify(created.body)).toBe(200)
      expect(created.body.result.stdout, created.body.result.stderr).toBe("ok\n")
      expect([...created.body.result.output_files].sort()).toEqual(["first.txt", "second.bin"])

      const zip = await fetch(`${api}/file_task/${created.body.task_id}/download`)
      expect(zip.status).toBe(200)
      expect(zip.headers.get("content-disposition")).toContain(`${created.body.task_id}.zip`)
      const entries = await unzip(new Uint8Array(await zip.arrayBuffer()))
      expect(Object.keys(entries).sort()).toEqual(["first.txt", "second.bin"])
      expect(new Uint8Array(entries["first.txt"]!)).toEqual(text)
      expect(new Uint8Array(entries["second.bin"]!)).toEqual(binary)

      const one = await fetch(`${api}/file_task/${created.body.task_id}/files/second.bin`)
      expect(new Uint8Array(await one.arrayBuffer())).toEqual(binary)
    })
  }

  it("downloads a single output as the file itself, byte for byte (python sample)", { timeout }, async () => {
    const data = new TextEncoder().encode("line one\nline two\n")
    const body = new FormData()
    body.append("programming_language", "python")
    body.append("source_code", python.samples.copyInput)
    body.append("input_files", "input.txt")
    body.append("files", new Blob([data]), "input.txt")
    const created = await call(`${api}/file_task/create?wait=100`, { method: "POST", body })
    expect(created.body.result.output_files).toEqual(["copy.txt"])
    const download = await fetch(`${api}/file_task/${created.body.task_id}/download`)
    expect(download.headers.get("content-type")).toBe("text/plain; charset=utf-8")
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(data)
  })

  it("cancels a running program: REVOKED, and the next task runs", { timeout }, async () => {
    const created = await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: python.samples.busyLoop })
    await expect
      .poll(async () => (await call(`${api}/tasks/${created.body.task_id}/task_result`)).body.state, { timeout: 60_000 })
      .toBe("STARTED")
    const cancelled = await call(`${api}/tasks/${created.body.task_id}`, { method: "DELETE" })
    expect(cancelled.body.status).toBe("REVOKED")
    const next = await postJson(`${api}/tasks/create?wait=100`, { programming_language: "python", source_code: python.samples.hello })
    expect(next.body.result.stdout).toBe("hello\n")
  })

  it("reports the runtimes' versions", { timeout }, async () => {
    const languages = await call(`${api}/languages`)
    for (const language of languages.body.languages) expect(language.version, language.id).toMatch(/\d+\.\d+/)
  })
})
