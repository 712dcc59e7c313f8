import { Deferred, Effect, Fiber, Layer, Queue, Stream } from "effect"
import { describe, expect, it } from "@effect/vitest"
import * as CodeBox from "./CodeBox.ts"
import { Engine } from "./Engine.ts"
import { StoreError } from "./domain/Errors.ts"
import { layerReconciler, reconcileOnce } from "./engine/Reconciler.ts"
import type { Executor } from "./Executor.ts"
import { ScriptedSandbox } from "@codebox/testkit"
import { TaskEvents } from "./TaskEvents.ts"
import { TaskQueue } from "./TaskQueue.ts"
import { TaskStore } from "./TaskStore.ts"
import * as MemoryTaskStore from "./store/MemoryTaskStore.ts"
import { toyPlugin } from "@codebox/test-support"
import { runWorker } from "./Worker.ts"

/** An engine with no background worker; each step waits for `gate`, and `started` says one began. */
const gated = <A, E>(
  body: (
    gate: Deferred.Deferred<void>,
    started: Deferred.Deferred<void>
  ) => Effect.Effect<A, E, Engine | TaskStore | TaskQueue | TaskEvents | Executor>
) =>
  Effect.gen(function* () {
    const gate = yield* Deferred.make<void>()
    const started = yield* Deferred.make<void>()
    const sandbox = ScriptedSandbox.make(() =>
      Deferred.succeed(started, undefined).pipe(
        Effect.andThen(Deferred.await(gate)),
        Effect.as(ScriptedSandbox.outcome({ stdout: "ok\n" }))
      )
    )
    return yield* body(gate, started).pipe(
      Effect.provide(
        CodeBox.layer({ plugins: [toyPlugin()], sandbox: sandbox.layer, concurrency: 0, executor: { workerName: "test-worker" } })
      )
    )
  })

/**
 * A task STARTED by "slow-worker" whose message is delivered again (its first consumer went away
 * unacked), and that worker's heartbeat, to be recorded as of a given time.
 */
const redeliveredWhileStarted = Effect.gen(function* () {
  const store = yield* TaskStore
  const queue = yield* TaskQueue
  const task = yield* (yield* Engine).submit({ language: "toy", source_code: "slow" })
  yield* Effect.scoped(Effect.flatMap(Stream.toPull(queue.consume(1)), (pull) => pull))
  yield* store.claim(task.task_id, "slow-worker")
  const beat = (last_seen: number) =>
    store.heartbeat({ name: "slow-worker", concurrency: 1, running: 1, completed: 0, state: "running", started_at: 0, last_seen })
  return { task, beat }
})

