import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Option, Redacted, type Scope } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { CallbackOutbox, MemoryCallbackOutbox, MemoryTaskStore, TaskStore } from "@codebox/core"
import { scratchDatabase, testDatabaseUrl } from "@codebox/test-support"
import { aTask } from "@codebox/testkit"
import * as SqlCallbackOutbox from "./SqlCallbackOutbox.ts"
import * as SqlTaskStore from "./SqlTaskStore.ts"

type Replica = { readonly store: TaskStore["Service"]; readonly outbox: CallbackOutbox["Service"] }

/** Store and outbox on connections of their own, as another server replica would have. */
const sqlReplicaOn = (url: string) =>
  Layer.build(
    Layer.merge(SqlTaskStore.layer({ notifications: "listen" }), SqlCallbackOutbox.layer).pipe(
      Layer.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 2 }))
    )
  ).pipe(Effect.map((context): Replica => ({ store: Context.get(context, TaskStore), outbox: Context.get(context, CallbackOutbox) })))

const memoryReplica = Layer.build(MemoryCallbackOutbox.layer.pipe(Layer.provideMerge(MemoryTaskStore.layer))).pipe(
  Effect.map((context): Replica => ({ store: Context.get(context, TaskStore), outbox: Context.get(context, CallbackOutbox) }))
)

const now = 1_800_000_000_000

/** A task finished in the store, with a callback registered. */
const finishedWithCallback = (replica: Replica, url = "https://example.com/hook") =>
  Effect.gen(function* () {
    const task = aTask()
    yield* replica.store.insert(task)
    yield* replica.outbox.register(task.task_id, url)
    const claim = Option.getOrThrow(yield* replica.store.claim(task.task_id, "w"))
    yield* replica.store.complete(task.task_id, claim.attempt, "SUCCESS", null, null)
    return task.task_id
  })

const outboxContract = (name: string, replicas: Effect.Effect<readonly [Replica, Replica], unknown, Scope.Scope>) =>
  describe(`CallbackOutbox: ${name}`, () => {
    it.live("a callback is due only once its task is final, and then to one replica at a time", () =>
      Effect.gen(function* () {
        const [a, b] = yield* replicas
        const running = aTask()
        yield* a.store.insert(running)
        yield* a.outbox.register(running.task_id, "https://example.com/running")
        const id = yield* finishedWithCallback(a)
        const take = (replica: Replica, owner: string, at = now) => replica.outbox.takeDue({ now: at, limit: 10, leaseMs: 60_000, owner })
        expect(yield* take(a, "a")).toEqual([{ task_id: id, url: "https://example.com/hook", tries: 0 }])
        // Leased: the other replica gets nothing until the lease runs out.
        expect(yield* take(b, "b")).toEqual([])
        expect((yield* take(b, "b", now + 60_001)).map((d) => d.task_id)).toEqual([id])
        // The first owner lost its lease: what it records is ignored.
        yield* a.outbox.record(id, "a", { delivered: true, status: 200, error: null, next_at: null })
        expect(Option.getOrThrow(yield* b.outbox.get(id))).toMatchObject({ state: "pending", tries: 0 })
        yield* b.outbox.record(id, "b", { delivered: false, status: 500, error: "answered 500", next_at: now + 70_000 })
        expect(Option.getOrThrow(yield* a.outbox.get(id))).toEqual({
          url: "https://example.com/hook",
          state: "pending",
          tries: 1,
          last_status: 500,
          last_error: "answered 500"
        })
        // Not before its retry time; then again, with the count of tries so far.
        expect(yield* take(a, "a", now + 69_999)).toEqual([])
        expect(yield* take(a, "a", now + 70_000)).toEqual([{ task_id: id, url: "https://example.com/hook", tries: 1 }])
        yield* a.outbox.record(id, "a", { delivered: true, status: 204, error: null, next_at: null })
        expect(Option.getOrThrow(yield* b.outbox.get(id))).toMatchObject({ state: "delivered", tries: 2, last_status: 204 })
        expect(yield* take(b, "b", now + 999_999)).toEqual([])
        expect(Option.getOrThrow(yield* a.outbox.get(running.task_id))).toMatchObject({ state: "pending", tries: 0 })
      })
    )

    it.live("a delivery with no try left is failed and never due again; an unknown task has no callback", () =>
      Effect.gen(function* () {
        const [a] = yield* replicas
        const id = yield* finishedWithCallback(a)
        yield* a.outbox.takeDue({ now, limit: 10, leaseMs: 60_000, owner: "a" })
        yield* a.outbox.record(id, "a", { delivered: false, status: null, error: "connection refused", next_at: null })
        expect(Option.getOrThrow(yield* a.outbox.get(id))).toMatchObject({ state: "failed", tries: 1, last_status: null })
        expect(yield* a.outbox.takeDue({ now: now + 10_000_000, limit: 10, leaseMs: 60_000, owner: "a" })).toEqual([])
        expect(Option.isNone(yield* a.outbox.get(aTask().task_id))).toBe(true)
      })
    )
  })

outboxContract(
  "memory",
  Effect.map(memoryReplica, (replica) => [replica, replica] as const)
)

outboxContract(
  "PostgreSQL (shared by replicas)",
  Effect.gen(function* () {
    const url = yield* scratchDatabase(testDatabaseUrl)
    return [yield* sqlReplicaOn(url), yield* sqlReplicaOn(url)] as const
  })
)
