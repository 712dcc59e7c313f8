import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { FileStorage, type Languages, Prometheus, TaskEvents, TaskId, type TaskQueue, TaskState, TaskStore } from "@codebox/core"
import { Effect, Layer, Schema } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import type { ServerConfig } from "../config.ts"
import { eventStreamResponse, resumePointOf } from "../http/eventStream.ts"
import { canSee } from "../http/tenancy.ts"
import { opsCaller, requireKey } from "./access.ts"
import { listTasks, summary, taskDetail } from "./DashboardData.ts"
import { QueueSampler, type QueueSamplerSettings } from "./QueueSampler.ts"

const isState = Schema.is(TaskState)
const isTaskId = (id: string): boolean => Schema.is(TaskId)(id)

const json = (body: unknown, status = 200) => HttpServerResponse.jsonUnsafe(body, { status, headers: { "cache-control": "no-store" } })

/** Store and storage failures become JSON answers; the dashboard shows the message. */
const answer = <E extends { readonly _tag: string; readonly message: string }, R>(
  effect: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
) =>
  effect.pipe(
    Effect.catch((e) =>
      e._tag === "TaskNotFound" || e._tag === "OutputNotFound"
        ? Effect.succeed(json({ _tag: e._tag, message: e.message }, 404))
        : Effect.logError("dashboard request failed", e).pipe(Effect.as(json({ _tag: e._tag, message: e.message }, 500)))
    )
  )

const query = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  return new URL(request.url, "http://localhost").searchParams
})

const intParam = (raw: string | null, fallback: number, max: number) => {
  const n = raw === null ? Number.NaN : Number.parseInt(raw, 10)
  return Number.isFinite(n) && n >= 0 ? Math.min(n, max) : fallback
}

/**
 * The page: HTML, CSS and script in one response (no build step, nothing fetched from elsewhere),
 * with a Content-Security-Policy that allows only this inline script and style by hash, so task
 * output shown on the page can never run as code.
 */
