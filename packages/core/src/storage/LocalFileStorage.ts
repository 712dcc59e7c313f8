import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Layer, Option, Stream } from "effect"
import { StorageError } from "../domain/Errors.ts"
import { type Area, FileStorage, streamChunkBytes } from "../FileStorage.ts"
import { isSafeFileName } from "./names.ts"

const fail = (message: string) => (cause: unknown) => new StorageError({ message, cause })

/**
 * Files under `root/{taskId}/{in,out,cache}/{name}`. Names are checked to be plain base names before
 * any path is built, and the directory tree is CodeBox's own (sandboxes never see it). Streamed
 * writes go to `root/{taskId}/.partial/` first and are renamed into their area when complete.
 */
export const layer = (root: string) =>
  Layer.effect(
    FileStorage,
    Effect.gen(function* () {
      yield* Effect.tryPromise({
        try: () => fs.promises.mkdir(root, { recursive: true, mode: 0o700 }),
        catch: fail(`cannot create storage directory ${root}`)
      })
      const taskDir = (taskId: string) => path.join(root, path.basename(taskId))
      const filePath = (taskId: string, area: Area, name: string) =>
        isSafeFileName(name)
          ? Effect.succeed(path.join(taskDir(taskId), area, name))
          : Effect.fail(new StorageError({ message: `invalid file name "${name}"` }))

      const sizeOf = async (dir: string): Promise<number> => {
        let total = 0
        for (const entry of await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => [])) {
          const full = path.join(dir, entry.name)
          total += entry.isDirectory() ? await sizeOf(full) : (await fs.promises.lstat(full)).size
        }
        return total
      }

      return FileStorage.of({
        write: Effect.fn("LocalFileStorage.write")(function* (taskId, area, name, data) {
          const file = yield* filePath(taskId, area, name)
          yield* Effect.tryPromise({
            try: async () => {
              await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
              await fs.promises.writeFile(file, data, { mode: 0o600 })
            },
            catch: fail(`cannot write ${area}/${name}`)
          })
        }),
        writeStream: <E>(taskId: string, area: Area, name: string, data: Stream.Stream<Uint8Array, E>) =>
          Effect.flatMap(filePath(taskId, area, name), (file) => {
            const partialDir = path.join(taskDir(taskId), ".partial")
            const partial = path.join(partialDir, `${randomUUID()}-${name}`)
            const open = Effect.tryPromise({
              try: async () => {
                await fs.promises.mkdir(partialDir, { recursive: true, mode: 0o700 })
                return await fs.promises.open(partial, "w", 0o600)
              },
              catch: fail(`cannot write ${area}/${name}`)
            })
            const writeAll = (handle: fs.promises.FileHandle) =>
              Effect.gen(function* () {
                let size = 0
                yield* Stream.runForEach(data, (chunk) =>
                  Effect.tryPromise({
                    try: async () => {
                      // write() may write less than asked; loop until the chunk is on disk.
                      for (let offset = 0; offset < chunk.byteLength; ) {
                        offset += (await handle.write(chunk, offset, chunk.byteLength - offset)).bytesWritten
                      }
                      size += chunk.byteLength
                    },
                    catch: fail(`cannot write ${area}/${name}`)
                  })
                )
                return size
              })
            const close = (handle: fs.promises.FileHandle) => Effect.promise(() => handle.close().catch(() => undefined))
            return Effect.acquireUseRelease(open, writeAll, close).pipe(
              Effect.tap(() =>
                Effect.tryPromise({
                  try: async () => {
                    await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
                    await fs.promises.rename(partial, file)
                  },
                  catch: fail(`cannot write ${area}/${name}`)
                })
              ),
              Effect.onError(() => Effect.promise(() => fs.promises.rm(partial, { force: true }).catch(() => undefined))),
              Effect.withSpan("LocalFileStorage.writeStream")
            )
          }),
        read: Effect.fn("LocalFileStorage.read")(function* (taskId, area, name) {
          const file = yield* filePath(taskId, area, name)
          return yield* Effect.tryPromise({ try: () => fs.promises.readFile(file), catch: fail(`cannot read ${area}/${name}`) })
        }),
        stream: (taskId, area, name) =>
          Stream.unwrap(
            Effect.map(filePath(taskId, area, name), (file) =>
              Stream.fromAsyncIterable(
                fs.createReadStream(file, { highWaterMark: streamChunkBytes }) as AsyncIterable<Uint8Array>,
                fail(`cannot read ${area}/${name}`)
              )
            )
          ),
        stat: Effect.fn("LocalFileStorage.stat")(function* (taskId, area, name) {
          const file = yield* filePath(taskId, area, name)
          return yield* Effect.tryPromise({
            try: () =>
              fs.promises.stat(file).then(
                (stats) => (stats.isFile() ? Option.some({ name, size: stats.size }) : Option.none()),
                (e) => {
                  if (e.code === "ENOENT") return Option.none()
                  throw e
                }
              ),
            catch: fail(`cannot read ${area}/${name}`)
          })
        }),
        list: Effect.fn("LocalFileStorage.list")(function* (taskId, area) {
          const dir = path.join(taskDir(taskId), area)
          return yield* Effect.tryPromise({
            try: async () => {
              const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch((e) => {
                if (e.code === "ENOENT") return []
                throw e
              })
              const files = entries
                .filter((e) => e.isFile())
                .map((e) => e.name)
                .sort()
              return Promise.all(files.map(async (name) => ({ name, size: (await fs.promises.stat(path.join(dir, name))).size })))
            },
            catch: fail(`cannot list ${area} of ${taskId}`)
          })
        }),
        remove: Effect.fn("LocalFileStorage.remove")(function* (taskId) {
          const dir = taskDir(taskId)
          return yield* Effect.tryPromise({
            try: async () => {
              const size = await sizeOf(dir)
              await fs.promises.rm(dir, { recursive: true, force: true })
              return size
            },
            catch: fail(`cannot remove files of ${taskId}`)
          })
        }),
        tasks: Effect.tryPromise({ try: () => fs.promises.readdir(root), catch: fail("cannot list storage") }),
        check: Effect.tryPromise({ try: () => fs.promises.access(root, fs.constants.W_OK), catch: fail(`storage ${root} is not writable`) })
      })
    })
  )
