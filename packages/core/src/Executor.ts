import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Context, Effect, Layer, Option, Schedule } from "effect"
import type { StoreError } from "./domain/Errors.ts"
import type { Task, TaskId } from "./domain/Task.ts"
import type { StepReport, TaskResult, Verdict } from "./domain/TaskResult.ts"
import { collectOutputs } from "./engine/collectOutputs.ts"
import { judgeCompileError, runJudge } from "./engine/JudgeRun.ts"
import { listSkippedOutputs, toReport, verdictOf } from "./engine/stepReport.ts"
import { liveOutput, publishState } from "./engine/liveOutput.ts"
import { ExecutorConfig } from "./engine/ExecutorConfig.ts"
import { type JobDirectory, makeJobDirectory, sweepJobDirectories } from "./engine/JobDirectory.ts"
import { rewriteForSandbox } from "./engine/Placeholders.ts"
import { FileStorage } from "./FileStorage.ts"
import { type LanguagePlugin, SandboxPaths, type StepContext } from "./LanguagePlugin.ts"
import { Languages } from "./Languages.ts"
import { recordFinished, recordStarted } from "./observability/Metrics.ts"
import { Sandbox } from "./Sandbox.ts"
import { TaskStore } from "./TaskStore.ts"

export { listSkippedOutputs, toReport, verdictOf } from "./engine/stepReport.ts"

/** How one execution ended, for the worker's logs and metrics. */
export type ExecutionOutcome =
  | { readonly _tag: "Completed"; readonly state: "SUCCESS" | "FAILURE"; readonly verdict: Verdict | null }
  /** Finished, revoked or claimed elsewhere before we got it: a duplicate delivery. */
  | { readonly _tag: "Skipped" }
  /** Cancelled while running; its processes were killed. */
  | { readonly _tag: "Revoked" }
  /** Ran, but the claim no longer held when storing (reclaimed after we were presumed dead). */
  | { readonly _tag: "Dropped" }

/** Storing a result: quickly at first, then every 2 s, about two minutes in all before giving up. */
const storeRetry = Schedule.min([Schedule.exponential("100 millis"), Schedule.spaced("2 seconds")])
const storeRetries = 60

/** Runs one task end to end: claim, stage, compile, run, collect, complete. */

export class Executor extends Context.Service<
  Executor,
  {
    execute(taskId: TaskId): Effect.Effect<ExecutionOutcome, StoreError>
  }
