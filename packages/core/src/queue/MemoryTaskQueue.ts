import { Effect, Layer, Queue, Semaphore, Stream } from "effect"
import type { TaskId } from "../domain/Task.ts"
import { type Delivery, TaskQueue } from "../TaskQueue.ts"

interface Message {
  readonly taskId: TaskId
  readonly redelivered: boolean
}

/**
 * In-process TaskQueue with the broker's delivery semantics: at most `prefetch` unacked messages
 * per consumer, nack with requeue hands a message back, and a consumer that goes away returns its
 * unacked messages to the queue as redelivered.
 */
export const layer = Layer.effect(
  TaskQueue,
  Effect.gen(function* () {
    const ready = yield* Queue.unbounded<Message>()
    const requeue = (message: Message) => Queue.offer(ready, { taskId: message.taskId, redelivered: true })

    const consume = (prefetch: number) =>
      Stream.unwrap(
        Effect.gen(function* () {
          const permits = yield* Semaphore.make(prefetch)
          const unacked = new Set<Message>()
          yield* Effect.addFinalizer(() => Effect.forEach(unacked, requeue, { discard: true }))
          const next = Effect.gen(function* () {
            yield* Semaphore.take(permits, 1)
            const message = yield* Queue.take(ready)
            unacked.add(message)
            let settled = false
            const settle = (again: boolean) =>
              Effect.suspend(() => {
                if (settled) return Effect.void
                settled = true
                unacked.delete(message)
                return Effect.andThen(again ? requeue(message) : Effect.void, Semaphore.release(permits, 1))
              }).pipe(Effect.asVoid)
            const delivery: Delivery = {
              taskId: message.taskId,
              redelivered: message.redelivered,
              ack: settle(false),
              nack: settle
            }
            return delivery
          })
          return Stream.fromEffectRepeat(next)
        })
      )

    return TaskQueue.of({
      publish: (taskId) => Queue.offer(ready, { taskId, redelivered: false }).pipe(Effect.asVoid),
      consume,
      depth: Queue.size(ready)
    })
  })
)
