import * as amqp from "amqplib"
import { Deferred, Effect, Layer, Schedule, Schema } from "effect"
import {
  MemoryTaskEvents,
  type MemoryTaskEventsOptions,
  QueueError,
  redactUrl,
  type TaskEvent,
  TaskEvents,
  TaskOutputEvent,
  TaskStateEvent
} from "@codebox/core"

export interface AmqpTaskEventsOptions {
  /** `amqp://user:pass@host:5672/vhost`. */
  readonly url: string
  /** Topic exchange the events go through, routed by task id (default `codebox.events`). */
  readonly exchange?: string | undefined
  /**
   * Whether this process reads the events (a server, which streams them to clients) or only
   * publishes them (a worker).
   */
  readonly consume: boolean
  /** The bounded buffer of what a consuming process keeps per running task. */
  readonly buffer?: MemoryTaskEventsOptions | undefined
}

/** On the wire: JSON, the output bytes as base64. */
const WireEvent = Schema.fromJsonString(
  Schema.Union([TaskStateEvent, Schema.TaggedStruct("Output", { ...TaskOutputEvent.fields, data: Schema.Uint8ArrayFromBase64 })])
)
const encodeWire = Schema.encodeSync(WireEvent)
const decodeWire = Schema.decodeUnknownOption(WireEvent)

/** Reconnecting: quickly at first, then every 5 s at most. */
const backoff = Schedule.min([Schedule.exponential("100 millis"), Schedule.spaced("5 seconds")])

/**
 * TaskEvents over a RabbitMQ topic exchange, for distributed mode: workers publish each event
 * (transient, unconfirmed: events are best effort, the store keeps the result), every server binds
 * a private queue to the exchange and keeps what arrives in a bounded buffer per running task
 * (MemoryTaskEvents), so a client connecting to any server sees the output written so far. A lost
 * connection is re-opened in the background; events published meanwhile are dropped.
 */
export const make = (options: AmqpTaskEventsOptions) =>
  Effect.gen(function* () {
    const exchange = options.exchange ?? "codebox.events"
    const local = MemoryTaskEvents.make(options.buffer)
    const where = redactUrl(options.url)
    let channel: amqp.Channel | null = null
    let model: amqp.ChannelModel | null = null

    const open = Effect.tryPromise({
      try: async () => {
        const opened = await amqp.connect(options.url)
        const closed = Deferred.makeUnsafe<void>()
        opened.on("close", () => Deferred.doneUnsafe(closed, Effect.void))
        opened.on("error", () => {}) // always followed by "close"
        const ch = await opened.createChannel()
        ch.on("error", () => {})
        ch.on("close", () => void opened.close().catch(() => {}))
        await ch.assertExchange(exchange, "topic", { durable: false })
        if (options.consume) {
          const { queue } = await ch.assertQueue("", { exclusive: true, autoDelete: true, durable: false })
          await ch.bindQueue(queue, exchange, "#")
          await ch.consume(
            queue,
            (message) => {
              if (message === null) return
              const event = decodeWire(message.content.toString("utf8"))
              if (event._tag === "Some") Effect.runSync(local.publish(event.value))
            },
            { noAck: true }
          )
        }
        model = opened
        channel = ch
        return closed
      },
      catch: (cause) =>
        new QueueError({
          message: `cannot reach RabbitMQ at ${where} for task events: ${cause instanceof Error ? cause.message : String(cause)}`,
          cause
        })
    })

    // The first connection is made before the layer is ready (a server must not miss the start of a
    // task's output), then kept open: a lost one is re-opened with backoff.
    const firstClosed = yield* open.pipe(Effect.retry({ schedule: Schedule.spaced("250 millis"), times: 20 }))
    yield* Effect.addFinalizer(() => Effect.promise(async () => (model as amqp.ChannelModel | null)?.close().catch(() => {})))
    yield* Effect.gen(function* () {
      let closed = firstClosed
      while (true) {
        yield* Deferred.await(closed)
        channel = null
        yield* Effect.logWarning(`RabbitMQ connection to ${where} (task events) lost; reconnecting`)
        closed = yield* open.pipe(Effect.retry(backoff))
      }
    }).pipe(Effect.forkScoped)

    const publish = (event: TaskEvent) =>
      Effect.sync(() => {
        try {
          ;(channel as amqp.Channel | null)?.publish(exchange, event.task_id, Buffer.from(encodeWire(event)), { persistent: false })
        } catch {
          // The channel closed under us: events are best effort, the reconnect loop re-opens it.
        }
      })

    return TaskEvents.of({ publish, subscribe: local.subscribe })
  })

export const layer = (options: AmqpTaskEventsOptions) => Layer.effect(TaskEvents, make(options))
