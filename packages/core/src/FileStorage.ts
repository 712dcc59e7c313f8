import { Context, type Effect, type Option, type Stream } from "effect"
import type { StorageError } from "./domain/Errors.ts"
import type { TaskId } from "./domain/Task.ts"

/**
 * `in` holds a task's uploads, `out` the files its program wrote, `cache` what CodeBox derives
 * from them to serve again (the zip of the outputs); all three go when the task's files are removed.
 */
export type Area = "in" | "out" | "cache"

export interface StoredFile {
  readonly name: string
  readonly size: number
}

/** Reads are streamed in chunks of this size, so serving a file never holds it whole in memory. */
export const streamChunkBytes = 64 * 1024

/** Per-task file areas. Names are already sanitised base names when they reach this service. */
export class FileStorage extends Context.Service<
  FileStorage,
  {
    write(taskId: TaskId, area: Area, name: string, data: Uint8Array): Effect.Effect<void, StorageError>
    /**
     * Writes the stream's bytes as one file and returns its size. Readers never see a partial file:
     * it appears whole or, when the stream fails, not at all.
     */
    writeStream<E>(taskId: TaskId, area: Area, name: string, data: Stream.Stream<Uint8Array, E>): Effect.Effect<number, StorageError | E>
    read(taskId: TaskId, area: Area, name: string): Effect.Effect<Uint8Array, StorageError>
    /** The file's bytes in chunks of at most `streamChunkBytes`. */
    stream(taskId: TaskId, area: Area, name: string): Stream.Stream<Uint8Array, StorageError>
    /** The file's size, or None when there is no such file. */
    stat(taskId: TaskId, area: Area, name: string): Effect.Effect<Option.Option<StoredFile>, StorageError>
    list(taskId: TaskId, area: Area): Effect.Effect<ReadonlyArray<StoredFile>, StorageError>
    /** Removes every area of a task; returns the bytes freed. */
    remove(taskId: TaskId): Effect.Effect<number, StorageError>
    /** Task ids that have files, for cleanup of orphans. */
    readonly tasks: Effect.Effect<ReadonlyArray<TaskId>, StorageError>
    readonly check: Effect.Effect<void, StorageError>
  }
>()("@codebox/core/FileStorage") {}