// it.live throughout: heartbeats, the drain timeout and the reconciler's cutoffs need the real clock.
describe("Worker", () => {
  it.live("on stop, finishes the task in flight, acks it, and records its heartbeats", () =>
    gated((gate, started) =>
      Effect.gen(function* () {
        const engine = yield* Engine
        const store = yield* TaskStore
        const queue = yield* TaskQueue
        const stop = yield* Deferred.make<void>()
        const task = yield* engine.submit({ language: "toy", source_code: "hello" })
        const worker = yield* Effect.forkChild(runWorker({ concurrency: 2 }, Deferred.await(stop)))
        yield* Deferred.await(started)
        expect((yield* store.workers).map((w) => [w.name, w.state])).toEqual([["test-worker", "running"]])
        yield* Deferred.succeed(stop, undefined)
        yield* Effect.yieldNow
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(worker)
        expect((yield* store.get(task.task_id)).state).toBe("SUCCESS")
        expect(yield* queue.depth).toBe(0)
        const [status] = yield* store.workers
        expect(status).toMatchObject({ name: "test-worker", state: "stopped", running: 0, completed: 1, concurrency: 2 })
      })
    )
  )

  it.live("hands a task back (RETRY, requeued) when it outlives the drain timeout", () =>
    gated((_gate, started) =>
      Effect.gen(function* () {
        const engine = yield* Engine
        const store = yield* TaskStore
        const queue = yield* TaskQueue
        const stop = yield* Deferred.make<void>()
        const task = yield* engine.submit({ language: "toy", source_code: "hello" })
        // A client watching the task's events sees it go back to RETRY.
        const watching = yield* (yield* TaskEvents).subscribe(task.task_id)
        const worker = yield* Effect.forkChild(runWorker({ concurrency: 1, drainTimeout: 0 }, Deferred.await(stop)))
        yield* Deferred.await(started)
        yield* Deferred.succeed(stop, undefined)
        yield* Fiber.join(worker)
        const handedBack = yield* store.get(task.task_id)
        expect(handedBack.state).toBe("RETRY")
        const states = (yield* Queue.clear(watching)).flatMap((e) => (e._tag === "State" ? [e.state] : []))
        expect(states).toEqual(["STARTED", "RETRY"])
        expect(handedBack.error).toMatch(/stopped before finishing/)
        expect(yield* queue.depth).toBe(1)
      }).pipe(Effect.scoped)
    )
  )
  it.live("leaves a redelivered task to its owner when the owner's heartbeat resumes (a slow worker, not a dead one)", () =>
    gated((_gate, started) =>
      Effect.gen(function* () {
        const store = yield* TaskStore
        const { task, beat } = yield* redeliveredWhileStarted
        // Silent for longer than three intervals (600 ms) when the redelivery is looked at; then it beats.
        yield* beat(Date.now() - 1_000)
        const stop = yield* Deferred.make<void>()
        const worker = yield* Effect.forkChild(runWorker({ concurrency: 1, heartbeatEvery: 200 }, Deferred.await(stop)))
        yield* Effect.sleep(300)
        yield* beat(Date.now())
        yield* Effect.sleep(1_000)
        expect(yield* Deferred.isDone(started)).toBe(false)
        expect(yield* store.get(task.task_id)).toMatchObject({ state: "STARTED", worker: "slow-worker", attempts: 1 })
        yield* Deferred.succeed(stop, undefined)
        yield* Fiber.join(worker)
      })
    )
  )

  it.live("stopped while it looks at a redelivered task, leaves that task to its live owner", () =>
    gated((_gate, started) =>
      Effect.gen(function* () {
        const store = yield* TaskStore
        const { task, beat } = yield* redeliveredWhileStarted
        // Silent long enough that the redelivery is looked at twice (600 ms apart); stopped meanwhile.
        yield* beat(Date.now() - 1_000)
        const stop = yield* Deferred.make<void>()
        const worker = yield* Effect.forkChild(runWorker({ concurrency: 1, heartbeatEvery: 200, drainTimeout: 0 }, Deferred.await(stop)))
        yield* Effect.sleep(300)
        yield* Deferred.succeed(stop, undefined)
        yield* Fiber.join(worker)
        expect(yield* Deferred.isDone(started)).toBe(false)
        expect(yield* store.get(task.task_id)).toMatchObject({ state: "STARTED", worker: "slow-worker", attempts: 1 })
      })
    )
  )
})

