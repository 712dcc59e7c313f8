import { isFinal, outputBytes, outputText, type Task, type TaskEvent, type TaskEvents, type TaskState, type TaskStore } from "@codebox/core"
import { Effect, Option, Queue, Schema, Stream } from "effect"
import { HttpServerResponse } from "effect/http"
import { finishedView } from "./present.ts"

/** Where a client resumes: the bytes of stdout and of stderr it has already seen (`<stdout>.<stderr>`). */
export interface ResumePoint {
  readonly stdout: number
  readonly stderr: number
}

const LastEventId = Schema.String.check(Schema.isPattern(/^\d{1,15}\.\d{1,15}$/))
const decodeLastEventId = Schema.decodeUnknownOption(LastEventId)

/** The resume point a `Last-Event-ID` header names; an id this server did not make starts afresh. */
export const resumePointOf = (header: string | undefined): ResumePoint =>
  Option.match(decodeLastEventId(header?.trim()), {
    onNone: () => ({ stdout: 0, stderr: 0 }),
    onSome: (id) => {
      const [stdout, stderr] = id.split(".").map(Number)
      return { stdout: stdout!, stderr: stderr! }
    }
  })

export interface EventServices {
  readonly store: TaskStore["Service"]
  readonly events: TaskEvents["Service"]
}

type Inbox = TaskEvent | { readonly _tag: "Final"; readonly task: Task }

/** Comment lines keep idle connections (and proxies) from timing out. */
const heartbeatEvery = "15 seconds"

/**
 * The server-sent events of one task the caller may see: `state` (the current one first, then each
 * change), `stdout` and `stderr` chunks, then `result` (the task_result body) and the end. Every
 * event's id is the resume point after it, so `Last-Event-ID` never repeats a byte. Output comes live
 * from TaskEvents; what those did not carry (a client that came late, a chunk lost on the way) is
 * sent from the stored result before the `result` event.
 */
export const eventStream = ({ store, events }: EventServices, task: Task, resume: ResumePoint) =>
  Stream.callback<string>((out) =>
    Effect.gen(function* () {
      const sent = { ...resume }
      const emit = (event: string, data: unknown) =>
        Queue.offerUnsafe(out, `id: ${sent.stdout}.${sent.stderr}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
      const sendChunk = (stream: "stdout" | "stderr", offset: number, data: Uint8Array) => {
        // Bytes already sent are skipped; after a gap (bytes this process never saw) live chunks
        // wait for the stored result, which has them all.
        if (offset > sent[stream] || offset + data.length <= sent[stream]) return
        const fresh = data.subarray(sent[stream] - offset)
        const at = sent[stream]
        sent[stream] += fresh.length
        emit(stream, { offset: at, ...outputText(fresh) })
      }

      // Subscribe before reading the task, so no event falls between the two.
      const inbox = yield* Queue.unbounded<Inbox>()
      const subscription = yield* events.subscribe(task.task_id)
      yield* Stream.fromQueue(subscription).pipe(
        Stream.runForEach((event) => Queue.offer(inbox, event)),
        Effect.forkScoped
      )
      yield* store.awaitFinal(task.task_id).pipe(
        Effect.flatMap((final) => Queue.offer(inbox, { _tag: "Final", task: final })),
        Effect.ignore,
        Effect.forkScoped
      )
      yield* Stream.tick(heartbeatEvery).pipe(
        Stream.drop(1),
        Stream.runForEach(() => Effect.sync(() => Queue.offerUnsafe(out, ":\n\n"))),
        Effect.forkScoped
      )

      const current = yield* store.get(task.task_id)
      let state: TaskState = current.state
      emit("state", { state })
      let final: Task | null = isFinal(current.state) ? current : null
      while (final === null) {
        const next = yield* Queue.take(inbox)
        if (next._tag === "Final") final = next.task
        else if (next._tag === "Output") sendChunk(next.stream, next.offset, next.data)
        else if (isFinal(next.state)) final = yield* store.get(task.task_id)
        else if (next.state !== state) {
          state = next.state
          emit("state", { state })
        }
      }
      const view = finishedView(final)
      sendChunk("stdout", 0, outputBytes(view.result.stdout, view.result.stdout_base64))
      sendChunk("stderr", 0, outputBytes(view.result.stderr, view.result.stderr_base64))
      if (final.state !== state) emit("state", { state: final.state })
      emit("result", view)
    }).pipe(
      Effect.catchCause((cause) => Effect.logWarning(`events of task ${task.task_id} ended early`, cause)),
      Effect.ensuring(Queue.end(out))
    )
  )

export const eventStreamResponse = (services: EventServices, task: Task, resume: ResumePoint) =>
  HttpServerResponse.stream(eventStream(services, task, resume).pipe(Stream.encodeText), {
    contentType: "text/event-stream",
    headers: { "cache-control": "no-cache", "x-accel-buffering": "no" }
  })
