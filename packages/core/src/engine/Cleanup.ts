import { Clock, Context, Cron, Duration, Effect, Layer, Metric, Schedule } from "effect"
import { InvalidSetting } from "../config/SettingErrors.ts"
import type { StorageError, StoreError } from "../domain/Errors.ts"
import { FileStorage } from "../FileStorage.ts"
import * as Metrics from "../observability/Metrics.ts"
import { TaskStore } from "../TaskStore.ts"

export interface CleanupSettings {
  /** Cron expression (5 or 6 fields) for the runs; "0 3 * * *" is every day at 03:00. */
  readonly schedule: string
  /** Time zone of the cron expression; the machine's own when not given. */
  readonly timeZone?: string | undefined
  /** Final tasks and their files are removed this long after they finished. */
  readonly retention: Duration.Input
  /**
   * A file area whose task is not in the store is removed only if it is still an orphan this long
   * after it was first seen: Engine.submit writes the inputs just before it inserts the task, so a
   * fresh area without a task is normal for a moment.
   */
  readonly orphanGrace?: Duration.Input | undefined
}

export const defaultCleanupSettings: CleanupSettings = {
  schedule: "0 3 * * *",
  retention: Duration.days(7),
  orphanGrace: Duration.minutes(1)
}

/** What one run removed. */
export interface CleanupReport {
  /** Epoch ms: tasks that finished before this were expired. */
  readonly cutoff: number
  readonly tasksRemoved: number
  readonly orphansRemoved: number
  readonly bytesFreed: number
}

/**
 * Scheduled removal of old tasks and their files. Only tasks in a final state are ever expired (the
 * store's `expire` contract), and an orphaned file area is one whose task the store does not know at
 * all, so the files of a task that is pending or running are never touched.
 */
export class Cleanup extends Context.Service<
  Cleanup,
  {
    /** One run now; the scheduled runs call this too. */
    readonly runOnce: Effect.Effect<CleanupReport, StoreError | StorageError>
    /** When the next scheduled run will start (epoch ms). */
    readonly nextRun: Effect.Effect<number>
  }
>()("@codebox/core/Cleanup") {
  /** The service without a schedule: for a CLI, an admin endpoint, or tests. */
  static readonly layerService = (settings: CleanupSettings) => Layer.effect(Cleanup, make(settings))

  /** The service as configured: a schedule of "off" keeps the service but runs nothing on a schedule. */
  static readonly layerConfigured = (settings: CleanupSettings) =>
    settings.schedule.trim() === "off"
      ? Cleanup.layerService({ ...settings, schedule: defaultCleanupSettings.schedule })
      : Cleanup.layer(settings)

  /** The service plus a background fiber that runs it on the cron schedule for the layer's lifetime. */
  static readonly layer = (settings: CleanupSettings) =>
    Layer.effect(
      Cleanup,
      Effect.gen(function* () {
        const cleanup = yield* make(settings)
        const cron = yield* parseSchedule(settings)
        yield* cleanup.runOnce.pipe(
          Effect.tap(() => Metric.update(Metric.withAttributes(Metrics.cleanupRuns, { outcome: "ok" }), 1)),
          Effect.catchCause((cause) =>
            Metric.update(Metric.withAttributes(Metrics.cleanupRuns, { outcome: "failed" }), 1).pipe(
              Effect.andThen(Effect.logError("cleanup failed; the next scheduled run will try again", cause))
            )
          ),
          // `schedule` waits for the first cron time before the first run.
          Effect.schedule(Schedule.cron(cron)),
          Effect.forkScoped
        )
        yield* Effect.logInfo("cleanup scheduled").pipe(
          Effect.annotateLogs({ schedule: settings.schedule, next_run: new Date(yield* cleanup.nextRun).toISOString() })
        )
        return cleanup
      })
    )
}

/** Parses the cron expression once, so a bad setting stops start-up instead of the first run. */
export const parseSchedule = (settings: Pick<CleanupSettings, "schedule" | "timeZone">) =>
  Effect.fromResult(Cron.parse(settings.schedule, settings.timeZone)).pipe(
    Effect.mapError(
      (e) =>
        new InvalidSetting({
          setting: "CODEBOX_CLEANUP_SCHEDULE",
          message: `"${settings.schedule}" is not a valid cron expression${settings.timeZone ? ` in ${settings.timeZone}` : ""}: ${e.message}`
        })
    )
  )

const make = (settings: CleanupSettings) =>
  Effect.gen(function* () {
    const store = yield* TaskStore
    const storage = yield* FileStorage
    const cron = yield* parseSchedule(settings)
    const retentionMs = Duration.toMillis(Duration.fromInputUnsafe(settings.retention))
    const graceMs = Duration.toMillis(Duration.fromInputUnsafe(settings.orphanGrace ?? defaultCleanupSettings.orphanGrace!))
    /** Orphan candidates and when they were first seen without a task. */
    const orphanSince = new Map<string, number>()

    const removeOrphans = Effect.fn("Cleanup.removeOrphans")(function* (now: number) {
      const withFiles = yield* storage.tasks
      const present = new Set(withFiles)
      for (const id of orphanSince.keys()) if (!present.has(id)) orphanSince.delete(id)
      let removed = 0
      let bytes = 0
      for (const id of withFiles) {
        const known = yield* store.get(id).pipe(
          Effect.as(true),
          Effect.catchTag("TaskNotFound", () => Effect.succeed(false))
        )
        if (known) {
          orphanSince.delete(id)
          continue
        }
        const since = orphanSince.get(id)
        if (since === undefined) {
          orphanSince.set(id, now)
          continue
        }
        if (now - since < graceMs) continue
        bytes += yield* storage.remove(id)
        orphanSince.delete(id)
        removed++
      }
      return { removed, bytes }
    })

    const runOnce = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const cutoff = now - retentionMs
      const expired = yield* store.expire(cutoff)
      let bytesFreed = 0
      for (const id of expired) bytesFreed += yield* storage.remove(id)
      const orphans = yield* removeOrphans(now)
      bytesFreed += orphans.bytes
      const report: CleanupReport = { cutoff, tasksRemoved: expired.length, orphansRemoved: orphans.removed, bytesFreed }
      yield* Metric.update(Metrics.cleanupTasksRemoved, report.tasksRemoved)
      yield* Metric.update(Metrics.cleanupOrphansRemoved, report.orphansRemoved)
      yield* Metric.update(Metrics.cleanupFreedBytes, report.bytesFreed)
      yield* Effect.logInfo("cleanup finished").pipe(
        Effect.annotateLogs({
          cutoff: new Date(cutoff).toISOString(),
          tasks_removed: report.tasksRemoved,
          orphans_removed: report.orphansRemoved,
          bytes_freed: report.bytesFreed,
          orphans_waiting: orphanSince.size
        })
      )
      return report
    }).pipe(Effect.withSpan("Cleanup.runOnce"))

    return Cleanup.of({
      runOnce,
      nextRun: Effect.map(Clock.currentTimeMillis, (now) => Cron.next(cron, now).getTime())
    })
  })
