import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { StorageError } from "../domain/Errors.ts"
import type { OutputFile, SkippedOutput } from "../domain/TaskResult.ts"
import { isSafeFileName } from "../storage/names.ts"
import { contentTypeOf } from "./contentType.ts"

export interface CollectedOutput extends OutputFile {
  readonly data: Uint8Array
}

export interface Collected {
  readonly files: ReadonlyArray<CollectedOutput>
  /** The entries left out (links, directories, caps) and why, for the result's `skipped_outputs`. */
  readonly skipped: ReadonlyArray<SkippedOutput>
}

/**
 * Reads the regular files the program left in its out directory. Never follows a link the program
 * made: entries are lstat'ed, opened with O_NOFOLLOW and fstat'ed again, so a link swapped in
 * between is refused. Files past the count or total-size cap are skipped and named.
 */
export const collectOutputs = (
  dir: string,
  caps: { readonly maxFiles: number; readonly maxBytes: number }
): Effect.Effect<Collected, StorageError> =>
  Effect.tryPromise({
    try: async () => {
      const entries = (await fs.promises.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))
      const files: Array<CollectedOutput> = []
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
        const handle = await fs.promises.open(
          path.join(dir, entry.name),
          fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK
        )
        try {
          const stat = await handle.stat()
          if (!stat.isFile()) {
            skipped.push({ name: entry.name, reason: "not a regular file" })
            continue
          }
          if (total + stat.size > caps.maxBytes) {
            skipped.push({ name: entry.name, reason: `over the cap of ${caps.maxBytes} bytes in all` })
            continue
          }
          const data = new Uint8Array(await handle.readFile())
          total += data.byteLength
          files.push({
            name: entry.name,
            size: data.byteLength,
            sha256: createHash("sha256").update(data).digest("hex"),
            content_type: contentTypeOf(entry.name),
            data
          })
        } finally {
          await handle.close()
        }
      }
      return { files, skipped }
    },
    catch: (cause) => new StorageError({ message: "cannot collect output files", cause })
  })
