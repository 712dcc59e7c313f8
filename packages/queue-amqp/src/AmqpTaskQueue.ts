import * as amqp from "amqplib"
import { Deferred, Duration, Effect, Layer, Queue, Schedule, Stream } from "effect"
import { redactUrl, QueueError, type Delivery, TaskQueue } from "@codebox/core"

export interface AmqpTaskQueueOptions {
  /** `amqp://user:pass@host:5672/vhost`. */
  readonly url: string
  /** Durable queue of task ids (default `codebox.tasks`); dead letters go to `<queue>.dead`. */
  readonly queue?: string | undefined
  /** How long start-up keeps trying to reach the broker before it fails (default 5 s). */
  readonly connectTimeout?: Duration.Input | undefined
  /** How long a publish waits for a connection and the broker's confirm (default 10 s). */
  readonly publishTimeout?: Duration.Input | undefined
}

interface Link {
  readonly model: amqp.ChannelModel
  readonly publisher: amqp.ConfirmChannel
  /** Resolved when the connection is gone, for whatever reason. */
  readonly closed: Deferred.Deferred<void>
}

const describe = (cause: unknown) => (cause instanceof Error ? cause.message || cause.name : String(cause))

/** Reconnecting: quickly at first, then every 5 s at most, for as long as it takes. */
const backoff = Schedule.min([Schedule.exponential("100 millis"), Schedule.spaced("5 seconds")])

/**
 * TaskQueue over RabbitMQ. The queue is durable and messages persistent, published with
 * confirms; consumers ack manually (the worker acks only after the result is stored) with a
 * prefetch equal to their concurrency. After a broker restart the connection is re-established
 * with backoff and consumers resume; what was unacked is redelivered by the broker and flagged so.
 * A message nacked without requeue is dead-lettered to `<queue>.dead`.
 */
