import { Effect, Layer, Stream } from "effect"
import { StorageError } from "../domain/Errors.ts"
import { FileStorage } from "../FileStorage.ts"

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
  return FileStorage.of({
    write: (taskId, area, name, data) =>
      Effect.sync(() => {
        const k = key(taskId, area)
        const area_ = files.get(k) ?? new Map()
        area_.set(name, Uint8Array.from(data))
        files.set(k, area_)
      }),
    read: get,
    stream: (taskId, area, name) => Stream.fromEffect(get(taskId, area, name)),
    list: (taskId, area) =>
      Effect.sync(() =>
        [...(files.get(key(taskId, area)) ?? new Map<string, Uint8Array>()).entries()]
          .map(([name, data]) => ({ name, size: data.byteLength }))
          .sort((a, b) => a.name.localeCompare(b.name))
      ),
    remove: (taskId) =>
      Effect.sync(() => {
        let freed = 0
        for (const area of ["in", "out"]) {
          for (const data of files.get(key(taskId, area))?.values() ?? []) freed += data.byteLength
          files.delete(key(taskId, area))
        }
        return freed
      }),
    tasks: Effect.sync(() => [...new Set([...files.keys()].map((k) => k.split("/")[0]!))]),
    check: Effect.void
  })
})
