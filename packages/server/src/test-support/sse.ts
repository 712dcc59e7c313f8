/** One server-sent event as a client sees it. */
export interface SseEvent {
  readonly id: string | undefined
  readonly event: string
  // biome-ignore lint/suspicious/noExplicitAny: tests read whichever fields the event carries
  readonly data: any
}

/**
 * Reads a text/event-stream to its end, calling `onEvent` as each event arrives (while the
 * connection is still open), and returns them all with the response's status and type.
 */
export const readEvents = async (
  url: string,
  options: { readonly headers?: Record<string, string>; readonly onEvent?: (event: SseEvent) => void } = {}
) => {
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...options.headers } })
  const events: Array<SseEvent> = []
  if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    return { status: response.status, contentType: response.headers.get("content-type"), events, body: await response.text() }
  }
  const decoder = new TextDecoder()
  let pending = ""
  const reader = response.body!.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    pending += decoder.decode(value, { stream: true })
    let end = pending.indexOf("\n\n")
    while (end >= 0) {
      const block = pending.slice(0, end)
      pending = pending.slice(end + 2)
      end = pending.indexOf("\n\n")
      const fields: Record<string, string> = {}
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue
        const colon = line.indexOf(":")
        const name = line.slice(0, colon)
        fields[name] = (fields[name] === undefined ? "" : `${fields[name]}\n`) + line.slice(colon + 1).replace(/^ /, "")
      }
      if (fields.data === undefined) continue
      const event = { id: fields.id, event: fields.event ?? "message", data: JSON.parse(fields.data) }
      events.push(event)
      options.onEvent?.(event)
    }
  }
  return { status: response.status, contentType: response.headers.get("content-type"), events, body: "" }
}

/** A python program printing six lines 0.4 s apart, each flushed as it is written. */
export const sixSlowLines = `import time\nfor i in range(6):\n    print(i, flush=True)\n    time.sleep(0.4)\n`
export const sixSlowLinesOutput = "0\n1\n2\n3\n4\n5\n"