const dashboardPage = () => {
  const read = (name: string) => fs.readFileSync(new URL(name, import.meta.url), "utf8")
  const script = read("./dashboard.js")
  const template = read("./dashboard.html")
  const style = /<style>([\s\S]*?)<\/style>/.exec(template)?.[1] ?? ""
  const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`
  const html = template.replace("<script></script>", () => `<script>${script}</script>`)
  const csp = [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(style)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join("; ")
  return { html, csp }
}

const routes = Effect.gen(function* () {
  // The handlers run with the services the routes were built with (the engine's), so the layer
  // needs them once, when the server starts, and not per request.
  const services = yield* Effect.context<TaskStore | TaskQueue | TaskEvents | FileStorage | Languages | QueueSampler | ServerConfig>()
  const guarded = <
    E,
    R extends
      | TaskStore
      | TaskQueue
      | TaskEvents
      | FileStorage
      | Languages
      | QueueSampler
      | ServerConfig
      | HttpServerRequest.HttpServerRequest
      | HttpRouter.RouteContext
  >(
    handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
  ) => Effect.provideContext(requireKey(handler), services)
  const page = dashboardPage()
  return [
    HttpRouter.route(
      "GET",
      "/metrics",
      guarded(
        Effect.map(Prometheus.prometheusText, (body) =>
          HttpServerResponse.text(body, { contentType: Prometheus.prometheusContentType, headers: { "cache-control": "no-store" } })
        )
      )
    ),

    HttpRouter.route(
      "GET",
      "/dashboard",
      guarded(
        Effect.succeed(
          HttpServerResponse.text(page.html, {
            contentType: "text/html; charset=utf-8",
            headers: {
              "content-security-policy": page.csp,
              "x-content-type-options": "nosniff",
              "referrer-policy": "no-referrer",
              "cache-control": "no-store"
            }
          })
        )
      )
    ),

    HttpRouter.route(
      "GET",
      "/dashboard/api/summary",
      guarded(
        answer(
          Effect.gen(function* () {
            const params = yield* query
            const caller = yield* opsCaller
            return json(yield* summary(params.get("window") ?? "10m", caller.admin ? undefined : (caller.owner ?? "")))
          })
        )
      )
    ),

    HttpRouter.route(
      "GET",
      "/dashboard/api/tasks",
      guarded(
        answer(
          Effect.gen(function* () {
            const params = yield* query
            const state = params.get("state") ?? ""
            const language = (params.get("language") ?? "").slice(0, 32)
            if (state !== "" && !isState(state)) return json({ _tag: "InvalidFilter", message: `unknown state "${state}"` }, 400)
            const limit = intParam(params.get("limit"), 50, 500)
            const offset = intParam(params.get("offset"), 0, 1_000_000)
            const caller = yield* opsCaller
            const tasks = yield* listTasks({
              ...(caller.admin ? {} : { owner: caller.owner ?? "" }),
              ...(state !== "" && isState(state) ? { state } : {}),
              ...(language !== "" ? { language } : {}),
              limit,
              offset
            })
            return json({ tasks, limit, offset })
          })
        )
      )
    ),

    HttpRouter.route(
      "GET",
      "/dashboard/api/tasks/:id",
      guarded(
        answer(
          Effect.gen(function* () {
            const { id = "" } = yield* HttpRouter.params
            if (!isTaskId(id)) return json({ _tag: "TaskNotFound", message: "no task has this id" }, 404)
            const caller = yield* opsCaller
            return json(yield* taskDetail(id, (task) => canSee(caller, task)))
          })
        )
      )
    ),

    // The API's event stream (http/eventStream.ts) for the page's EventSource, which can send the
    // page's Basic credentials but no API key header.
    HttpRouter.route(
      "GET",
      "/dashboard/api/tasks/:id/events",
      guarded(
        answer(
          Effect.gen(function* () {
            const { id = "" } = yield* HttpRouter.params
            if (!isTaskId(id)) return json({ _tag: "TaskNotFound", message: "no task has this id" }, 404)
            const store = yield* TaskStore
            const task = yield* store.get(id)
            if (!canSee(yield* opsCaller, task)) return json({ _tag: "TaskNotFound", message: "no task has this id" }, 404)
            const request = yield* HttpServerRequest.HttpServerRequest
            return eventStreamResponse({ store, events: yield* TaskEvents }, task, resumePointOf(request.headers["last-event-id"]))
          })
        )
      )
    ),

    // Files are sent as downloads, never rendered: they are whatever the user's program wrote.
    HttpRouter.route(
      "GET",
      "/dashboard/api/tasks/:id/files/:area/:name",
      guarded(
        answer(
          Effect.gen(function* () {
            const { id = "", area = "", name = "" } = yield* HttpRouter.params
            if (!isTaskId(id)) return json({ _tag: "TaskNotFound", message: "no task has this id" }, 404)
            const task = yield* TaskStore.use((s) => s.get(id))
            if (!canSee(yield* opsCaller, task)) return json({ _tag: "TaskNotFound", message: "no task has this id" }, 404)
            const known = area === "in" ? task.input_files : area === "out" ? (task.result?.output_files ?? []) : []
            if (!known.includes(name)) return json({ _tag: "OutputNotFound", message: `task has no ${area} file "${name}"` }, 404)
            const data = yield* FileStorage.use((s) => s.read(id, area as "in" | "out", name))
            return HttpServerResponse.uint8Array(data, {
              contentType: "application/octet-stream",
              headers: {
                "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
                "x-content-type-options": "nosniff",
                "cache-control": "no-store"
              }
            })
          })
        )
      )
    )
  ] as const
})

/** The paths above, all GET, so the request guard can answer 405 for another method. */
export const opsRoutePaths = [
  "/metrics",
  "/dashboard",
  "/dashboard/api/summary",
  "/dashboard/api/tasks",
  "/dashboard/api/tasks/:id",
  "/dashboard/api/tasks/:id/events",
  "/dashboard/api/tasks/:id/files/:area/:name"
] as const

/**
 * `/metrics` (Prometheus) and `/dashboard` with its JSON endpoints under `/dashboard/api/`, all
 * behind the API keys when the server has any. Add it next to the API routes; it needs the engine's
 * services (TaskStore, TaskQueue, FileStorage, Languages) and ServerConfig.
 */
export const OpsRoutes = (sampler: QueueSamplerSettings = QueueSampler.defaults) =>
  HttpRouter.addAll(routes).pipe(Layer.provide(QueueSampler.layer(sampler)))
