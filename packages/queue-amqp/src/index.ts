/** `@codebox/queue-amqp`: the TaskQueue over RabbitMQ (amqplib): durable, confirmed, acknowledged by hand. */
export * as AmqpTaskQueue from "./AmqpTaskQueue.ts"
export type { AmqpTaskQueueOptions } from "./AmqpTaskQueue.ts"
export * as AmqpTaskEvents from "./AmqpTaskEvents.ts"
export type { AmqpTaskEventsOptions } from "./AmqpTaskEvents.ts"
