import { randomUUID } from "node:crypto"
import { Cause, Context, Effect, Exit, Layer, Schedule, Scope, Stream } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { TaskQueue } from "@codebox/core"
import * as AmqpTaskQueue from "./AmqpTaskQueue.ts"
import { readyMessages, scratchQueue, testAmqpUrl } from "@codebox/test-support"

/** A queue on a fresh broker queue, for the test's scope. */
const scratch = Effect.gen(function* () {
  const name = yield* scratchQueue(testAmqpUrl)
  const context = yield* Layer.build(AmqpTaskQueue.layer({ url: testAmqpUrl, queue: name }))
  return { name, queue: Context.get(context, TaskQueue) }
})

/** A consumer whose deliveries are pulled one at a time; it goes away when its scope closes. */
const consumer = (queue: TaskQueue["Service"], prefetch: number, scope: Scope.Scope) =>
  Effect.gen(function* () {
    const pull = yield* Stream.toPull(queue.consume(prefetch).pipe(Stream.rechunk(1))).pipe(Scope.provide(scope))
    return pull.pipe(
      Effect.map((chunk) => chunk[0]!),
      Effect.timeout("10 seconds")
    )
  })

describe("AmqpTaskQueue on RabbitMQ", () => {
  it.live("delivers published ids, at most prefetch unacked, and redelivers what is nacked or abandoned", () =>
    Effect.gen(function* () {
      const { queue } = yield* scratch
      const ids = Array.from({ length: 4 }, () => randomUUID())
      for (const id of ids) yield* queue.publish(id)

      const scope = yield* Scope.make()
      const next = yield* consumer(queue, 2, scope)
      const a = yield* next
      const b = yield* next
      expect([a.taskId, b.taskId]).toEqual(ids.slice(0, 2))
      expect(a.redelivered).toBe(false)
      // Two unacked: the broker holds the other two back for this consumer.
      expect(yield* queue.depth).toBe(2)

      yield* a.ack
      yield* b.nack(true)
      const seen = [yield* next, yield* next]
      const again = seen.find((d) => d.taskId === b.taskId)!
      expect(again.redelivered).toBe(true)
      expect(seen.map((d) => d.taskId)).toContain(ids[2])

      // The consumer goes away with two unacked: another one gets them, flagged as redelivered.
      yield* Scope.close(scope, Exit.void)
      const other = yield* consumer(queue, 4, yield* Effect.scope)
      const rest = [yield* other, yield* other, yield* other]
      expect(rest.map((d) => d.taskId).sort()).toEqual([b.taskId, ids[2], ids[3]].sort())
      expect(rest.filter((d) => d.taskId !== ids[3]).every((d) => d.redelivered)).toBe(true)
      for (const d of rest) yield* d.ack
      expect(yield* queue.depth).toBe(0)
    })
  )

  it.live("dead-letters a message nacked without requeue", () =>
    Effect.gen(function* () {
      const { name, queue } = yield* scratch
      const id = randomUUID()
      yield* queue.publish(id)
      const next = yield* consumer(queue, 1, yield* Effect.scope)
      yield* (yield* next).nack(false)
      expect(yield* eventuallyCount(name)).toBe(1)
      expect(yield* queue.depth).toBe(0)
    })
  )

  it.live("fails start-up with a clear error naming the broker, without its password", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.scoped(Layer.build(AmqpTaskQueue.layer({ url: "amqp://guest:secret@127.0.0.1:1", connectTimeout: 0 })))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      expect(String((error as Error).message)).toMatch(/^cannot reach RabbitMQ at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1/)
      expect(String((error as Error).message)).not.toContain("secret")
    })
  )
})

/** The dead-letter queue's count, once the broker has moved the message there. */
const eventuallyCount = (name: string) =>
  readyMessages(testAmqpUrl, `${name}.dead`).pipe(
    Effect.flatMap((n) => (n > 0 ? Effect.succeed(n) : Effect.fail("empty" as const))),
    Effect.retry({ times: 50, schedule: Schedule.spaced("100 millis") }),
    Effect.orElseSucceed(() => 0)
  )
