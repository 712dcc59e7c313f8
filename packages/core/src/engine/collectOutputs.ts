import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Stream } from "effect"
import { StorageError } from "../domain/Errors.ts"
import type { OutputFile, SkippedOutput } from "../domain/TaskResult.ts"
import { streamChunkBytes } from "../FileStorage.ts"
import { isSafeFileName } from "../storage/names.ts"
import { contentTypeOf } from "./contentType.ts"

export interface Collected {
  /** The files saved, in name order. */
  readonly files: ReadonlyArray<OutputFile>
  /** The entries left out (links, directories, caps) and why, for the result's `skipped_outputs`. */
  readonly skipped: ReadonlyArray<SkippedOutput>
}

/** Where a collected file's bytes go (the task's storage), as they are read. */
export type SaveOutput = (name: string, chunks: Stream.Stream<Uint8Array, StorageError>) => Effect.Effect<unknown, StorageError>

const attempt = <A>(what: string, f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (cause) => new StorageError({ message: `cannot collect output files: ${what}`, cause }) })

/**
 * Saves the regular files the program left in its out directory, streamed in chunks (a worker never
 * holds a whole output in memory). Never follows a link the program made: entries are lstat'ed,
 * opened with O_NOFOLLOW and fstat'ed again, so a link swapped in between is refused; at most the
 * fstat'ed size is read. Files past the count or total-size cap are skipped and named.
 */
export const collectOutputs = (
  dir: string,
  caps: { readonly maxFiles: number; readonly maxBytes: number },
  save: SaveOutput
): Effect.Effect<Collected, StorageError> =>
  Effect.gen(function* () {
    const entries = (yield* attempt("cannot list them", () => fs.promises.readdir(dir, { withFileTypes: true }))).sort((a, b) =>
      a.name.localeCompare(b.name)
    )
    const files: Array<OutputFile> = []
    const skipped: Array<SkippedOutput> = []
    let total = 0
    for (const entry of entries) {
      if (!entry.isFile()) {
        skipped.push({
          name: entry.name,
          reason: entry.isSymbolicLink() ? "a link" : entry.isDirectory() ? "a directory" : "not a regular file"
        })
        continue
      }
      if (!isSafeFileName(entry.name)) {
        skipped.push({ name: entry.name, reason: "name has characters outside A-Z a-z 0-9 . _ -" })
        continue
      }
      if (files.length >= caps.maxFiles) {
        skipped.push({ name: entry.name, reason: `over the cap of ${caps.maxFiles} files` })
        continue
      }
      const saved = yield* Effect.acquireUseRelease(
        attempt(entry.name, () =>
          fs.promises.open(path.join(dir, entry.name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK)
        ),
        (handle) =>
          Effect.gen(function* () {
            const stat = yield* attempt(entry.name, () => handle.stat())
            if (!stat.isFile()) {
              skipped.push({ name: entry.name, reason: "not a regular file" })
              return null
            }
            if (total + stat.size > caps.maxBytes) {
              skipped.push({ name: entry.name, reason: `over the cap of ${caps.maxBytes} bytes in all` })
              return null
            }
            const hash = createHash("sha256")
            let size = 0
            const chunks =
              stat.size === 0
                ? Stream.empty
                : Stream.fromAsyncIterable(
                    handle.createReadStream({ start: 0, end: stat.size - 1, autoClose: false, highWaterMark: streamChunkBytes }),
                    (cause) => new StorageError({ message: `cannot collect output files: ${entry.name}`, cause })
                  ).pipe(
                    Stream.map((chunk: Buffer) => new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
                    Stream.tap((chunk) =>
                      Effect.sync(() => {
                        hash.update(chunk)
                        size += chunk.byteLength
                      })
                    )
                  )
            yield* save(entry.name, chunks)
            return { name: entry.name, size, sha256: hash.digest("hex"), content_type: contentTypeOf(entry.name) }
          }),
        (handle) => Effect.promise(() => handle.close())
      )
      if (saved === null) continue
      total += saved.size
      files.push(saved)
    }
    return { files, skipped }
  })
