import * as fs from "node:fs/promises"
import {
  Engine,
  FileStorage,
  type InputFile,
  InvalidTask,
  isFinal,
  LimitsRequest,
  maxInputFiles,
  OutputZips,
  StorageError,
  type TaskRequest
} from "@codebox/core"
import { Effect, Schema } from "effect"
import type { Multipart } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import type { Api } from "../api/Api.ts"
import { ServerConfig } from "../config.ts"
import { checkCallbackRequest, registerCallback, withCallback } from "./callbacks.ts"
import { downloadResponse, fileResponse, manifestOf } from "./downloads.ts"
import { readJudgeForm } from "./judgeForm.ts"
import { finishedView, progressView } from "./present.ts"
import { currentCaller, ownerOf, visibleTask } from "./tenancy.ts"
import { awaitUpTo, waitSeconds } from "./waiting.ts"

type FormList = string | ReadonlyArray<string> | undefined

/**
 * A repeated form field as a list. A single value that is a JSON array is read as the list, since
 * some clients send `input_files` that way.
 */
const formList = (...values: ReadonlyArray<FormList>): ReadonlyArray<string> =>
  values.flatMap((value) => {
    if (value === undefined) return []
    if (typeof value !== "string") return value
    if (value.trimStart().startsWith("[")) {
      try {
        const parsed: unknown = JSON.parse(value)
        if (Array.isArray(parsed) && parsed.every((v) => typeof v === "string")) return parsed as Array<string>
      } catch {
        // not JSON: the value is a name that starts with "["
      }
    }
    return [value]
  })

const decodeLimits = Schema.decodeUnknownEffect(Schema.fromJsonString(LimitsRequest))

const readLimits = (raw: string | undefined) =>
  raw === undefined || raw.trim() === ""
    ? Effect.succeed(undefined)
    : decodeLimits(raw, { onExcessProperty: "error" }).pipe(
        Effect.mapError((e) => new InvalidTask({ field: "limits", message: `limits: ${e.message}` }))
      )

const readPart = (part: Multipart.PersistedFile) =>
  Effect.tryPromise({
    try: () => fs.readFile(part.path),
    catch: (cause) => new StorageError({ message: `cannot read the upload "${part.name}"`, cause })
  }).pipe(Effect.map((data): InputFile => ({ name: part.name, data })))

export const FileTasksHandlers = (api: Api) =>
  HttpApiBuilder.group(
    api,
    "fileTasks",
    Effect.fn(function* (handlers) {
      const engine = yield* Engine
      const storage = yield* FileStorage
      const zips = yield* OutputZips
      const settings = yield* ServerConfig

      /** The task when it is finished, else the 202 body. */
      const finished = (taskId: string) =>
        Effect.map(
          Effect.flatMap(currentCaller(settings), (caller) => visibleTask(engine, caller, taskId)),
          (task) => (isFinal(task.state) ? { done: true as const, task } : { done: false as const, view: progressView(task) })
        )

      return handlers.handleAll({
        create: Effect.fn("Server.createFileTask")(function* ({ payload, query }) {
          const seconds = yield* waitSeconds(settings, query.wait)
          const parts = [...(payload.files ?? []), ...(payload["files[]"] ?? [])]
          if (parts.length > maxInputFiles) {
            return yield* new InvalidTask({ field: "files", message: `at most ${maxInputFiles} files, got ${parts.length}` })
          }
          const names = formList(payload.input_files, payload["input_files[]"])
          const args = formList(payload.args, payload["args[]"])
          const limits = yield* readLimits(payload.limits)
          const judge = yield* readJudgeForm(payload)
          const files = yield* Effect.forEach(parts, readPart)
          const request: TaskRequest = {
            language: payload.programming_language.trim().toLowerCase(),
            source_code: payload.source_code,
            // Without names the uploads keep their own; with names they must match the uploads 1:1.
            ...(names.length > 0 || parts.length === 0 ? { input_files: names } : {}),
            ...(payload.stdin !== undefined ? { stdin: payload.stdin } : {}),
            ...(args.length > 0 ? { args } : {}),
            ...(limits !== undefined ? { limits } : {}),
            ...judge
          }
          const owner = ownerOf(yield* currentCaller(settings))
          const callbackUrl = yield* checkCallbackRequest(settings, payload.callback_url)
          const submitted = yield* engine.submit(request, files, owner)
          yield* registerCallback(submitted, callbackUrl)
          const task = yield* awaitUpTo(engine, submitted, seconds)
          if (isFinal(task.state)) return yield* withCallback(finishedView(task), task)
          return { task_id: task.task_id, status: "accepted" as const }
        }),
        download: Effect.fn("Server.download")(function* ({ params }) {
          const state = yield* finished(params.task_id)
          return state.done ? yield* downloadResponse(storage, zips, state.task) : state.view
        }),
        files: Effect.fn("Server.outputManifest")(function* ({ params }) {
          const state = yield* finished(params.task_id)
          if (!state.done) return state.view
          return { task_id: state.task.task_id, files: yield* manifestOf(engine, state.task) }
        }),
        file: Effect.fn("Server.downloadFile")(function* ({ params }) {
          const state = yield* finished(params.task_id)
          return state.done ? yield* fileResponse(storage, state.task, params.name) : state.view
        })
      })
    })
  )
