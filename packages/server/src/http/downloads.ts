import { createHash } from "node:crypto"
import {
  contentTypeOf,
  type Engine,
  type FileStorage,
  type OutputFile,
  OutputNotFound,
  type OutputZips,
  StorageError,
  type Task
} from "@codebox/core"
import { Effect, Option } from "effect"
import { HttpServerResponse } from "effect/http"
import { NoOutputFiles } from "../api/errors.ts"
import { wireResult } from "./present.ts"

/** `attachment` with an ASCII fallback name and the exact name in RFC 5987 form. */
export const contentDisposition = (name: string): string => {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, "_")
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

/** The names of a finished task's outputs, or the existing API's 404 "No output files". */
export const outputNames = (task: Task) => {
  const names = wireResult(task).output_files
  return names.length > 0 ? Effect.succeed(names) : Effect.fail(new NoOutputFiles({ task_id: task.task_id, message: "No output files" }))
}

/**
 * The manifest; results stored before manifests existed (their `files` read back empty while
 * `output_files` names some) get one computed from the files.
 */
export const manifestOf = Effect.fn("Server.manifestOf")(function* (engine: Engine["Service"], task: Task) {
  const result = wireResult(task)
  if (result.files.length === result.output_files.length) return result.files
  return yield* Effect.forEach(result.output_files, (name) =>
    Effect.map(
      engine.readOutput(task.task_id, name),
      (data): OutputFile => ({
        name,
        size: data.byteLength,
        sha256: createHash("sha256").update(data).digest("hex"),
        content_type: contentTypeOf(name)
      })
    )
  )
})

const contentTypeIn = (task: Task, name: string) => wireResult(task).files.find((f) => f.name === name)?.content_type ?? contentTypeOf(name)

/** One output file, as itself, streamed from storage with its exact length. */
export const fileResponse = Effect.fn("Server.fileResponse")(function* (storage: FileStorage["Service"], task: Task, name: string) {
  if (!wireResult(task).output_files.includes(name)) {
    return yield* new OutputNotFound({ task_id: task.task_id, name, message: `task has no output file "${name}"` })
  }
  const stored = yield* storage.stat(task.task_id, "out", name)
  if (Option.isNone(stored)) return yield* new StorageError({ message: `cannot read out/${name}` })
  return HttpServerResponse.stream(storage.stream(task.task_id, "out", name), {
    contentType: contentTypeIn(task, name),
    contentLength: stored.value.size,
    headers: { "content-disposition": contentDisposition(name) }
  })
})

/**
 * Several output files as one zip: the task's kept zip (built on first request, see OutputZips),
 * streamed with its exact length. The zip is complete before the first byte is sent, so a missing
 * file is a clean error response rather than a truncated archive.
 */
export const zipResponse = Effect.fn("Server.zipResponse")(function* (
  zips: OutputZips["Service"],
  task: Task,
  names: ReadonlyArray<string>
) {
  const zip = yield* zips.zipOf(task.task_id, names)
  return HttpServerResponse.stream(zip.content, {
    contentType: "application/zip",
    contentLength: zip.size,
    headers: { "content-disposition": contentDisposition(`${task.task_id}.zip`) }
  })
})

/** GET /download: the single output as itself, several as a zip. */
export const downloadResponse = Effect.fn("Server.downloadResponse")(function* (
  storage: FileStorage["Service"],
  zips: OutputZips["Service"],
  task: Task
) {
  const names = yield* outputNames(task)
  return names.length === 1 ? yield* fileResponse(storage, task, names[0]!) : yield* zipResponse(zips, task, names)
})
