import { createHash } from "node:crypto"
import { ZipArchive } from "archiver"
import { contentTypeOf, type Engine, type OutputFile, StorageError, type Task } from "@codebox/core"
import { Effect, Stream } from "effect"
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

/** One output file, as itself. */
export const fileResponse = Effect.fn("Server.fileResponse")(function* (engine: Engine["Service"], task: Task, name: string) {
  const data = yield* engine.readOutput(task.task_id, name)
  return HttpServerResponse.uint8Array(data, {
    contentType: contentTypeIn(task, name),
    headers: { "content-disposition": contentDisposition(name) }
  })
})

/**
 * Several output files as one zip, streamed. Every file is read before the first byte is sent, so
 * a missing file is a clean error response rather than a truncated archive.
 */
export const zipResponse = Effect.fn("Server.zipResponse")(function* (engine: Engine["Service"], task: Task, names: ReadonlyArray<string>) {
  const files = yield* Effect.forEach(names, (name) => Effect.map(engine.readOutput(task.task_id, name), (data) => ({ name, data })))
  const archive = new ZipArchive({ zlib: { level: 6 } })
  for (const file of files) archive.append(Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength), { name: file.name })
  void archive.finalize()
  const body = Stream.fromAsyncIterable(
    archive as AsyncIterable<Uint8Array>,
    (cause) => new StorageError({ message: "cannot build the zip of the output files", cause })
  )
  return HttpServerResponse.stream(body, {
    contentType: "application/zip",
    headers: { "content-disposition": contentDisposition(`${task.task_id}.zip`) }
  })
})

/** GET /download: the single output as itself, several as a zip. */
export const downloadResponse = Effect.fn("Server.downloadResponse")(function* (engine: Engine["Service"], task: Task) {
  const names = yield* outputNames(task)
  return names.length === 1 ? yield* fileResponse(engine, task, names[0]!) : yield* zipResponse(engine, task, names)
})
