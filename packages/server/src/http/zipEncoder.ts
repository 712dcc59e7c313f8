import { Readable } from "node:stream"
import type { ReadableStream as WebReadableStream } from "node:stream/web"
import { ZipArchive } from "archiver"
import { StorageError, type ZipEncoder } from "@codebox/core"
import { Stream } from "effect"

/**
 * The zip encoder the server gives `OutputZips`: archiver, compressing at level 6. Each entry is
 * handed over as a stream that archiver pulls only when it reaches that entry, so a zip of large
 * files is written without holding them in memory.
 */
export const archiverZip: ZipEncoder = (entries) =>
  Stream.suspend(() => {
    const archive = new ZipArchive({ zlib: { level: 6 } })
    for (const entry of entries) {
      const content = Readable.fromWeb(Stream.toReadableStream(entry.content) as WebReadableStream<Uint8Array>)
      // archiver does not listen for its sources' errors: unheard, one would be thrown at the process
      // and the archive would wait forever. It ends the archive instead, with that error.
      content.once("error", (cause) => archive.destroy(cause))
      archive.append(content, { name: entry.name })
    }
    void archive.finalize().catch(() => undefined)
    return Stream.fromAsyncIterable(
      archive as AsyncIterable<Uint8Array>,
      (cause) => new StorageError({ message: "cannot build the zip of the output files", cause })
    )
  })
