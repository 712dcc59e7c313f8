import * as crypto from "node:crypto"
import * as os from "node:os"
import { CallbackOutbox, type DueCallback, TaskStore } from "@codebox/core"
import { Clock, Effect, Layer, Redacted, Schedule } from "effect"
import type { ServerSettings } from "../config.ts"
import { finishedView } from "../http/present.ts"
import { allowListOf, type Lookup } from "./callbackAddress.ts"
import { postCallback } from "./post.ts"
import { sign, signatureHeader } from "./signature.ts"

export interface CallbackDeliveryOptions {
  /** How often the outbox is asked for due callbacks. */
  readonly pollMs?: number
  /** How long a taken callback is this process's alone; longer than one attempt (10 s) by far. */
  readonly leaseMs?: number
  readonly timeoutMs?: number
  readonly lookup?: Lookup
}

/** The wait before try `tries + 1` after `tries` failed ones, or null when no try is left. */
export const nextDelayMs = (retrySeconds: ReadonlyArray<number>, tries: number): number | null => {
  const seconds = retrySeconds[tries - 1]
  return seconds === undefined ? null : seconds * 1000
}

/**
 * Delivers result callbacks in the background of a server: every `pollMs` it takes the due ones
 * from the outbox (leased, so replicas on one store never both send one) and POSTs each task's
 * final body, signed; a failure is retried after the next wait of CODEBOX_CALLBACK_RETRY_SECONDS.
 * A server killed mid-attempt leaves the row leased; the lease runs out and another try follows.
 */
export const layer = (settings: ServerSettings, options: CallbackDeliveryOptions = {}) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const secret = settings.callbackSecret
      if (secret === null) return
      const outbox = yield* CallbackOutbox
      const store = yield* TaskStore
      const allow = allowListOf(settings.callbackAllow)
      const owner = `${os.hostname()}:${process.pid}:${crypto.randomUUID()}`
      const leaseMs = options.leaseMs ?? 60_000
      const timeoutMs = options.timeoutMs ?? 10_000

      const deliver = Effect.fn("CallbackDelivery.deliver")(function* (due: DueCallback) {
        const task = yield* store.get(due.task_id)
        const body = JSON.stringify(finishedView(task))
        const now = yield* Clock.currentTimeMillis
        const signature = sign(Redacted.value(secret), Math.floor(now / 1000), body)
        const outcome = yield* Effect.promise(() =>
          postCallback(due.url, body, {
            allow,
            timeoutMs,
            headers: { [signatureHeader]: signature, "user-agent": "CodeBox-Callback/1" },
            ...(options.lookup !== undefined ? { lookup: options.lookup } : {})
          })
        )
        const delivered = "status" in outcome && outcome.status >= 200 && outcome.status < 300
        const tries = due.tries + 1
        const delay = delivered ? null : nextDelayMs(settings.callbackRetrySeconds, tries)
        const after = yield* Clock.currentTimeMillis
        yield* outbox.record(due.task_id, owner, {
          delivered,
          status: "status" in outcome ? outcome.status : null,
          error: "error" in outcome ? outcome.error : delivered ? null : `answered ${outcome.status}`,
          next_at: delay === null ? null : after + delay
        })
        if (!delivered) {
          yield* Effect.logWarning(
            `callback for task ${due.task_id} failed (try ${tries}): ${"error" in outcome ? outcome.error : `status ${outcome.status}`}` +
              (delay === null ? "; giving up" : `; next try in ${delay / 1000} s`)
          )
        }
      })

      const round = Effect.gen(function* () {
        const due = yield* outbox.takeDue({ now: yield* Clock.currentTimeMillis, limit: 16, leaseMs, owner })
        yield* Effect.forEach(due, (callback) => deliver(callback).pipe(Effect.catchCause(Effect.logError)), {
          concurrency: 4,
          discard: true
        })
      }).pipe(Effect.catchCause((cause) => Effect.logError("callback delivery round failed", cause)))

      yield* Effect.forkScoped(round.pipe(Effect.repeat(Schedule.spaced(options.pollMs ?? 1000))))
    })
  )
