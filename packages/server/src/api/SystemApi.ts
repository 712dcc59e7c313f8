import { StoreError } from "@codebox/core"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { ApiKeyAuth } from "./ApiKeyAuth.ts"
import { guardErrors, InternalError, NotReady, PayloadTooLarge, ValidationError } from "./errors.ts"
import { LanguageList, Liveness, Readiness } from "./wire.ts"

export class LanguagesApi extends HttpApiGroup.make("languages")
  .add(
    HttpApiEndpoint.get("list", "/languages", {
      success: LanguageList,
      error: [StoreError, ...guardErrors]
    }).annotateMerge(
      OpenApi.annotations({
        summary: "Languages: ids, aliases, versions, default and maximum limits"
      })
    )
  )
  .middleware(ApiKeyAuth) {}

/** Probes: never behind API keys or the rate limit, so orchestrators can always ask. */
export class HealthApi extends HttpApiGroup.make("health").add(
  HttpApiEndpoint.get("live", "/health", { success: Liveness, error: [PayloadTooLarge, ValidationError, InternalError] }).annotateMerge(
    OpenApi.annotations({ summary: "Liveness: the process answers" })
  ),
  HttpApiEndpoint.get("ready", "/health/ready", {
    success: Readiness,
    error: [NotReady, PayloadTooLarge, ValidationError, InternalError]
  }).annotateMerge(
    OpenApi.annotations({
      summary: "Readiness: store, queue, storage and sandbox; 503 naming what is down"
    })
  )
) {}
