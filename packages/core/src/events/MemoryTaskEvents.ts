import { Effect, Layer, Queue } from "effect"
import { isFinal } from "../domain/Task.ts"
import { type TaskEvent, TaskEvents } from "../TaskEvents.ts"

export interface MemoryTaskEventsOptions {
  /** Bytes kept per stream of each running task, for readers that connect late (the output cap). */
  readonly maxBytesPerStream?: number
  /** Running tasks whose output is kept at once; the oldest is forgotten past it. */
  readonly maxTasks?: number
  /** Bytes kept over all tasks; past it, chunks still go to subscribers but are not kept. */
  readonly maxTotalBytes?: number
}

interface Held {
  readonly events: Array<TaskEvent>
  readonly subscribers: Set<Queue.Queue<TaskEvent>>
  bytes: number
}

/**
 * The events of this process: published events go to its subscribers at once and are kept per
 * running task (bounded) for subscribers that come later. A task's buffer is dropped when it ends:
 * from then on the store holds its result, output included.
 */
export const make = (options: MemoryTaskEventsOptions = {}): TaskEvents["Service"] => {
  const maxBytes = options.maxBytesPerStream ?? 16 * 1024 * 1024
  const maxTasks = options.maxTasks ?? 1024
  const maxTotal = options.maxTotalBytes ?? 256 * 1024 * 1024
  const held = new Map<string, Held>()
  let total = 0

  /** Drops what a task holds (not its subscribers). */
  const clear = (h: Held) => {
    h.events.length = 0
    total -= h.bytes
    h.bytes = 0
  }
  const forget = (taskId: string, h: Held) => {
    clear(h)
    held.delete(taskId)
  }

  const holderOf = (taskId: string): Held => {
    let h = held.get(taskId)
    if (h === undefined) {
      h = { events: [], subscribers: new Set(), bytes: 0 }
      held.set(taskId, h)
      if (held.size > maxTasks) {
        // Forget the oldest task nobody is reading (a worker that died never sent its final state).
        for (const [id, other] of held) {
          if (other.subscribers.size === 0 && id !== taskId) {
            forget(id, other)
            break
          }
        }
      }
    }
    return h
  }

  const publish = (event: TaskEvent) =>
    Effect.sync(() => {
      const h = holderOf(event.task_id)
      for (const q of h.subscribers) Queue.offerUnsafe(q, event)
      if (event._tag === "State") {
        // A new attempt starts its output again from offset 0.
        if (event.state === "STARTED") clear(h)
        if (isFinal(event.state)) {
          if (h.subscribers.size === 0) forget(event.task_id, h)
          else clear(h)
          return
        }
        h.events.push(event)
      } else if (event.offset < maxBytes && total + event.data.length <= maxTotal) {
        const room = maxBytes - event.offset
        const kept = event.data.length <= room ? event : { ...event, data: event.data.subarray(0, room) }
        h.events.push(kept)
        h.bytes += kept.data.length
        total += kept.data.length
      }
    })

  const subscribe = (taskId: string) =>
    Effect.acquireRelease(
      Effect.flatMap(Queue.unbounded<TaskEvent>(), (q) =>
        Effect.sync(() => {
          const h = holderOf(taskId)
          for (const event of h.events) Queue.offerUnsafe(q, event)
          h.subscribers.add(q)
          return q
        })
      ),
      (q) =>
        Effect.sync(() => {
          const h = held.get(taskId)
          if (h === undefined) return
          h.subscribers.delete(q)
          if (h.subscribers.size === 0 && h.events.length === 0) forget(taskId, h)
        })
    ).pipe(Effect.map((q): Queue.Dequeue<TaskEvent> => q))

  return TaskEvents.of({ publish, subscribe })
}

export const layer = (options: MemoryTaskEventsOptions = {}) => Layer.sync(TaskEvents, () => make(options))
