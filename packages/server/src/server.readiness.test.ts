import { ScriptedSandbox } from "@codebox/testkit"
import { builtInLanguages as plugins, runStatement, scratchDatabase, testDatabaseUrl } from "@codebox/test-support"
import { Effect, Exit, Option, Redacted, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { embeddedInfrastructure, engineLayer } from "./layers.ts"
import { call, type RunningServer, startServer } from "./test-support/harness.ts"

const sandbox = ScriptedSandbox.make(() => ScriptedSandbox.outcome()).layer

describe("readiness follows whether the store answers (real server, PostgreSQL)", () => {
  const scope = Effect.runSync(Scope.make())
  let databaseUrl = ""
  let server: RunningServer

  beforeAll(async () => {
    databaseUrl = await Effect.runPromise(scratchDatabase(testDatabaseUrl).pipe(Scope.provide(scope)))
    server = await startServer((settings) =>
      engineLayer(settings, plugins, sandbox, {
        ...embeddedInfrastructure(settings.dataDir),
        databaseUrl: Option.some(Redacted.make(databaseUrl))
      })
    )
  }, 60_000)
  afterAll(async () => {
    await server.close()
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  /**
   * Holds an exclusive lock on the tasks table for a few seconds (every query of the store waits
   * meanwhile); resolves once the lock is taken, with a promise of its release.
   */
  const lockTasks = async () => {
    const held = Effect.runPromise(
      runStatement(databaseUrl, "DO $$ BEGIN LOCK TABLE codebox_tasks IN ACCESS EXCLUSIVE MODE; PERFORM pg_sleep(8); END $$")
    )
    // The statement sleeps only once it holds the lock.
    const granted = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`
    while (((await Effect.runPromise(runStatement(databaseUrl, granted)))[0]?.n ?? 0) === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // In an object: an async function returning the promise itself would wait for it.
    return { released: held }
  }

  it("answers 503 naming the store while the store cannot answer, and 200 again once it can", async () => {
    expect((await call(`${server.url}/api/health/ready`)).status).toBe(200)
    const { released } = await lockTasks()
    try {
      const ready = await call(`${server.url}/api/health/ready`)
      expect(ready.status).toBe(503)
      expect(ready.body).toMatchObject({ _tag: "NotReady", failing: ["store"] })
      expect(ready.body.checks.store.detail).toContain("no answer within 2")
      // Liveness is the process, not its store.
      expect((await call(`${server.url}/api/health`)).status).toBe(200)
    } finally {
      await released
    }
    const again = await call(`${server.url}/api/health/ready`)
    expect(again.status).toBe(200)
    expect(again.body.checks.store.ok).toBe(true)
  })
})