>()("@codebox/core/Executor") {
  static readonly layer = Layer.effect(
    Executor,
    Effect.gen(function* () {
      const store = yield* TaskStore
      const storage = yield* FileStorage
      const sandbox = yield* Sandbox
      const languages = yield* Languages
      // What a crashed or killed process left in the work root (other users' sources and outputs)
      // goes before this one runs anything; live processes' job directories stay.
      const swept = yield* sweepJobDirectories((yield* ExecutorConfig).workRoot)
      if (swept > 0) yield* Effect.logWarning(`removed ${swept} job directories left by processes that are gone`)

      const stage = Effect.fn("Executor.stage")(function* (task: Task, plugin: LanguagePlugin, dir: JobDirectory) {
        for (const name of task.input_files) {
          const data = yield* storage.read(task.task_id, "in", name)
          yield* Effect.promise(() => fs.writeFile(path.join(dir.in, name), data, { mode: 0o644 }))
        }
        const rewritten = yield* rewriteForSandbox(task.source_code, plugin, task.input_files)
        yield* Effect.promise(() => fs.writeFile(path.join(dir.src, plugin.sourceFile), rewritten.source, { mode: 0o644 }))
      })

      const runTask = Effect.fn("Executor.runTask")(function* (task: Task) {
        const config = yield* ExecutorConfig
        const plugin = yield* languages.resolve(task.language)
        const dir = yield* makeJobDirectory(config.workRoot)
        yield* stage(task, plugin, dir)
        const ctx: StepContext = { sourcePath: `${SandboxPaths.src}/${plugin.sourceFile}`, srcDir: SandboxPaths.src }
        const common = { env: plugin.runtime.env, runtime: plugin.runtime }

        let compile: StepReport | null = null
        if (plugin.compile !== undefined) {
          const limits = { ...task.limits, ...plugin.compile.limits }
          const outcome = yield* sandbox.run({
            ...common,
            argv: plugin.compile.argv({ ...ctx, limits }),
            stdin: null,
            cwd: SandboxPaths.src,
            mounts: [
              { hostPath: dir.src, sandboxPath: SandboxPaths.src, writable: true, maxCopyBytes: config.maxOutputBytes },
              { hostPath: dir.in, sandboxPath: SandboxPaths.in, writable: false }
            ],
            limits
          })
          compile = toReport(outcome)
          if (outcome.exitCode !== 0 || outcome.limit !== null) {
            // The compiler's own output is what a client needs to read, so it is the result's too.
            const result: TaskResult = {
              ...compile,
              error: null,
              output_files: [],
              files: [],
              skipped_outputs: [],
              verdict: "compile_error",
              compile
            }
            return task.judge == null ? result : { ...result, ...judgeCompileError(task.judge) }
          }
        }
        // Judge mode: the program compiled once above runs once per test case (engine/JudgeRun.ts).
        if (task.judge != null) return yield* runJudge({ task, spec: task.judge, plugin, dir, ctx, compile, sandbox, storage })

        // The run step's output also travels live (TaskEvents), as the program writes it.
        const live = yield* liveOutput(task.task_id)
        const runLimits = { ...task.limits, ...plugin.run.limits }
        const outcome = yield* sandbox.run({
          ...common,
          ...live.hook,
          argv: [...plugin.run.argv({ ...ctx, limits: runLimits }), ...task.args],
          stdin: task.stdin,
          cwd: SandboxPaths.out,
          mounts: [
            { hostPath: dir.src, sandboxPath: SandboxPaths.src, writable: false },
            { hostPath: dir.in, sandboxPath: SandboxPaths.in, writable: false },
            { hostPath: dir.out, sandboxPath: SandboxPaths.out, writable: true, maxCopyBytes: config.maxOutputBytes }
          ],
          limits: runLimits
        })
        yield* live.flush
        const { files, skipped } = yield* collectOutputs(
          dir.out,
          { maxFiles: config.maxOutputFiles, maxBytes: config.maxOutputBytes },
          (name, chunks) => storage.writeStream(task.task_id, "out", name, chunks)
        )
        const result: TaskResult = {
          ...toReport(outcome),
          error: null,
          output_files: files.map((f) => f.name),
          files,
          skipped_outputs: listSkippedOutputs(skipped),
          verdict: verdictOf(outcome),
          compile
        }
        return result
      }, Effect.scoped)

      const execute = Effect.fn("Executor.execute")(function* (taskId: TaskId) {
        const config = yield* ExecutorConfig
        const claimed = yield* store.claim(taskId, config.workerName)
        if (Option.isNone(claimed)) return { _tag: "Skipped" } as const
        const { attempt, task } = claimed.value
        yield* recordStarted(task)
        yield* publishState(taskId, "STARTED")

        if (attempt > config.maxAttempts) {
          const error = `gave up after ${config.maxAttempts} attempts (the task keeps ending its worker)`
          yield* store.complete(taskId, attempt, "FAILURE", null, error)
          return { _tag: "Completed", state: "FAILURE", verdict: null } as const
        }

        // Cancellation: when the store says the task was revoked, the run is interrupted, and the
        // sandbox kills every process of it.
        const ran = yield* runTask(task).pipe(
          Effect.map((result) => ({ state: "SUCCESS" as const, result, error: null })),
          Effect.catch((e) => Effect.succeed({ state: "FAILURE" as const, result: null, error: e.message })),
          Effect.map(Option.some),
          Effect.raceFirst(
            store.awaitFinal(taskId).pipe(
              Effect.map(() => Option.none()),
              Effect.catch(() => Effect.never)
            )
          )
        )
        if (Option.isNone(ran)) {
          yield* publishState(taskId, "REVOKED")
          return { _tag: "Revoked" } as const
        }
        const { state, result, error } = ran.value
        // One line per run that reached its end: what the fault tests count runs by, apart from the store.
        yield* Effect.logDebug(`task ${taskId}: ran (attempt ${attempt})`)
        if (state === "FAILURE") yield* Effect.logWarning(`task ${taskId} could not run: ${error}`)
        // The program ran: its result is stored even if the store is briefly away (a restart, a
        // failover), by retrying the write, never by running the program again. A store that keeps
        // refusing the result loses it: the task then ends FAILURE saying so (details in the log).
        const completeOnce = (st: "SUCCESS" | "FAILURE", res: TaskResult | null, err: string | null) =>
          store.complete(taskId, attempt, st, res, err).pipe(Effect.retry({ schedule: storeRetry, times: storeRetries }))
        const stored = yield* completeOnce(state, result, error).pipe(
          Effect.map((stored) => ({ stored, state, verdict: result?.verdict ?? null })),
          Effect.catch((e) =>
            result === null
              ? Effect.fail(e)
              : Effect.logError(`task ${taskId}: its result could not be stored: ${e.message}`).pipe(
                  Effect.andThen(completeOnce("FAILURE", null, "the program ran, but its result could not be stored")),
                  Effect.map((stored) => ({ stored, state: "FAILURE" as const, verdict: null }))
                )
          )
        )
        if (!stored.stored) return { _tag: "Dropped" } as const
        yield* publishState(taskId, stored.state)
        yield* recordFinished(task, stored.state, stored.verdict)
        return { _tag: "Completed", state: stored.state, verdict: stored.verdict } as const
      })

      return Executor.of({ execute })
    })
  )
}
