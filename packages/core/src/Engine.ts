import { randomUUID } from "node:crypto"
import { Clock, Context, type Duration, Effect, Layer, type Option, Schema } from "effect"
import {
  InvalidTask,
  type LimitOutOfRange,
  OutputNotFound,
  type PlaceholderError,
  type StorageError,
  type StoreError,
  type TaskNotFound,
  type UnsupportedLanguage
} from "./domain/Errors.ts"
import { resolveLimits } from "./domain/Limits.ts"
import { type Task, type TaskId, TaskRequest } from "./domain/Task.ts"
import { resolveJudgeSpec } from "./engine/judgeSpec.ts"
import { rewriteForSandbox } from "./engine/Placeholders.ts"
import { FileStorage } from "./FileStorage.ts"
import { Languages } from "./Languages.ts"
import { recordSubmitted } from "./observability/Metrics.ts"
import { sanitizeFileNames } from "./storage/names.ts"
import { TaskQueue } from "./TaskQueue.ts"
import { TaskStore } from "./TaskStore.ts"

export interface InputFile {
  readonly name: string
  readonly data: Uint8Array
}

export interface SubmitOptions {
  readonly owner?: string
}

export type SubmitError = InvalidTask | UnsupportedLanguage | LimitOutOfRange | PlaceholderError | StorageError | StoreError

const decodeRequest = Schema.decodeUnknownEffect(TaskRequest)

/**
 * What clients of CodeBox do: submit a task, read or await its result, read its outputs, cancel it.
 * The HTTP API and the embeddable facade are both thin layers over this service.
 */
export class Engine extends Context.Service<
  Engine,
  {
    /**
     * Validates, stores the inputs and the task (PENDING), queues it; the task is durable on return.
     * `owner` records the tenant the task belongs to (see Task.owner).
     */
    submit(request: TaskRequest, files?: ReadonlyArray<InputFile>, options?: SubmitOptions): Effect.Effect<Task, SubmitError>
    result(id: TaskId): Effect.Effect<Task, TaskNotFound | StoreError>
    /** The task once final, or None when the wait runs out first. Event-driven, no polling floor. */
    awaitResult(id: TaskId, timeout: Duration.Input): Effect.Effect<Option.Option<Task>, TaskNotFound | StoreError>
    readOutput(id: TaskId, name: string): Effect.Effect<Uint8Array, TaskNotFound | OutputNotFound | StoreError | StorageError>
    cancel(id: TaskId): Effect.Effect<Task, TaskNotFound | StoreError>
  }
>()("@codebox/core/Engine") {
  static readonly layer = Layer.effect(
    Engine,
    Effect.gen(function* () {
      const store = yield* TaskStore
      const queue = yield* TaskQueue
      const storage = yield* FileStorage
      const languages = yield* Languages

      const submit = Effect.fn("Engine.submit")(function* (
        raw: TaskRequest,
        files: ReadonlyArray<InputFile> = [],
        options: SubmitOptions = {}
      ) {
        const request = yield* decodeRequest(raw).pipe(Effect.mapError((e) => new InvalidTask({ field: "request", message: e.message })))
        const plugin = yield* languages.resolve(request.language)
        const limits = yield* resolveLimits(plugin.defaultLimits, plugin.maxLimits, request.limits, plugin.id)
        const judge = yield* resolveJudgeSpec(request, limits, plugin.maxLimits)
        const declared = request.input_files ?? files.map((f) => f.name)
        if (declared.length !== files.length) {
          return yield* new InvalidTask({
            field: "input_files",
            message: `input_files names ${declared.length} file(s) but ${files.length} were uploaded; they must match 1:1`
          })
        }
        const names = sanitizeFileNames(declared)
        // Placeholders are checked now so a bad one is a 400, not a failed task later.
        yield* rewriteForSandbox(request.source_code, plugin, names)
        const task: Task = {
          task_id: randomUUID(),
          language: plugin.id,
          source_code: request.source_code,
          stdin: request.stdin ?? null,
          args: request.args ?? [],
          limits,
          input_files: names,
          state: "PENDING",
          attempts: 0,
          error: null,
          worker: null,
          created_at: yield* Clock.currentTimeMillis,
          started_at: null,
          finished_at: null,
          result: null,
          ...(options.owner !== undefined ? { owner: options.owner } : {}),
          ...(judge !== null ? { judge } : {})
        }
        // The uploads go first so a worker never sees the task without them; when the task is not
        // stored after all, they are removed again, so a refused task leaves nothing behind.
        yield* Effect.gen(function* () {
          for (const [i, file] of files.entries()) yield* storage.write(task.task_id, "in", names[i]!, file.data)
          yield* store.insert(task)
        }).pipe(Effect.onError(() => (files.length === 0 ? Effect.void : Effect.ignore(storage.remove(task.task_id)))))
        yield* recordSubmitted(task)
        // The task is stored, so it is durable: a lost publish is repaired by the reconciler.
        yield* queue
          .publish(task.task_id)
          .pipe(Effect.catch((e) => Effect.logWarning(`task ${task.task_id} stored but not queued yet: ${e.message}`)))
        return task
      })

      const readOutput = Effect.fn("Engine.readOutput")(function* (id: TaskId, name: string) {
        const task = yield* store.get(id)
        if (!(task.result?.output_files ?? []).includes(name)) {
          return yield* new OutputNotFound({ task_id: id, name, message: `task has no output file "${name}"` })
        }
        return yield* storage.read(id, "out", name)
      })

      return Engine.of({
        submit,
        result: store.get,
        awaitResult: (id, timeout) => store.get(id).pipe(Effect.andThen(() => store.awaitFinal(id).pipe(Effect.timeoutOption(timeout)))),
        readOutput,
        cancel: store.revoke
      })
    })
  )
}