describe("Reconciler", () => {
  it.live("queues again what is stale, but not a task whose worker is alive, and not twice in a row", () =>
    gated(() =>
      Effect.gen(function* () {
        const engine = yield* Engine
        const store = yield* TaskStore
        const queue = yield* TaskQueue
        const lost = yield* engine.submit({ language: "toy", source_code: "a" })
        const onDeadWorker = yield* engine.submit({ language: "toy", source_code: "b" })
        const onLiveWorker = yield* engine.submit({ language: "toy", source_code: "c" })
        yield* store.claim(onDeadWorker.task_id, "dead-worker")
        yield* store.claim(onLiveWorker.task_id, "live-worker")
        const now = Date.now()
        const beat = { concurrency: 1, running: 1, completed: 0, state: "running" as const, started_at: now - 60_000 }
        yield* store.heartbeat({ ...beat, name: "dead-worker", last_seen: now - 60_000 })
        yield* store.heartbeat({ ...beat, name: "live-worker", last_seen: now + 60_000 })
        const depthBefore = yield* queue.depth

        // Everything is "stale" for a cutoff in the future; the live worker's task is left alone.
        expect(yield* reconcileOnce(-30_000)).toBe(2)
        expect((yield* store.get(lost.task_id)).state).toBe("RETRY")
        expect((yield* store.get(onDeadWorker.task_id)).error).toMatch(/dead-worker lost/)
        expect((yield* store.get(onLiveWorker.task_id)).state).toBe("STARTED")
        expect(yield* queue.depth).toBe(depthBefore + 2)
        // Queuing again restarted their clocks: a pass with an ordinary cutoff finds nothing.
        expect(yield* reconcileOnce("10 seconds")).toBe(0)
      })
    )
  )

  it.live("queues again a live worker's task that has been STARTED longer than its limits allow (the worker lost it)", () =>
    gated(() =>
      Effect.gen(function* () {
        const engine = yield* Engine
        const store = yield* TaskStore
        const submitted = yield* engine.submit({ language: "toy", source_code: "d" })
        const now = Date.now()
        const onTime = {
          ...submitted,
          task_id: crypto.randomUUID(),
          state: "STARTED" as const,
          worker: "live-worker",
          attempts: 1,
          started_at: now - 5_000
        }
        const overdue = { ...onTime, task_id: crypto.randomUUID(), started_at: now - 2 * submitted.limits.wall_time_ms - 60_000 }
        yield* store.insert(onTime)
        yield* store.insert(overdue)
        const beat = { concurrency: 1, running: 0, completed: 0, state: "running" as const, started_at: now - 60_000 }
        yield* store.heartbeat({ ...beat, name: "live-worker", last_seen: now + 60_000 })
        yield* reconcileOnce("1 second")
        expect((yield* store.get(overdue.task_id)).state).toBe("RETRY")
        expect((yield* store.get(onTime.task_id)).state).toBe("STARTED")
      })
    )
  )

  it.live("takes no silent heartbeat for a dead worker until the store has been reachable for the whole staleness window", () =>
    gated(() =>
      Effect.gen(function* () {
        const engine = yield* Engine
        const store = yield* TaskStore
        const stalePending = yield* engine.submit({ language: "toy", source_code: "e" })
        const running = yield* engine.submit({ language: "toy", source_code: "f" })
        yield* store.claim(running.task_id, "silent-worker")
        const now = Date.now()
        const beat = { concurrency: 1, running: 1, completed: 0, state: "running" as const, started_at: now - 60_000 }
        yield* store.heartbeat({ ...beat, name: "silent-worker", last_seen: now - 60_000 })
        // The store has been reachable only since after the cutoff: the old heartbeat says nothing,
        // the PENDING task is still requeued.
        expect(yield* reconcileOnce(-30_000, { heartbeatsSince: now + 60_000 })).toBe(1)
        expect((yield* store.get(stalePending.task_id)).state).toBe("RETRY")
        expect((yield* store.get(running.task_id)).state).toBe("STARTED")
        // Reachable since before the cutoff: the same silence now means a dead worker (the other
        // task is taken again too: with this cutoff every task is stale).
        expect(yield* reconcileOnce(-30_000, { heartbeatsSince: now })).toBe(2)
        expect((yield* store.get(running.task_id)).state).toBe("RETRY")
      })
    )
  )

  it.live("after a store outage, leaves a live worker's task to it while its heartbeats resume; takes it once they stop", () =>
    Effect.gen(function* () {
      const staleAfter = 2_000
      let down = true
      const outage = <A>(effect: Effect.Effect<A, StoreError>) =>
        Effect.suspend(() => (down ? Effect.fail(new StoreError({ message: "the store is away" })) : effect))
      // The memory store, unreachable while `down`, as a database restart makes it for every process.
      const flaky = Layer.effect(
        TaskStore,
        Effect.gen(function* () {
          const s = yield* TaskStore
          return TaskStore.of({ ...s, stale: (before) => outage(s.stale(before)), workers: outage(s.workers) })
        })
      ).pipe(Layer.provide(MemoryTaskStore.layer))
      yield* Effect.gen(function* () {
        const engine = yield* Engine
        const store = yield* TaskStore
        const task = yield* engine.submit({ language: "toy", source_code: "g" })
        yield* store.claim(task.task_id, "slow-worker")
        const beat = (last_seen: number) =>
          store.heartbeat({ name: "slow-worker", concurrency: 1, running: 1, completed: 0, state: "running", started_at: 0, last_seen })
        yield* beat(Date.now())
        yield* Layer.build(layerReconciler({ every: 100, staleAfter }))
        // The outage outlasts the staleness window, and the worker's first heartbeat after it comes
        // a few reconciler rounds after the store is back: until then its last one is too old.
        yield* Effect.sleep(staleAfter + 500)
        down = false
        yield* Effect.sleep(500)
        for (let i = 0; i < 15; i++) {
          yield* beat(Date.now())
          yield* Effect.sleep(200)
        }
        expect((yield* store.get(task.task_id)).state).toBe("STARTED")
        // Heartbeats stop for good: the worker is lost, and its task is queued again.
        let state = (yield* store.get(task.task_id)).state
        for (let i = 0; i < 100 && state === "STARTED"; i++) {
          yield* Effect.sleep(100)
          state = (yield* store.get(task.task_id)).state
        }
        expect(state).toBe("RETRY")
      }).pipe(
        Effect.scoped,
        Effect.provide(
          CodeBox.layer({ plugins: [toyPlugin()], sandbox: ScriptedSandbox.make(() => Effect.never).layer, store: flaky, concurrency: 0 })
        )
      )
    })
  )
})
