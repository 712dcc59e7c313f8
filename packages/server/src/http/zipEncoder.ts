import { Readable } from "node:stream"
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
      archive.append(Readable.fromWeb(Stream.toReadableStream(entry.content) as import("node:stream/web").ReadableStream<Uint8Array>), {
        name: entry.name
      })
    }
    void archive.finalize().catch(() => undefined)
    return Stream.fromAsyncIterable(
      archive as AsyncIterable<Uint8Array>,
      (cause) => new StorageError({ message: "cannot build the zip of the output files", cause })
    )
  })
