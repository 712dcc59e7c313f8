import { randomUUID } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { type Delivery, TaskQueue } from "@codebox/core"
import { Context, Effect, Exit, Layer, Scope, Stream } from "effect"

/** A consumer whose deliveries are pulled one at a time; it goes away when `scope` closes. */
const consumer = (queue: TaskQueue["Service"], prefetch: number, scope: Scope.Scope) =>
  Effect.gen(function* () {
    const pull = yield* Stream.toPull(queue.consume(prefetch).pipe(Stream.rechunk(1))).pipe(Scope.provide(scope))
    return pull.pipe(
      Effect.map((chunk): Delivery => chunk[0]!),
      Effect.timeout("10 seconds")
    )
  })

/**
 * The behaviour every TaskQueue adapter must have, run against a fresh queue per test (`layer`
 * is built once per test and must start empty). CodeBox's in-memory and RabbitMQ queues pass it;
 * call it at the top level of a vitest file to test your own.
 */
export const taskQueueContract = (name: string, layer: () => Layer.Layer<TaskQueue, unknown>) =>
  describe(`TaskQueue ${name}: contract`, () => {
    const withQueue = <A, E>(body: (queue: TaskQueue["Service"]) => Effect.Effect<A, E, Scope.Scope>) =>
      Effect.gen(function* () {
        const context = yield* Layer.build(layer())
        return yield* body(Context.get(context, TaskQueue))
      }).pipe(Effect.scoped)

    it.live("delivers what was published, in order, at most `prefetch` unacknowledged at once", () =>
      withQueue((queue) =>
        Effect.gen(function* () {
          const ids = Array.from({ length: 3 }, () => randomUUID())
          for (const id of ids) yield* queue.publish(id)
          const next = yield* consumer(queue, 2, yield* Effect.scope)
          const first = yield* next
          const second = yield* next
          expect([first.taskId, second.taskId]).toEqual(ids.slice(0, 2))
          expect(first.redelivered).toBe(false)
          // Two unacknowledged: the third waits until one is acknowledged.
          const early = yield* next.pipe(Effect.timeout("300 millis"), Effect.option)
          expect(early._tag).toBe("None")
          yield* first.ack
          expect((yield* next).taskId).toBe(ids[2])
        })
      )
    )

    it.live("hands a message nacked with requeue back, flagged as redelivered", () =>
      withQueue((queue) =>
        Effect.gen(function* () {
          const id = randomUUID()
          yield* queue.publish(id)
          const next = yield* consumer(queue, 1, yield* Effect.scope)
          yield* (yield* next).nack(true)
          const again = yield* next
          expect([again.taskId, again.redelivered]).toEqual([id, true])
          yield* again.ack
        })
      )
    )

    it.live("gives what a consumer held when it went away to the next one, as redelivered; acked is gone", () =>
      withQueue((queue) =>
        Effect.gen(function* () {
          const [held, done] = [randomUUID(), randomUUID()]
          yield* queue.publish(done)
          yield* queue.publish(held)
          const scope = yield* Scope.make()
          const next = yield* consumer(queue, 2, scope)
          yield* (yield* next).ack
          expect((yield* next).taskId).toBe(held)
          yield* Scope.close(scope, Exit.void)
          const other = yield* consumer(queue, 2, yield* Effect.scope)
          const again = yield* other
          expect([again.taskId, again.redelivered]).toEqual([held, true])
          yield* again.ack
          expect(yield* other.pipe(Effect.timeout("300 millis"), Effect.option)).toEqual(expect.objectContaining({ _tag: "None" }))
        })
      )
    )

    it.live("reports its depth: messages published and not yet delivered", () =>
      withQueue((queue) =>
        Effect.gen(function* () {
          expect(yield* queue.depth).toBe(0)
          yield* queue.publish(randomUUID())
          yield* queue.publish(randomUUID())
          yield* Effect.sleep("100 millis")
          expect(yield* queue.depth).toBe(2)
        })
      )
    )
  })
