import { Effect, Queue } from "effect"
import { describe, expect, it } from "vitest"
import type { TaskEvent } from "../TaskEvents.ts"
import * as MemoryTaskEvents from "./MemoryTaskEvents.ts"

const chunk = (task_id: string, offset: number, text: string): TaskEvent => ({
  _tag: "Output",
  task_id,
  stream: "stdout",
  offset,
  data: new TextEncoder().encode(text)
})
const texts = (events: ReadonlyArray<TaskEvent>) => events.map((e) => (e._tag === "Output" ? new TextDecoder().decode(e.data) : e.state))

describe("MemoryTaskEvents", () => {
  it("replays what a running task wrote to a late subscriber, then live events; forgets a finished task", async () => {
    const events = MemoryTaskEvents.make()
    const seen = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          yield* events.publish({ _tag: "State", task_id: "t", state: "STARTED" })
          yield* events.publish(chunk("t", 0, "ab"))
          yield* events.publish(chunk("other", 0, "zz"))
          const late = yield* events.subscribe("t")
          yield* events.publish(chunk("t", 2, "cd"))
          yield* events.publish({ _tag: "State", task_id: "t", state: "SUCCESS" })
          return yield* Queue.clear(late)
        })
      )
    )
    expect(texts(seen)).toEqual(["STARTED", "ab", "cd", "SUCCESS"])
    const after = await Effect.runPromise(Effect.scoped(Effect.flatMap(events.subscribe("t"), Queue.clear)))
    expect(after).toEqual([])
  })

  it("keeps at most maxBytesPerStream of a stream, cutting the chunk that crosses it", async () => {
    const events = MemoryTaskEvents.make({ maxBytesPerStream: 3 })
    const seen = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          yield* events.publish(chunk("t", 0, "ab"))
          yield* events.publish(chunk("t", 2, "cd"))
          yield* events.publish(chunk("t", 4, "ef"))
          return yield* Effect.flatMap(events.subscribe("t"), Queue.clear)
        })
      )
    )
    expect(texts(seen)).toEqual(["ab", "c"])
  })

  it("stops keeping (not delivering) chunks past maxTotalBytes over all tasks", async () => {
    const events = MemoryTaskEvents.make({ maxTotalBytes: 4 })
    const [kept, live] = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const watching = yield* events.subscribe("b")
          yield* events.publish(chunk("a", 0, "abc"))
          yield* events.publish(chunk("b", 0, "xyz"))
          return [yield* Effect.flatMap(events.subscribe("b"), Queue.clear), yield* Queue.clear(watching)] as const
        })
      )
    )
    expect(texts(kept)).toEqual([])
    expect(texts(live)).toEqual(["xyz"])
  })
})
