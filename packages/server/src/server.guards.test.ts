import { Sandbox, SandboxError } from "@codebox/core"
import { Effect, Layer, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { engineLayer } from "./layers.ts"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { call, postJson, startServer } from "./test-support/harness.ts"
import { scriptedPrograms } from "./test-support/scriptedPrograms.ts"

// Each test starts its own server (an embedded database each): slow on a loaded machine.
describe("rate limits, API keys and readiness", { timeout: 180_000 }, () => {
  const programs = scriptedPrograms()

  it("answers 429 with Retry-After past a budget, submissions and reads counted apart, RateLimit headers before", async () => {
    const server = await startServer((s) => engineLayer(s, plugins, programs.layer), {
      rateLimit: 2,
      readRateLimit: 3,
      rateLimitWindowSeconds: 3600
    })
    try {
      const first = await call(`${server.url}/api/languages`)
      expect(first.status).toBe(200)
      expect(first.headers.get("ratelimit-limit")).toBe("3")
      expect(first.headers.get("ratelimit-remaining")).toBe("2")
      expect(Number(first.headers.get("ratelimit-reset"))).toBeGreaterThan(0)
      const task = { programming_language: "python", source_code: "print x" }
      for (const remaining of ["1", "0"]) {
        const created = await postJson(`${server.url}/api/tasks/create`, task)
        expect(created.status).toBe(202)
        expect(created.headers.get("ratelimit-remaining")).toBe(remaining)
      }
      const limited = await postJson(`${server.url}/api/tasks/create`, task)
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0)
      expect(limited.headers.get("content-type")).toMatch(/^application\/problem\+json/)
      expect(limited.body).toMatchObject({ _tag: "RateLimited", status: 429, retry_after_seconds: expect.any(Number) })
      expect(limited.body.message).toContain("submissions")
      // Submissions used up: reading goes on, in its own budget, until that one is used up too.
      expect((await call(`${server.url}/api/languages`)).headers.get("ratelimit-remaining")).toBe("1")
      expect((await call(`${server.url}/api/languages`)).status).toBe(200)
      const readLimited = await call(`${server.url}/api/languages`)
      expect(readLimited.status).toBe(429)
      expect(readLimited.body.message).toContain("reads")
      // Probes are never limited.
      expect((await call(`${server.url}/api/health`)).status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it("answers 401 without a key and 403 with a wrong one when keys are on", async () => {
    const server = await startServer((s) => engineLayer(s, plugins, programs.layer), { apiKeys: [Redacted.make("k-123")] })
    try {
      const task = { programming_language: "python", source_code: "print x" }
      const none = await postJson(`${server.url}/api/tasks/create`, task)
      expect(none.status).toBe(401)
      expect(none.body._tag).toBe("Unauthorized")
      const wrong = await postJson(`${server.url}/api/tasks/create`, task, { "x-api-key": "nope" })
      expect(wrong.status).toBe(403)
      expect(wrong.body._tag).toBe("Forbidden")
      expect((await postJson(`${server.url}/api/tasks/create`, task, { "x-api-key": "k-123" })).status).toBe(202)
      expect((await postJson(`${server.url}/api/tasks/create`, task, { authorization: "Bearer k-123" })).status).toBe(202)
      expect((await call(`${server.url}/api/languages`)).status).toBe(401)
      expect((await call(`${server.url}/api/health/ready`)).status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it("answers 503 from /api/health/ready naming what is down", async () => {
    const broken = Layer.succeed(
      Sandbox,
      Sandbox.of({
        name: "broken",
        run: () => Effect.fail(new SandboxError({ message: "cannot run" })),
        check: Effect.fail(new SandboxError({ message: "bubblewrap is missing" }))
      })
    )
    const server = await startServer((s) => engineLayer(s, plugins, broken))
    try {
      const ready = await call(`${server.url}/api/health/ready`)
      expect(ready.status).toBe(503)
      expect(ready.body).toMatchObject({ _tag: "NotReady", failing: ["sandbox"] })
      expect(ready.body.checks.sandbox.detail).toContain("bubblewrap is missing")
      expect((await call(`${server.url}/api/health`)).status).toBe(200)
    } finally {
      await server.close()
    }
  })
})
