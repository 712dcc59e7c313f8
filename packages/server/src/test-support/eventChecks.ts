import { expect } from "vitest"
import { call, postJson } from "./harness.ts"
import { readEvents, type SseEvent, sixSlowLines, sixSlowLinesOutput } from "./sse.ts"

const textOf = (events: ReadonlyArray<SseEvent>, stream: "stdout" | "stderr") =>
  events
    .filter((e) => e.event === stream)
    .map((e) => e.data.text)
    .join("")

export interface LiveRun {
  readonly taskId: string
  readonly events: ReadonlyArray<SseEvent>
  readonly resultBody: unknown
}

/**
 * Submits six slow lines and follows the task from the start: at least two stdout events come
 * before the final state, the first while a parallel poll still says STARTED; the result is last and
 * is the task_result body. Works on any server (embedded or distributed).
 */
export const checkLiveStream = async (baseUrl: string, headers: Record<string, string> = {}): Promise<LiveRun> => {
  const created = await postJson(`${baseUrl}/api/tasks/create`, { programming_language: "python", source_code: sixSlowLines }, headers)
  expect(created.status, JSON.stringify(created.body)).toBe(202)
  const taskId: string = created.body.task_id
  let pollAtFirstChunk: Promise<{ status: number; body: unknown }> | undefined
  const { status, contentType, events } = await readEvents(`${baseUrl}/api/tasks/${taskId}/events`, {
    headers,
    onEvent: (event) => {
      if (event.event === "stdout" && pollAtFirstChunk === undefined) {
        pollAtFirstChunk = call(`${baseUrl}/api/tasks/${taskId}/task_result`, { headers })
      }
    }
  })
  expect(status).toBe(200)
  expect(contentType).toContain("text/event-stream")
  const names = events.map((e) => (e.event === "state" ? `state:${e.data.state}` : e.event))
  expect(names[0]).toMatch(/^state:(PENDING|RECEIVED|STARTED)$/)
  expect(names.at(-1)).toBe("result")
  const success = names.indexOf("state:SUCCESS")
  expect(success, names.join(" ")).toBeGreaterThan(0)
  // Output travelled while the program ran: chunks before the task was stored as finished.
  expect(names.slice(0, success).filter((n) => n === "stdout").length, names.join(" ")).toBeGreaterThanOrEqual(2)
  expect(pollAtFirstChunk).toBeDefined()
  const poll = await pollAtFirstChunk!
  expect(poll.status).toBe(202)
  expect(poll.body).toMatchObject({ state: "STARTED" })
  expect(textOf(events, "stdout")).toBe(sixSlowLinesOutput)
  // Every event has an id; the ids never go back.
  for (const e of events) expect(e.id).toMatch(/^\d+\.\d+$/)
  const result = await call(`${baseUrl}/api/tasks/${taskId}/task_result`, { headers })
  expect(result.status).toBe(200)
  expect(events.at(-1)!.data).toEqual(result.body)
  return { taskId, events, resultBody: result.body }
}

/**
 * After the task finished: a new connection gets the state and the result at once; one resuming
 * after the second stdout chunk gets exactly the rest of the output, no byte twice.
 */
export const checkLateAndResumed = async (baseUrl: string, live: LiveRun, headers: Record<string, string> = {}) => {
  const late = await readEvents(`${baseUrl}/api/tasks/${live.taskId}/events`, { headers })
  expect(late.events[0]).toMatchObject({ event: "state", data: { state: "SUCCESS" } })
  expect(late.events.at(-1)).toMatchObject({ event: "result" })
  expect(late.events.at(-1)!.data).toEqual(live.resultBody)
  expect(late.events.filter((e) => e.event === "state")).toHaveLength(1)

  const second = live.events.filter((e) => e.event === "stdout")[1]!
  const seen = Number(second.id!.split(".")[0])
  expect(seen).toBe(second.data.offset + Buffer.byteLength(second.data.text))
  const resumed = await readEvents(`${baseUrl}/api/tasks/${live.taskId}/events`, { headers: { ...headers, "last-event-id": second.id! } })
  const chunks = resumed.events.filter((e) => e.event === "stdout")
  expect(chunks[0]?.data.offset).toBe(seen)
  expect(textOf(resumed.events, "stdout")).toBe(sixSlowLinesOutput.slice(seen))
  expect(resumed.events.at(-1)).toMatchObject({ event: "result" })
}
