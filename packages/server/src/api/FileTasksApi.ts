import { OutputNotFound, StorageError, StoreError, TaskNotFound } from "@codebox/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { ApiKeyAuth } from "./ApiKeyAuth.ts"
import type { LanguageMaxima } from "./limits.ts"
import { guardErrors, NoOutputFiles, UnsupportedMediaType } from "./errors.ts"
import { submitErrors } from "./TasksApi.ts"
import {
  DownloadBody,
  FileBody,
  FileTaskForm,
  OutputManifest,
  TaskAccepted,
  TaskFinished,
  TaskIdParams,
  TaskInProgress,
  WaitQuery
} from "./wire.ts"

const downloadErrors = [TaskNotFound, NoOutputFiles, OutputNotFound, StorageError, StoreError, ...guardErrors] as const

/** The file-task endpoints; upload limits come from the server's settings. */
export const makeFileTasksApi = (
  limits: { readonly maxFileSize: number; readonly maxTotalSize: number },
  languages: ReadonlyArray<LanguageMaxima>
) =>
  HttpApiGroup.make("fileTasks")
    .add(
      HttpApiEndpoint.post("create", "/file_task/create", {
        payload: FileTaskForm(limits, languages),
        query: WaitQuery,
        success: [TaskFinished, TaskAccepted],
        error: [...submitErrors, TaskNotFound, UnsupportedMediaType, ...guardErrors]
      }).annotateMerge(
        OpenApi.annotations({
          summary: "Submit source code with input files (multipart)",
          description:
            "Form fields programming_language, source_code, input_files (one per file, in order) and " +
            "files (the parts), at most 5. IN_1.. in the source name the inputs, OUT_name.ext the outputs."
        })
      ),
      HttpApiEndpoint.get("download", "/file_task/:task_id/download", {
        params: TaskIdParams,
        success: [DownloadBody, TaskInProgress],
        error: downloadErrors
      }).annotateMerge(
        OpenApi.annotations({
          summary: "Download the output files",
          description: "One output file as itself; several as a zip named after the task id; 202 {status, state} while running."
        })
      ),
      HttpApiEndpoint.get("files", "/file_task/:task_id/files", {
        params: TaskIdParams,
        success: [OutputManifest, TaskInProgress],
        error: downloadErrors
      }).annotateMerge(OpenApi.annotations({ summary: "The output manifest: name, size, sha256 and content type" })),
      HttpApiEndpoint.get("file", "/file_task/:task_id/files/:name", {
        params: { ...TaskIdParams, name: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(255)) },
        success: [FileBody, TaskInProgress],
        error: downloadErrors
      }).annotateMerge(
        OpenApi.annotations({ summary: "Download one output file", description: "The file as itself, with the content type of its name." })
      )
    )
    .middleware(ApiKeyAuth)
    .annotateMerge(OpenApi.annotations({ title: "File tasks", description: "Tasks with input and output files" }))
