import { type Engine, type Task, TaskNotFound } from "@codebox/core"
import { Effect } from "effect"
import { HttpServerRequest } from "effect/http"
import type { ServerSettings } from "../config.ts"
import { keyMatches, tenantOf } from "./keys.ts"

/**
 * Who is asking. With keys on, a task belongs to the key that created it and only that key (or an
 * admin key, CODEBOX_ADMIN_KEYS) sees it; with keys off everyone sees everything, as before.
 */
export interface Caller {
  /** The tenant new tasks are recorded under; undefined with keys off. */
  readonly owner: string | undefined
  readonly admin: boolean
}

export const keysOn = (settings: ServerSettings) => settings.apiKeys.length + settings.adminKeys.length > 0

/** The caller for a key the auth middleware has already accepted. */
export const callerFor = (settings: ServerSettings, key: string | undefined): Caller => {
  if (!keysOn(settings) || key === undefined) return { owner: undefined, admin: !keysOn(settings) }
  return { owner: tenantOf(key), admin: keyMatches(settings.adminKeys, key) }
}

/** The key a request carries: `X-API-Key`, else `Authorization: Bearer <key>`. */
export const presentedKey = (headers: Readonly<Record<string, string | undefined>>): string | undefined => {
  const header = headers["x-api-key"]?.trim()
  if (header !== undefined && header.length > 0) return header
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "")
  return bearer?.[1]
}

/** The caller of the current API request. */
export const currentCaller = (settings: ServerSettings) =>
  Effect.map(Effect.service(HttpServerRequest.HttpServerRequest), (request) => callerFor(settings, presentedKey(request.headers)))

/** What the engine records with a new task. */
export const ownerOf = (caller: Caller): { readonly owner?: string } => (caller.owner === undefined ? {} : { owner: caller.owner })

export const canSee = (caller: Caller, task: Task): boolean => caller.admin || (caller.owner !== undefined && task.owner === caller.owner)

/**
 * The task when the caller may see it. Another tenant's task answers exactly like a task that does
 * not exist, so ids cannot be probed across tenants.
 */
export const visibleTask = (engine: Engine["Service"], caller: Caller, id: string) =>
  Effect.flatMap(engine.result(id), (task) =>
    canSee(caller, task) ? Effect.succeed(task) : Effect.fail(new TaskNotFound({ task_id: id, message: "TaskResult does not exist" }))
  )
