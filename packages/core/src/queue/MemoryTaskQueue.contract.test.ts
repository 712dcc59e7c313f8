import { taskQueueContract } from "@codebox/testkit"
import * as MemoryTaskQueue from "./MemoryTaskQueue.ts"

taskQueueContract("memory", () => MemoryTaskQueue.layer)
