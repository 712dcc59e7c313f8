import type { ChildProcess } from "node:child_process"
import { checkLateAndResumed, checkLiveStream } from "@codebox/server/test-support/events"
import { afterEach, describe, it } from "vitest"
import { type Cluster, startCluster } from "./test-support/cluster.ts"
import { startServerOnCluster } from "./test-support/serverProcess.ts"

let cluster: Cluster | undefined
let server: ChildProcess | undefined
afterEach(async () => {
  server?.kill("SIGKILL")
  server = undefined
  await cluster?.stop()
  cluster = undefined
})

describe("task events in distributed mode: output from a worker process to the server process's stream", () => {
  it("streams stdout live through RabbitMQ, then the result; late and resumed clients too", { timeout: 180_000 }, async () => {
    cluster = await startCluster()
    const worker = cluster.spawnWorker("events-a")
    await cluster.awaitWorker(worker.name)
    const started = await startServerOnCluster(cluster)
    server = started.child
    const live = await checkLiveStream(started.base)
    await checkLateAndResumed(started.base, live)
  })
})
