import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, Logger, Metric } from "effect"
import { TestClock } from "effect/testing"
import { standardLimits } from "../domain/Limits.ts"
import type { Task, TaskState } from "../domain/Task.ts"
import { FileStorage } from "../FileStorage.ts"
import * as Metrics from "../observability/Metrics.ts"
import * as LocalFileStorage from "../storage/LocalFileStorage.ts"
import * as MemoryFileStorage from "../storage/MemoryFileStorage.ts"
import * as MemoryTaskStore from "../store/MemoryTaskStore.ts"
import { TaskStore } from "../TaskStore.ts"
import { Cleanup, parseSchedule } from "./Cleanup.ts"

const hour = 3_600_000
const day = 24 * hour
const bytes = (n: number) => new Uint8Array(n).fill(7)
let counter = 0
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, "0")}`

const task = (state: TaskState, times: { created: number; finished?: number }): Task => ({
  task_id: newId(),
  language: "toy",
  source_code: "print 1",
  stdin: null,
  args: [],
  limits: standardLimits,
  input_files: ["a.txt"],
  state,
  attempts: state === "PENDING" ? 0 : 1,
  error: null,
  worker: null,
  created_at: times.created,
  started_at: state === "PENDING" ? null : times.created,
  finished_at: times.finished ?? null,
  result: null
})

/** Inserts the task with a 10-byte input and (when finished) a 5-byte output. */
const seed = (t: Task) =>
  Effect.gen(function* () {
    const store = yield* TaskStore
    const storage = yield* FileStorage
    yield* storage.write(t.task_id, "in", "a.txt", bytes(10))
    if (t.finished_at !== null) yield* storage.write(t.task_id, "out", "b.txt", bytes(5))
    yield* store.insert(t)
    return t.task_id
  })

const exists = (id: string) =>
  Effect.gen(function* () {
    const store = yield* TaskStore
    return yield* store.get(id).pipe(
      Effect.as(true),
      Effect.catchTag("TaskNotFound", () => Effect.succeed(false))
    )
  })
const fileCount = (id: string) =>
  Effect.gen(function* () {
    const storage = yield* FileStorage
    return (yield* storage.list(id, "in")).length + (yield* storage.list(id, "out")).length
  })

/** Lets the scheduled fiber finish a run that the clock adjustment woke. */
const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

describe("Cleanup", () => {
  it.effect("runs on the cron schedule with virtual time, removing only final tasks past the retention", () => {
    const logs: Array<{ message: unknown; annotations: Record<string, unknown> }> = []
    const collector = Logger.map(Logger.formatStructured, (entry) => void logs.push(entry))
    return Effect.gen(function* () {
      yield* TestClock.setTime(0) // 1970-01-01T00:00Z
      const services = yield* Layer.build(Layer.mergeAll(MemoryTaskStore.layer, MemoryFileStorage.layer))
      const old = yield* seed(task("SUCCESS", { created: 0, finished: hour })).pipe(Effect.provide(services))
      const running = yield* seed(task("STARTED", { created: 0 })).pipe(Effect.provide(services))
      const pending = yield* seed(task("PENDING", { created: 0 })).pipe(Effect.provide(services))
      const recent = yield* seed(task("FAILURE", { created: 0, finished: 12 * hour })).pipe(Effect.provide(services))
      const orphan = newId()
      yield* FileStorage.use((s) => s.write(orphan, "out", "left.bin", bytes(100))).pipe(Effect.provide(services))

      const cleanupLayer = Cleanup.layer({ schedule: "0 3 * * *", timeZone: "UTC", retention: "1 day", orphanGrace: "1 minute" })
      const context = yield* Layer.build(cleanupLayer.pipe(Layer.provide(Layer.succeedContext(services))))
      const check = <A, E>(e: Effect.Effect<A, E, TaskStore | FileStorage>) => e.pipe(Effect.provide(services))
      assert.strictEqual(yield* Cleanup.use((c) => c.nextRun).pipe(Effect.provide(context)), 3 * hour)

      yield* TestClock.adjust(3 * hour - 1)
      yield* settle
      assert.isFalse(
        logs.some((l) => l.message === "cleanup finished"),
        "no run before 03:00"
      )

      // Day 0, 03:00: the cutoff is the day before, so only the orphan is noticed (not yet removed).
      yield* TestClock.adjust(1)
      yield* settle
      assert.strictEqual(logs.filter((l) => l.message === "cleanup finished").length, 1)
      assert.isTrue(yield* check(exists(old)))
      assert.strictEqual(yield* check(fileCount(orphan)), 1)

      // Day 1, 03:00: the task that finished on day 0 at 01:00 is past the retention; the orphan too.
      yield* TestClock.adjust(day)
      yield* settle
      assert.isFalse(yield* check(exists(old)))
      assert.strictEqual(yield* check(fileCount(old)), 0)
      assert.strictEqual(yield* check(fileCount(orphan)), 0)
      assert.isTrue(yield* check(exists(recent)))
      const second = logs.filter((l) => l.message === "cleanup finished")[1]!
      assert.deepInclude(second.annotations, { tasks_removed: 1, orphans_removed: 1, bytes_freed: 15 + 100 })

      // Day 2 and far later: the recent one goes; running and pending tasks keep rows and files.
      yield* TestClock.adjust(30 * day)
      yield* settle
      assert.isFalse(yield* check(exists(recent)))
      for (const id of [running, pending]) {
        assert.isTrue(yield* check(exists(id)))
        assert.strictEqual(yield* check(fileCount(id)), 1)
      }
      const freed = yield* Metric.value(Metrics.cleanupFreedBytes)
      assert.strictEqual(freed.count, 15 + 100 + 15)
      assert.strictEqual((yield* Metric.value(Metrics.cleanupTasksRemoved)).count, 2)
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Logger.layer([collector])))
  })

  it.effect("rejects an invalid cron expression, naming the setting", () =>
    Effect.gen(function* () {
      const error = yield* parseSchedule({ schedule: "every day" }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "InvalidSetting")
      assert.strictEqual(error.setting, "CODEBOX_CLEANUP_SCHEDULE")
    })
  )

  it.effect("removes real files from a LocalFileStorage directory and reports the bytes", () =>
    Effect.gen(function* () {
      const root = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "codebox-cleanup-")))
      yield* Effect.addFinalizer(() => Effect.promise(() => fs.rm(root, { recursive: true, force: true })))
      const services = yield* Layer.build(Layer.mergeAll(MemoryTaskStore.layer, LocalFileStorage.layer(root)))
      const cleanup = yield* Layer.build(
        Cleanup.layerService({ schedule: "0 3 * * *", retention: Duration.days(7), orphanGrace: "1 hour" }).pipe(
          Layer.provide(Layer.succeedContext(services))
        )
      )
      yield* TestClock.setTime(100 * day)
      const expired = yield* seed(task("SUCCESS", { created: 80 * day, finished: 80 * day })).pipe(Effect.provide(services))
      const running = yield* seed(task("STARTED", { created: 80 * day })).pipe(Effect.provide(services))
      const kept = yield* seed(task("REVOKED", { created: 99 * day, finished: 99 * day })).pipe(Effect.provide(services))
      const orphan = newId()
      yield* Effect.promise(async () => {
        await fs.mkdir(path.join(root, orphan, "in"), { recursive: true })
        await fs.writeFile(path.join(root, orphan, "in", "x.bin"), bytes(1000))
      })
      const onDisk = (id: string) =>
        fs.access(path.join(root, id)).then(
          () => true,
          () => false
        )

      const first = yield* Cleanup.use((c) => c.runOnce).pipe(Effect.provide(cleanup))
      assert.deepInclude(first, { tasksRemoved: 1, orphansRemoved: 0, bytesFreed: 15 })
      assert.isFalse(yield* Effect.promise(() => onDisk(expired)))
      assert.isTrue(yield* Effect.promise(() => onDisk(running)))
      assert.isTrue(yield* Effect.promise(() => onDisk(kept)))
      assert.isTrue(yield* Effect.promise(() => onDisk(orphan)), "an orphan younger than the grace stays")

      yield* TestClock.adjust("2 hours")
      const second = yield* Cleanup.use((c) => c.runOnce).pipe(Effect.provide(cleanup))
      assert.deepInclude(second, { tasksRemoved: 0, orphansRemoved: 1, bytesFreed: 1000 })
      assert.isFalse(yield* Effect.promise(() => onDisk(orphan)))
      assert.deepStrictEqual((yield* Effect.promise(() => fs.readdir(root))).sort(), [running, kept].sort())
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map()))
  )
})
