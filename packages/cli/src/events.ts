/** One server-sent event. */
export interface ServerEvent {
  readonly event: string
  readonly data: string
}

/**
 * The events of a `text/event-stream` body, as they arrive. Comment lines (heartbeats) and ids are
 * skipped: the CLI follows one stream to its end and does not resume.
 */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const decoder = new TextDecoder()
  let buffer = ""
  let event = "message"
  let data: Array<string> = []
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true })
    for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
      const line = buffer.slice(0, end).replace(/\r$/, "")
      buffer = buffer.slice(end + 1)
      if (line === "") {
        if (data.length > 0) yield { event, data: data.join("\n") }
        event = "message"
        data = []
      } else if (line.startsWith("event:")) event = line.slice(6).trim()
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""))
    }
  }
}
