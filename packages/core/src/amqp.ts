/**
 * `@codebox/core/amqp`: the TaskQueue over RabbitMQ (amqplib). A separate entry so that an embedder
 * who queues in process never loads amqplib.
 */
export * as AmqpTaskQueue from "./queue/AmqpTaskQueue.ts"
export type { AmqpTaskQueueOptions } from "./queue/AmqpTaskQueue.ts"
export { readyMessages, scratchQueue, testAmqpUrl } from "./queue/scratchQueue.ts"
