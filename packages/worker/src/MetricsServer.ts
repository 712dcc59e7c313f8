import { createServer } from "node:http"
import { Prometheus } from "@codebox/core"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

/**
 * The worker's own `/metrics`. Verdicts, durations and finished counts are recorded in the process
 * that runs a task, so in distributed mode each worker is a Prometheus target of its own (the
 * server's `/metrics` has the same shared gauges: tasks by state, queue depth, workers).
 */
export const layer = (options: { readonly port: number; readonly host: string }) =>
  HttpRouter.serve(
    HttpRouter.addAll([
      HttpRouter.route(
        "GET",
        "/metrics",
        Effect.map(Prometheus.prometheusText, (body) =>
          HttpServerResponse.text(body, { contentType: Prometheus.prometheusContentType, headers: { "cache-control": "no-store" } })
        )
      )
    ]),
    { disableLogger: true }
  ).pipe(Layer.provide(NodeHttpServer.layer(createServer, { port: options.port, host: options.host })))
