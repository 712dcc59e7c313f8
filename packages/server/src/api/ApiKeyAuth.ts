import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import { Forbidden, Unauthorized } from "./errors.ts"

/**
 * API keys, when the server has any (CODEBOX_API_KEYS): sent as `X-API-Key` or as
 * `Authorization: Bearer <key>`. A missing key is 401, an unknown one 403. Both ways are declared,
 * so the OpenAPI document lists them as alternatives.
 */
export class ApiKeyAuth extends HttpApiMiddleware.Service<ApiKeyAuth>()("@codebox/server/ApiKeyAuth", {
  security: {
    apiKey: HttpApiSecurity.apiKey({ key: "X-API-Key", in: "header" }),
    bearer: HttpApiSecurity.bearer
  },
  error: [Unauthorized, Forbidden]
}) {}
