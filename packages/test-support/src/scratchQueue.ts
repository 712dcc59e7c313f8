import { randomBytes } from "node:crypto"
import * as amqp from "amqplib"
import { Effect } from "effect"
import { useServices } from "./serviceLock.ts"

/** The RabbitMQ broker tests and benchmarks use (CI: local, guest/guest). */
export const testAmqpUrl = process.env.CODEBOX_TEST_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672"

/**
 * A queue name of its own for a test or benchmark run (so parallel runs do not collide); the queue
 * and its dead-letter queue are deleted on release.
 */
export const scratchQueue = (url: string) =>
  Effect.andThen(
    useServices,
    Effect.acquireRelease(
      Effect.sync(() => `codebox.test.${randomBytes(6).toString("hex")}`),
      (name) =>
        Effect.promise(async () => {
          const model = await amqp.connect(url)
          model.on("error", () => {})
          const channel = await model.createChannel()
          channel.on("error", () => {})
          await channel.deleteQueue(name).catch(() => {})
          await channel.deleteQueue(`${name}.dead`).catch(() => {})
          await model.close().catch(() => {})
        }).pipe(Effect.ignore)
    )
  )

/** Messages ready in a queue, read straight from the broker (for tests of dead-lettering). */
export const readyMessages = (url: string, queue: string) =>
  Effect.promise(async () => {
    const model = await amqp.connect(url)
    try {
      const channel = await model.createChannel()
      return (await channel.checkQueue(queue)).messageCount
    } finally {
      await model.close().catch(() => {})
    }
  })
