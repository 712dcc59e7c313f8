import { randomUUID } from "node:crypto"
import { ScriptedSandbox } from "@codebox/testkit"
import { builtInLanguages as plugins, scratchDatabase, testDatabaseUrl } from "@codebox/test-support"
import { Effect, Exit, Option, Redacted, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { embeddedInfrastructure, engineLayer } from "./layers.ts"
import { call, type RunningServer, startServer } from "./test-support/harness.ts"

const sandbox = ScriptedSandbox.make(() => ScriptedSandbox.outcome()).layer
const readLimit = 4

/**
 * Two server replicas on one PostgreSQL share their rate-limit budgets (issue 21): a client cannot
 * get the limit from each replica behind a load balancer. Each replica alone would allow 4 reads.
 */
describe("rate limits across server replicas on one PostgreSQL", () => {
  const scope = Effect.runSync(Scope.make())
  let replicas: ReadonlyArray<RunningServer> = []

  beforeAll(async () => {
    const url = await Effect.runPromise(scratchDatabase(testDatabaseUrl).pipe(Scope.provide(scope)))
    const replica = () =>
      startServer(
        (settings) =>
          engineLayer(settings, plugins, sandbox, {
            ...embeddedInfrastructure(settings.dataDir),
            databaseUrl: Option.some(Redacted.make(url))
          }),
        { readRateLimit: readLimit, rateLimit: 2 }
      )
    replicas = [await replica(), await replica()]
  }, 60_000)
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()))
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  it("counts one client's reads on both replicas against one budget", async () => {
    const read = (replica: RunningServer) => call(`${replica.url}/api/tasks/${randomUUID()}/task_result`)
    const statuses: Array<number> = []
    for (let i = 0; i < readLimit; i++) statuses.push((await read(replicas[i % 2]!)).status)
    expect(statuses).toEqual([404, 404, 404, 404])
    for (const replica of replicas) {
      const refused = await read(replica)
      expect(refused.status).toBe(429)
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/)
    }
  })

  it("counts submissions apart from reads, also across replicas", async () => {
    const submit = (replica: RunningServer) =>
      call(`${replica.url}/api/tasks/create`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ programming_language: "python", source_code: "print(1)" })
      })
    const first = await submit(replicas[0]!)
    expect(first.status, first.text).toBe(202)
    expect((await submit(replicas[1]!)).status).toBe(202)
    expect((await submit(replicas[0]!)).status).toBe(429)
  })
})
