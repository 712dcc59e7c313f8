import { scratchQueue, testAmqpUrl } from "@codebox/test-support"
import { taskQueueContract } from "@codebox/testkit"
import { Effect, Layer } from "effect"
import * as AmqpTaskQueue from "./AmqpTaskQueue.ts"

// Each test gets a queue of its own on the local RabbitMQ, deleted when the test ends.
taskQueueContract("RabbitMQ", () =>
  Layer.unwrap(Effect.map(scratchQueue(testAmqpUrl), (queue) => AmqpTaskQueue.layer({ url: testAmqpUrl, queue })))
)
