import { Effect, Layer, Option } from "effect"
import { isFinal, type TaskId } from "../domain/Task.ts"
import { CallbackOutbox, type CallbackStatus } from "../CallbackOutbox.ts"
import { TaskStore } from "../TaskStore.ts"

interface Row {
  status: CallbackStatus
  nextAt: number
  leaseOwner: string | null
  leaseUntil: number
}

/**
 * CallbackOutbox in process memory, beside the memory TaskStore (tests, embedders without a
 * database): whether a task is final is asked of the TaskStore, as the SQL outbox joins the tasks.
 */
export const layer = Layer.effect(
  CallbackOutbox,
  Effect.gen(function* () {
    const store = yield* TaskStore
    const rows = new Map<TaskId, Row>()

    return CallbackOutbox.of({
      register: (id, url) =>
        Effect.sync(() => {
          if (rows.has(id)) return
          rows.set(id, {
            status: { url, state: "pending", tries: 0, last_status: null, last_error: null },
            nextAt: 0,
            leaseOwner: null,
            leaseUntil: 0
          })
        }),
      takeDue: ({ now, limit, leaseMs, owner }) =>
        Effect.gen(function* () {
          const due: Array<{ task_id: TaskId; url: string; tries: number }> = []
          for (const [id, row] of rows) {
            if (due.length >= limit) break
            if (row.status.state !== "pending" || row.nextAt > now || row.leaseUntil > now) continue
            const task = yield* store.get(id).pipe(Effect.option)
            if (Option.isNone(task) || !isFinal(task.value.state)) continue
            row.leaseOwner = owner
            row.leaseUntil = now + leaseMs
            due.push({ task_id: id, url: row.status.url, tries: row.status.tries })
          }
          return due
        }),
      record: (id, owner, attempt) =>
        Effect.sync(() => {
          const row = rows.get(id)
          if (row === undefined || row.leaseOwner !== owner) return
          row.status = {
            ...row.status,
            state: attempt.delivered ? "delivered" : attempt.next_at === null ? "failed" : "pending",
            tries: row.status.tries + 1,
            last_status: attempt.status,
            last_error: attempt.error
          }
          row.nextAt = attempt.next_at ?? 0
          row.leaseOwner = null
          row.leaseUntil = 0
        }),
      get: (id) => Effect.sync(() => Option.fromNullishOr(rows.get(id)?.status))
    })
  })
)
