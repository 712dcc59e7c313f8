import { Context, Deferred, Effect, Layer, Metric, Option, Scope, type Stream } from "effect"
import type { StorageError } from "./domain/Errors.ts"
import type { TaskId } from "./domain/Task.ts"
import { FileStorage } from "./FileStorage.ts"
import { outputZipBuilds } from "./observability/Metrics.ts"

/** One file to put in a zip: its name in the archive and its bytes, read as the zip is written. */
export interface ZipEntry {
  readonly name: string
  readonly content: Stream.Stream<Uint8Array, StorageError>
}

/**
 * Writes a zip of the entries, reading each entry's content only when its turn comes, so memory
 * stays bounded whatever the files' sizes. Core has no zip library: the app passes one in.
 */
export type ZipEncoder = (entries: ReadonlyArray<ZipEntry>) => Stream.Stream<Uint8Array, StorageError>

/** A download ready to stream: its exact size (for Content-Length) and its bytes. */
export interface Download {
  readonly size: number
  readonly content: Stream.Stream<Uint8Array, StorageError>
}

/** Where a task's zip is kept: its cache area, removed with the rest of its files. */
export const outputsZipName = "outputs.zip"

/**
 * The zip of a finished task's output files. It is built once per task into the task's cache area
 * and served from there; concurrent requests for a task whose zip is not built yet await the one
 * build instead of each reading and compressing every file.
 */
export class OutputZips extends Context.Service<
  OutputZips,
  {
    /** The zip of `names` (the task's output files, which no longer change once it is final). */
    zipOf(taskId: TaskId, names: ReadonlyArray<string>): Effect.Effect<Download, StorageError>
  }
>()("@codebox/core/OutputZips") {
  static readonly layer = (encode: ZipEncoder) =>
    Layer.effect(
      OutputZips,
      Effect.gen(function* () {
        const storage = yield* FileStorage
        // Builds run in the layer's scope, not the first requester's: one client hanging up must
        // not cancel the build the others are waiting for.
        const scope = yield* Scope.Scope
        const inFlight = new Map<TaskId, Deferred.Deferred<number, StorageError>>()

        const build = (taskId: TaskId, names: ReadonlyArray<string>) =>
          Effect.gen(function* () {
            const kept = yield* storage.stat(taskId, "cache", outputsZipName)
            if (Option.isSome(kept)) return kept.value.size
            yield* Metric.update(outputZipBuilds, 1)
            const entries = names.map((name): ZipEntry => ({ name, content: storage.stream(taskId, "out", name) }))
            return yield* storage.writeStream(taskId, "cache", outputsZipName, encode(entries))
          })

        /**
         * The size of the task's kept zip, building it first if needed. The stat and the build both
         * happen under the in-flight entry, so a request arriving while the zip is being renamed
         * into place cannot start a second build.
         */
        const sizeOf = (taskId: TaskId, names: ReadonlyArray<string>) =>
          Effect.suspend(() => {
            const running = inFlight.get(taskId)
            if (running !== undefined) return Deferred.await(running)
            const done = Deferred.makeUnsafe<number, StorageError>()
            inFlight.set(taskId, done)
            return build(taskId, names).pipe(
              Effect.exit,
              Effect.flatMap((exit) => {
                inFlight.delete(taskId)
                return Deferred.done(done, exit)
              }),
              Effect.forkIn(scope),
              Effect.andThen(Deferred.await(done))
            )
          })

        return OutputZips.of({
          zipOf: Effect.fn("OutputZips.zipOf")(function* (taskId, names) {
            const size = yield* sizeOf(taskId, names)
            return { size, content: storage.stream(taskId, "cache", outputsZipName) }
          })
        })
      })
    )
}