export const make = (options: AmqpTaskQueueOptions) =>
  Effect.gen(function* () {
    const queueName = options.queue ?? "codebox.tasks"
    const deadName = `${queueName}.dead`
    const where = redactUrl(options.url)
    const connectTimeout = Duration.fromInputUnsafe(options.connectTimeout ?? "5 seconds")

    const open = Effect.tryPromise({
      try: async (): Promise<Link> => {
        const model = await amqp.connect(options.url)
        const closed = Deferred.makeUnsafe<void>()
        model.on("close", () => Deferred.doneUnsafe(closed, Effect.void))
        model.on("error", () => {}) // always followed by "close", which is what we act on
        try {
          const publisher = await model.createConfirmChannel()
          publisher.on("error", () => {})
          publisher.on("close", () => void model.close().catch(() => {}))
          await publisher.assertQueue(deadName, { durable: true })
          await publisher.assertQueue(queueName, {
            durable: true,
            arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": deadName }
          })
          return { model, publisher, closed }
        } catch (e) {
          await model.close().catch(() => {})
          throw e
        }
      },
      catch: (cause) => new QueueError({ message: `cannot reach RabbitMQ at ${where}: ${describe(cause)}`, cause })
    })

    const first = yield* open.pipe(
      Effect.retry({ schedule: Schedule.spaced("250 millis"), times: Math.max(0, Math.floor(Duration.toMillis(connectTimeout) / 250)) })
    )
    let current = first
    let ready = Deferred.makeUnsafe<Link>()
    Deferred.doneUnsafe(ready, Effect.succeed(first))
    const link = Effect.suspend(() => Deferred.await(ready))

    // Added before the supervisor is forked, so it runs after the supervisor is interrupted.
    yield* Effect.addFinalizer(() => Effect.promise(() => current.model.close().catch(() => {})))
    yield* Effect.gen(function* () {
      while (true) {
        yield* Deferred.await(current.closed)
        ready = Deferred.makeUnsafe<Link>()
        yield* Effect.logWarning(`RabbitMQ connection to ${where} lost; reconnecting`)
        current = yield* open.pipe(Effect.retry(backoff))
        Deferred.doneUnsafe(ready, Effect.succeed(current))
        yield* Effect.logInfo(`RabbitMQ connection to ${where} restored`)
      }
    }).pipe(Effect.forkScoped)

    const publishOnce = (taskId: string) =>
      Effect.flatMap(link, ({ publisher }) =>
        Effect.callback<void, QueueError>((resume) => {
          try {
            publisher.sendToQueue(
              queueName,
              Buffer.from(taskId, "utf8"),
              { persistent: true, messageId: taskId, contentType: "text/plain" },
              (err) =>
                resume(
                  err == null
                    ? Effect.void
                    : Effect.fail(new QueueError({ message: `RabbitMQ refused task ${taskId}: ${describe(err)}`, cause: err }))
                )
            )
          } catch (cause) {
            resume(Effect.fail(new QueueError({ message: `cannot publish task ${taskId}: ${describe(cause)}`, cause })))
          }
        })
      )

    const publishTimeout = options.publishTimeout ?? "10 seconds"
    const publish = Effect.fn("AmqpTaskQueue.publish")(function* (taskId: string) {
      // A connection lost before the confirm: publish again on the next one. A duplicate is
      // harmless (claims are atomic); a lost message is not.
      yield* publishOnce(taskId).pipe(
        Effect.retry({ schedule: Schedule.spaced("200 millis") }),
        Effect.timeoutOrElse({
          duration: publishTimeout,
          orElse: () =>
            Effect.fail(
              new QueueError({
                message: `RabbitMQ at ${where} did not take task ${taskId} within ${Duration.format(Duration.fromInputUnsafe(publishTimeout))}`
              })
            )
        })
      )
    })

    const delivery = (channel: amqp.Channel, message: amqp.ConsumeMessage): Delivery => {
      const taskId = message.content.toString("utf8")
      let settled = false
      const settle = (what: string, f: () => void) =>
        Effect.suspend(() => {
          if (settled) return Effect.void
          settled = true
          try {
            f()
            return Effect.void
          } catch {
            // The channel died with the connection: the broker has already put the message back
            // and delivers it again; the store drops the duplicate.
            return Effect.logWarning(`${what} of task ${taskId} lost with its channel; the broker will deliver it again`)
          }
        })
      return {
        taskId,
        redelivered: message.fields.redelivered,
        ack: settle("ack", () => channel.ack(message)),
        nack: (requeue) => settle("nack", () => channel.nack(message, false, requeue))
      }
    }

    const consume = (prefetch: number) =>
      Stream.callback<Delivery, QueueError>((out) =>
        Effect.gen(function* () {
          let channel: amqp.Channel | undefined
          yield* Effect.addFinalizer(() => Effect.promise(async () => channel?.close().catch(() => {})))
          while (true) {
            const { model } = yield* link
            const closed = Deferred.makeUnsafe<void>()
            const opened = yield* Effect.tryPromise(async () => {
              const ch = await model.createChannel()
              ch.on("error", () => {})
              ch.on("close", () => Deferred.doneUnsafe(closed, Effect.void))
              await ch.prefetch(prefetch)
              await ch.consume(
                queueName,
                (message) => {
                  // null: the broker cancelled the consumer (queue deleted); start over.
                  if (message === null) void ch.close().catch(() => {})
                  else Queue.offerUnsafe(out, delivery(ch, message))
                },
                { noAck: false }
              )
              return ch
            }).pipe(
              Effect.tapError((e) => Effect.logWarning(`cannot consume from ${queueName}: ${describe(e.cause)}; trying again`)),
              Effect.orElseSucceed(() => undefined)
            )
            if (opened === undefined) {
              yield* Effect.sleep("500 millis")
              continue
            }
            channel = opened
            yield* Deferred.await(closed)
            channel = undefined
          }
        })
      )

    const depth = Effect.flatMap(link, ({ model }) =>
      Effect.tryPromise({
        try: async () => {
          const ch = await model.createChannel()
          ch.on("error", () => {})
          try {
            return (await ch.checkQueue(queueName)).messageCount
          } finally {
            await ch.close().catch(() => {})
          }
        },
        catch: (cause) => new QueueError({ message: `cannot read the depth of ${queueName}: ${describe(cause)}`, cause })
      })
    ).pipe(Effect.withSpan("AmqpTaskQueue.depth"))

    return TaskQueue.of({ publish, consume, depth })
  })

/** The queue as a layer; building it fails with a clear QueueError when the broker cannot be reached. */
export const layer = (options: AmqpTaskQueueOptions) => Layer.effect(TaskQueue, make(options))
