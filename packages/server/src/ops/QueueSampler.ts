import { Clock, Context, Duration, Effect, Layer, Schedule } from "effect"
import { TaskQueue, TaskStore } from "@codebox/core"

/** One look at the backlog: what is waiting and what is running. */
export interface BacklogSample {
  /** Epoch ms. */
  readonly t: number
  /** Messages in the queue; null when the queue did not answer. */
  readonly depth: number | null
  readonly pending: number | null
  readonly running: number | null
}

export interface QueueSamplerSettings {
  readonly every: Duration.Input
  /** Samples kept (the oldest go first). */
  readonly keep: number
}

/**
 * Queue depth over time for the dashboard's chart. The store keeps no history of the backlog, so
 * this samples it while the server runs (one hour at the default 5 s); a restart starts it over.
 */
export class QueueSampler extends Context.Service<
  QueueSampler,
  {
    /** Samples taken at or after `since` (epoch ms), oldest first. */
    since(since: number): Effect.Effect<ReadonlyArray<BacklogSample>>
  }
>()("@codebox/server/QueueSampler") {
  static readonly defaults: QueueSamplerSettings = { every: Duration.seconds(5), keep: 720 }

  static readonly layer = (settings: QueueSamplerSettings = QueueSampler.defaults) =>
    Layer.effect(
      QueueSampler,
      Effect.gen(function* () {
        const store = yield* TaskStore
        const queue = yield* TaskQueue
        const samples: Array<BacklogSample> = []
        const take = Effect.gen(function* () {
          const t = yield* Clock.currentTimeMillis
          const depth = yield* queue.depth.pipe(Effect.orElseSucceed(() => null))
          const counts = yield* store.counts.pipe(Effect.orElseSucceed(() => null))
          samples.push({
            t,
            depth,
            pending: counts === null ? null : counts.PENDING + counts.RECEIVED + counts.RETRY,
            running: counts === null ? null : counts.STARTED
          })
          if (samples.length > settings.keep) samples.splice(0, samples.length - settings.keep)
        })
        yield* take.pipe(Effect.repeat(Schedule.spaced(settings.every)), Effect.forkScoped)
        return QueueSampler.of({
          since: (since) => Effect.sync(() => samples.filter((s) => s.t >= since))
        })
      })
    )
}
