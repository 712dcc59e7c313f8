import { CallbackOutbox, InvalidTask, type StoreError, type Task } from "@codebox/core"
import { Effect, Option } from "effect"
import type { TaskFinished, TaskInProgress } from "../api/wire.ts"
import { allowListOf, checkCallbackUrl, resolveCallbackHost } from "../callbacks/callbackAddress.ts"
import type { ServerSettings } from "../config.ts"

const refuse = (message: string) => new InvalidTask({ field: "callback_url", message: `callback_url ${message}` })

/**
 * A create request's `callback_url`, checked before the task is accepted: signing on, an http(s)
 * URL, and a host that is not and does not resolve to an internal address. Delivery checks again.
 */
export const checkCallbackRequest = Effect.fn("Server.checkCallback")(function* (settings: ServerSettings, raw: string | null | undefined) {
  if (raw == null) return undefined
  const outbox = yield* Effect.serviceOption(CallbackOutbox)
  if (settings.callbackSecret === null || Option.isNone(outbox)) {
    return yield* refuse("is not accepted: this server has no CODEBOX_CALLBACK_SECRET to sign callbacks with")
  }
  const allow = allowListOf(settings.callbackAllow)
  const checked = checkCallbackUrl(raw.trim(), allow)
  if ("refused" in checked) return yield* refuse(checked.refused)
  // A resolver that does not answer must not hold the request: a name unresolved in 5 s is refused.
  const resolved = yield* Effect.promise(() => resolveCallbackHost(checked.url, allow)).pipe(
    Effect.timeoutOption("5 seconds"),
    Effect.map(Option.getOrElse(() => ({ refused: `${checked.url.hostname} did not resolve within 5 s` })))
  )
  if ("refused" in resolved) return yield* refuse(resolved.refused)
  return checked.url.href
})

/**
 * Records an accepted task's callback. It follows the submit (the outbox row references the task);
 * a task that ends before this is no matter, since a row is due whenever its task is final.
 */
export const registerCallback = (task: Task, url: string | undefined): Effect.Effect<void, StoreError> =>
  url === undefined
    ? Effect.void
    : Effect.flatMap(Effect.serviceOption(CallbackOutbox), (outbox) =>
        Option.isSome(outbox) ? outbox.value.register(task.task_id, url) : Effect.void
      )

/** A finished task's body with how its callback went, when it has one. */
export const withCallback = <V extends TaskFinished | TaskInProgress>(view: V, task: Task): Effect.Effect<V, StoreError> =>
  !("result" in view)
    ? Effect.succeed(view)
    : Effect.flatMap(Effect.serviceOption(CallbackOutbox), (outbox) =>
        Option.isNone(outbox)
          ? Effect.succeed(view)
          : Effect.map(outbox.value.get(task.task_id), (status) => (Option.isSome(status) ? { ...view, callback: status.value } : view))
      )
