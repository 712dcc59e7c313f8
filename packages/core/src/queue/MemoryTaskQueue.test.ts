import { Effect, Fiber, Queue, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { type Delivery, TaskQueue } from "../TaskQueue.ts"
import * as MemoryTaskQueue from "./MemoryTaskQueue.ts"

const run = <A, E>(body: Effect.Effect<A, E, TaskQueue>) =>
  Effect.runPromise(Effect.scoped(body).pipe(Effect.provide(MemoryTaskQueue.layer)))

/** Starts consuming into a queue the test reads from, so it controls acks. */
const consumeInto = (prefetch: number) =>
  Effect.gen(function* () {
    const queue = yield* TaskQueue
    const received = yield* Queue.unbounded<Delivery>()
    const fiber = yield* Effect.forkChild(queue.consume(prefetch).pipe(Stream.runForEach((d) => Queue.offer(received, d))))
    return { received, fiber }
  })

describe("MemoryTaskQueue", () => {
  it("delivers at most `prefetch` unacked messages", () =>
    run(
      Effect.gen(function* () {
        const queue = yield* TaskQueue
        for (const id of ["a", "b", "c"]) yield* queue.publish(id)
        const { received } = yield* consumeInto(2)
        const first = yield* Queue.take(received)
        yield* Queue.take(received)
        yield* Effect.sleep("20 millis")
        expect(yield* Queue.size(received)).toBe(0)
        yield* first.ack
        expect((yield* Queue.take(received)).taskId).toBe("c")
      })
    ))

  it("hands a nacked message back as redelivered", () =>
    run(
      Effect.gen(function* () {
        const queue = yield* TaskQueue
        yield* queue.publish("a")
        const { received } = yield* consumeInto(1)
        const first = yield* Queue.take(received)
        expect(first.redelivered).toBe(false)
        yield* first.nack(true)
        const again = yield* Queue.take(received)
        expect([again.taskId, again.redelivered]).toEqual(["a", true])
      })
    ))

  it("requeues what a consumer held when it goes away", () =>
    run(
      Effect.gen(function* () {
        const queue = yield* TaskQueue
        yield* queue.publish("a")
        const { received, fiber } = yield* consumeInto(1)
        yield* Queue.take(received)
        yield* Fiber.interrupt(fiber)
        expect(yield* queue.depth).toBe(1)
        const next = yield* consumeInto(1)
        const again = yield* Queue.take(next.received)
        expect([again.taskId, again.redelivered]).toEqual(["a", true])
      })
    ))
})
