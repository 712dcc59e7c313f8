import { Context, type Effect, type Stream } from "effect"
import type { StorageError } from "./domain/Errors.ts"
import type { TaskId } from "./domain/Task.ts"

/** `in` holds a task's uploads, `out` the files its program wrote. */
export type Area = "in" | "out"

export interface StoredFile {
  readonly name: string
  readonly size: number
}

/** Per-task file areas. Names are already sanitised base names when they reach this service. */
export class FileStorage extends Context.Service<
  FileStorage,
  {
    write(taskId: TaskId, area: Area, name: string, data: Uint8Array): Effect.Effect<void, StorageError>
    read(taskId: TaskId, area: Area, name: string): Effect.Effect<Uint8Array, StorageError>
    stream(taskId: TaskId, area: Area, name: string): Stream.Stream<Uint8Array, StorageError>
    list(taskId: TaskId, area: Area): Effect.Effect<ReadonlyArray<StoredFile>, StorageError>
    /** Removes both areas of a task; returns the bytes freed. */
    remove(taskId: TaskId): Effect.Effect<number, StorageError>
    /** Task ids that have files, for cleanup of orphans. */
    readonly tasks: Effect.Effect<ReadonlyArray<TaskId>, StorageError>
    readonly check: Effect.Effect<void, StorageError>
  }
>()("@codebox/core/FileStorage") {}
