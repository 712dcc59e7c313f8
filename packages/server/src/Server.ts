import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import {
  type Engine,
  type FileStorage,
  Languages,
  OutputZips,
  type Sandbox,
  type TaskEvents,
  type TaskQueue,
  type TaskStore
} from "@codebox/core"
import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { HttpApiBuilder, HttpApiMiddleware, HttpApiScalar } from "effect/http-api"
import { type ApiLanguage, makeApi } from "./api/Api.ts"
import { ServerConfig, type ServerSettings } from "./config.ts"
import { ApiKeyAuthLive } from "./http/ApiKeyAuthLive.ts"
import { BatchHandlers } from "./http/BatchHandlers.ts"
import { FileTasksHandlers } from "./http/FileTasksHandlers.ts"
import { RateLimiter } from "./http/RateLimiter.ts"
import type { KnownRoute } from "./http/errorBodies.ts"
import { requestGuard } from "./http/RequestGuard.ts"
import { HealthHandlers, LanguagesHandlers } from "./http/SystemHandlers.ts"
import { TasksHandlers } from "./http/TasksHandlers.ts"
import { archiverZip } from "./http/zipEncoder.ts"
import { OpsRoutes, opsRoutePaths } from "./ops/OpsRoutes.ts"
import { requestFieldNames } from "./api/wire.ts"

/** What the handlers need from the engine layer (CodeBox.layer provides all of it). */
export type EngineServices = Engine | Languages | TaskStore | TaskQueue | TaskEvents | FileStorage | Sandbox

export const apiFor = (settings: ServerSettings, languages: ReadonlyArray<ApiLanguage> = []) =>
  makeApi(
    { maxFileSize: settings.maxUploadFileBytes, maxTotalSize: settings.maxUploadTotalBytes, maxWaitSeconds: settings.maxWaitSeconds },
    languages
  )

/** Every handler group of the API, still needing the engine's services and ServerConfig. */
export const handlersFor = (api: ReturnType<typeof apiFor>) =>
  Layer.mergeAll(
    TasksHandlers(api),
    FileTasksHandlers(api).pipe(Layer.provide(OutputZips.layer(archiverZip))),
    BatchHandlers(api),
    LanguagesHandlers(api),
    HealthHandlers(api)
  ).pipe(Layer.provideMerge(ApiKeyAuthLive), Layer.provideMerge(HttpApiMiddleware.layerProblemDetails({ includeDetails: true })))

/** Every route of the API, the documents and the operations pages, as method and path. */
export const knownRoutes = (api: ReturnType<typeof apiFor>): ReadonlyArray<KnownRoute> => [
  ...Object.values(api.groups).flatMap((group) =>
    Object.values(group.endpoints).map((endpoint) => ({ method: endpoint.method, path: endpoint.path }))
  ),
  { method: "GET", path: "/api/openapi.json" },
  { method: "GET", path: "/api/docs" },
  ...opsRoutePaths.map((path) => ({ method: "GET", path }))
]

/**
 * The routes: the API, its OpenAPI document and docs page, and the request guard before them all.
 * The API is made for the languages the engine was assembled with, so its document names them.
 */
export const routesFor = (settings: ServerSettings) =>
  Layer.unwrap(
    Effect.map(Languages, (languages) => {
      const api = apiFor(settings, languages.all)
      return Layer.mergeAll(
        HttpApiBuilder.layer(api, { openapiPath: "/api/openapi.json" }).pipe(Layer.provide(handlersFor(api))),
        HttpApiScalar.layer(api, { path: "/api/docs" }),
        OpsRoutes(),
        requestGuard({ routes: knownRoutes(api), knownNames: requestFieldNames })
      ).pipe(Layer.provide(RateLimiter.layer))
    })
  )

/**
 * The HTTP server on the given engine. The engine is built outside the server's own layers, so
 * the worker, the store and the handlers share one instance. The server itself is in the output,
 * so callers can read the address it listens on (port 0 picks a free one).
 */
export const ServerLive = <E, R>(
  engine: Layer.Layer<EngineServices, E, R>,
  settings: ServerSettings,
  options: { readonly logRequests?: boolean } = {}
) =>
  HttpRouter.serve(routesFor(settings), {
    disableLogger: options.logRequests === false,
    disableListenLog: options.logRequests === false
  }).pipe(
    Layer.provide(engine),
    Layer.provide(Layer.succeed(ServerConfig, settings)),
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: settings.port, host: settings.host }))
  )
