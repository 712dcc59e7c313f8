import { Effect, Layer, Option, Stream } from "effect"
import { StorageError } from "../domain/Errors.ts"
import { type Area, FileStorage, streamChunkBytes } from "../FileStorage.ts"

const areas: ReadonlyArray<Area> = ["in", "out", "cache"]

/** The bytes as consecutive views of at most `streamChunkBytes`, as the local storage streams them. */
const chunksOf = (data: Uint8Array): Array<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  for (let offset = 0; offset < data.byteLength; offset += streamChunkBytes) {
    chunks.push(data.subarray(offset, offset + streamChunkBytes))
  }
  return chunks
}

/** FileStorage in process memory, for tests and throwaway embeddings. */
export const layer = Layer.sync(FileStorage, () => {
  const files = new Map<string, Map<string, Uint8Array>>()
  const key = (taskId: string, area: string) => `${taskId}/${area}`
  const get = (taskId: string, area: string, name: string) => {
    const data = files.get(key(taskId, area))?.get(name)
    return data === undefined
      ? Effect.fail(new StorageError({ message: `no file ${area}/${name} for task ${taskId}` }))
      : Effect.succeed(data)
  }
  const put = (taskId: string, area: string, name: string, data: Uint8Array) => {
    const k = key(taskId, area)
    const area_ = files.get(k) ?? new Map()
    area_.set(name, data)
    files.set(k, area_)
  }
  return FileStorage.of({
    write: (taskId, area, name, data) => Effect.sync(() => put(taskId, area, name, Uint8Array.from(data))),
    writeStream: (taskId, area, name, data) =>
      Effect.map(
        Stream.runFold(
          data,
          () => [] as Array<Uint8Array>,
          (chunks, chunk) => {
            chunks.push(Uint8Array.from(chunk))
            return chunks
          }
        ),
        (chunks) => {
          const whole = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
          let offset = 0
          for (const chunk of chunks) {
            whole.set(chunk, offset)
            offset += chunk.byteLength
          }
          put(taskId, area, name, whole)
          return whole.byteLength
        }
      ),
    read: get,
    stream: (taskId, area, name) =>
      Stream.flatMap(Stream.fromEffect(get(taskId, area, name)), (data) => Stream.fromIterable(chunksOf(data))),
    stat: (taskId, area, name) =>
      Effect.sync(() => {
        const data = files.get(key(taskId, area))?.get(name)
        return data === undefined ? Option.none() : Option.some({ name, size: data.byteLength })
      }),
    list: (taskId, area) =>
      Effect.sync(() =>
        [...(files.get(key(taskId, area)) ?? new Map<string, Uint8Array>()).entries()]
          .map(([name, data]) => ({ name, size: data.byteLength }))
          .sort((a, b) => a.name.localeCompare(b.name))
      ),
    remove: (taskId) =>
      Effect.sync(() => {
        let freed = 0
        for (const area of areas) {
          for (const data of files.get(key(taskId, area))?.values() ?? []) freed += data.byteLength
          files.delete(key(taskId, area))
        }
        return freed
      }),
    tasks: Effect.sync(() => [...new Set([...files.keys()].map((k) => k.split("/")[0]!))]),
    check: Effect.void
  })
})
