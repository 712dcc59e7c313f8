import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { CodeBox, Engine, type Task, type TaskQueue, TaskStore } from "@codebox/core"
import { NativeSandbox } from "@codebox/sandbox-native"
import {
  scratchQueue,
  testAmqpUrl,
  runStatement,
  scratchDatabase,
  testDatabaseUrl,
  builtInLanguages as plugins
} from "@codebox/test-support"
import { layerInfrastructure } from "@codebox/app"
import { type Duration, Effect, Exit, ManagedRuntime, Option, Redacted, Schedule, Scope } from "effect"

const mainPath = path.join(import.meta.dirname, "..", "main.ts")

export interface WorkerProcess {
  readonly name: string
  readonly child: ChildProcess
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals | null>
  readonly output: () => string
}

/**
 * A distributed CodeBox for a test: a scratch PostgreSQL database, a scratch RabbitMQ queue and a
 * data directory of its own; an API side in this process (Engine, no worker), and workers started
 * as separate Node processes running the worker app's main.ts. Every final state change is
 * recorded by a trigger, so a test can show that each task completed exactly once.
 */
export const startCluster = async (workerEnv: Record<string, string> = {}, options: { readonly audit?: boolean } = {}) => {
  const scope = Effect.runSync(Scope.make())
  const [databaseUrl, queue] = await Effect.runPromise(
    Effect.all([scratchDatabase(testDatabaseUrl), scratchQueue(testAmqpUrl)]).pipe(Scope.provide(scope))
  )
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-cluster-"))
  const settings = {
    databaseUrl: Option.some(Redacted.make(databaseUrl)),
    amqpUrl: Option.some(Redacted.make(testAmqpUrl)),
    amqpQueue: queue,
    dataDir,
    workRoot: path.join(dataDir, "jobs")
  }
  const api = ManagedRuntime.make(
    CodeBox.layer<unknown>({ plugins, sandbox: NativeSandbox.layer(), concurrency: 0, ...splitInfrastructure(settings) })
  )
  await api.runPromise(Effect.void)
  if (options.audit !== false)
    for (const statement of [
      `CREATE TABLE test_completions (task_id text NOT NULL, state text NOT NULL)`,
      `CREATE FUNCTION test_record_completion() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO test_completions VALUES (NEW.task_id, NEW.state); RETURN NULL; END $$`,
      `CREATE TRIGGER test_completions AFTER UPDATE OF state ON codebox_tasks FOR EACH ROW
       WHEN (NEW.state IN ('SUCCESS', 'FAILURE', 'REVOKED') AND OLD.state IS DISTINCT FROM NEW.state)
       EXECUTE FUNCTION test_record_completion()`
    ])
      await Effect.runPromise(runStatement(databaseUrl, statement))

  const workers: Array<WorkerProcess> = []
  const spawnWorker = (name: string, env: Record<string, string> = {}): WorkerProcess => {
    let output = ""
    const child = spawn(process.execPath, [mainPath], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        CODEBOX_AMQP_URL: testAmqpUrl,
        CODEBOX_AMQP_QUEUE: queue,
        CODEBOX_DATA_DIR: dataDir,
        CODEBOX_WORKER_NAME: name,
        CODEBOX_WORKER_CONCURRENCY: "2",
        CODEBOX_HEARTBEAT_MS: "500",
        CODEBOX_RECONCILE_EVERY_MS: "1000",
        CODEBOX_STALE_AFTER_MS: "5000",
        CODEBOX_LOG_LEVEL: "Info",
        ...workerEnv,
        ...env
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    child.stdout!.on("data", (d) => (output += d))
    child.stderr!.on("data", (d) => (output += d))
    const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)))
    const worker = { name, child, exited, output: () => output }
    workers.push(worker)
    return worker
  }

  const run = <A, E>(effect: Effect.Effect<A, E, Engine | TaskStore | TaskQueue>) => api.runPromise(effect)

  /** Waits until every one of the tasks is final (bounded), then returns them as stored. */
  const awaitAll = (tasks: ReadonlyArray<Task>, timeout: Duration.Input = "120 seconds") =>
    run(
      Effect.gen(function* () {
        const store = yield* TaskStore
        // A database restart fails a wait with StoreError: wait again, as a polling client would.
        const awaitOne = (id: string) => store.awaitFinal(id).pipe(Effect.retry({ schedule: Schedule.spaced("500 millis") }))
        return yield* Effect.forEach(tasks, (t) => awaitOne(t.task_id), { concurrency: "unbounded" })
      }).pipe(Effect.timeout(timeout))
    )

  /** How many times each task reached a final state, from the trigger's record. */
  const completions = async () => {
    const rows = await Effect.runPromise(
      runStatement(databaseUrl, "SELECT task_id, count(*)::int AS n FROM test_completions GROUP BY task_id")
    )
    return new Map(rows.map((r) => [String(r.task_id), Number(r.n)]))
  }

  /** Waits until a worker has recorded a heartbeat as running. */
  const awaitWorker = (name: string) =>
    run(
      Effect.gen(function* () {
        const store = yield* TaskStore
        while (!(yield* store.workers).some((w) => w.name === name && w.state === "running")) yield* Effect.sleep("100 millis")
      }).pipe(Effect.timeout("60 seconds"))
    )

  const stop = async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL")
    await Promise.all(workers.map((w) => w.exited))
    await api.dispose()
    await Effect.runPromise(Scope.close(scope, Exit.void))
    fs.rmSync(dataDir, { recursive: true, force: true })
  }

  /** Submits python programs through the engine (stored, then published), in order. */
  const submitPrograms = (sources: ReadonlyArray<string>) =>
    run(
      Effect.gen(function* () {
        const engine = yield* Engine
        return yield* Effect.forEach(sources, (source_code) => engine.submit({ language: "python", source_code }))
      })
    )
  const submitHello = (n: number, source = `print("hello")\n`) => submitPrograms(Array.from({ length: n }, () => source))

  return { databaseUrl, queue, dataDir, settings, run, spawnWorker, awaitAll, awaitWorker, completions, submitHello, submitPrograms, stop }
}

export type Cluster = Awaited<ReturnType<typeof startCluster>>

const splitInfrastructure = (settings: Parameters<typeof layerInfrastructure>[0]) => {
  // The same layer value for the three: memoised, so built once (one pool, one connection).
  const all = layerInfrastructure(settings)
  return { store: all, queue: all, storage: all } as const
}
