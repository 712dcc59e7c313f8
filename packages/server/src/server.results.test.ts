import { Buffer } from "node:buffer"
import { NativeSandbox } from "@codebox/sandbox-native"
import { python } from "@codebox/lang-python"
import { Effect, Exit, Option, Redacted, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { embeddedInfrastructure, engineLayer } from "./layers.ts"
import { builtInLanguages as plugins, scratchDatabase, testDatabaseUrl } from "@codebox/test-support"
import { call, postJson, type RunningServer, startServer } from "./test-support/harness.ts"

const timeout = 120_000

/** The exact bytes of a stream in a result as the API answers it (see OutputText). */
// biome-ignore lint/suspicious/noExplicitAny: the body is JSON as the client reads it
const bytesOf = (result: any, stream: "stdout" | "stderr") =>
  result[`${stream}_base64`] === null ? Buffer.from(result[stream], "utf8") : Buffer.from(result[`${stream}_base64`], "base64")

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
const eightMiB = 8 * 1024 * 1024

/**
 * Results keep every byte and any allowed size, through the HTTP API on the stores the server
 * really uses: the embedded PGlite and PostgreSQL (issues 18 and 21). Before output was stored as
 * bytes, a NUL ended FAILURE after three runs on both, and 8 MiB of control characters (48 MB of
 * JSON escapes) broke PGlite's connection when read back.
 */
const resultsThroughTheApi = (storeName: string, databaseUrl: () => Promise<Option.Option<string>>) =>
  describe(`results through the HTTP API, ${storeName}`, () => {
    let server: RunningServer
    let api: string
    beforeAll(async () => {
      const url = await databaseUrl()
      server = await startServer(
        (settings) =>
          engineLayer(settings, plugins, NativeSandbox.layer(), {
            ...embeddedInfrastructure(settings.dataDir),
            databaseUrl: Option.map(url, Redacted.make)
          }),
        { maxWaitSeconds: 100 }
      )
      api = `${server.url}/api`
    }, timeout)
    afterAll(() => server?.close())

    it("NUL and invalid UTF-8 in stdout and stderr: SUCCESS, every byte back", { timeout }, async () => {
      const created = await postJson(`${api}/tasks/create?wait=100`, {
        programming_language: "python",
        source_code: python.hostile!.binaryOutput!
      })
      expect(created.status, created.text.slice(0, 500)).toBe(200)
      expect(created.body.status).toBe("SUCCESS")
      const read = await call(`${api}/tasks/${created.body.task_id}/task_result`)
      for (const body of [created.body, read.body]) {
        expect(body.result.verdict).toBe("ok")
        expect(bytesOf(body.result, "stdout")).toEqual(allBytes)
        expect(body.result.stderr).toBe("A\u0000B\n")
        expect(body.result.stderr_base64).toBeNull()
      }
      // The dashboard lists it too (the store's list reads results back the same way).
      const listed = await call(`${server.url}/dashboard/api/tasks`)
      expect(listed.status, listed.text.slice(0, 500)).toBe(200)
    })

    it("outputs past the 20-file cap: SUCCESS with error null, listed in skipped_outputs", { timeout }, async () => {
      const created = await postJson(`${api}/tasks/create?wait=100`, {
        programming_language: "python",
        source_code: 'for i in range(22): open(f"f{i:02}.txt", "w").write("x")\n'
      })
      expect(created.status, created.text.slice(0, 500)).toBe(200)
      const read = await call(`${api}/tasks/${created.body.task_id}/task_result`)
      for (const body of [created.body, read.body]) {
        expect(body.status).toBe("SUCCESS")
        expect(body.result.error).toBeNull()
        expect(body.result.output_files).toHaveLength(20)
        expect(body.result.skipped_outputs).toEqual([
          { name: "f20.txt", reason: "over the cap of 20 files" },
          { name: "f21.txt", reason: "over the cap of 20 files" }
        ])
      }
    })

    it("8 MiB of control characters on stdout: stored and read back whole", { timeout }, async () => {
      const created = await postJson(`${api}/tasks/create?wait=100`, {
        programming_language: "python",
        source_code: `import sys\nsys.stdout.buffer.write(b"\\x01" * ${eightMiB})\n`,
        limits: { output_bytes: eightMiB }
      })
      expect(created.status, created.text.slice(0, 500)).toBe(200)
      const read = await call(`${api}/tasks/${created.body.task_id}/task_result`)
      expect(read.status, read.text.slice(0, 500)).toBe(200)
      expect(read.body.result.verdict).toBe("ok")
      expect(read.body.result.stdout.length).toBe(eightMiB)
      expect(read.body.result.stdout === "\u0001".repeat(eightMiB)).toBe(true)
      // The store still answers everyone else.
      const ready = await call(`${server.url}/api/health/ready`)
      expect(ready.status, ready.text.slice(0, 500)).toBe(200)
      const hello = await postJson(`${api}/tasks/create?wait=100`, { programming_language: "python", source_code: python.samples.hello })
      expect(hello.body.result.stdout).toBe("hello\n")
    })
  })

resultsThroughTheApi("embedded PGlite", async () => Option.none())

const scope = Effect.runSync(Scope.make())
afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
resultsThroughTheApi("PostgreSQL", async () =>
  Option.some(await Effect.runPromise(scratchDatabase(testDatabaseUrl).pipe(Scope.provide(scope))))
)
