import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Stream } from "effect"
import { StorageError } from "./domain/Errors.ts"
import { FileStorage, streamChunkBytes } from "./FileStorage.ts"
import { OutputZips, outputsZipName, type ZipEncoder } from "./OutputZips.ts"
import * as LocalFileStorage from "./storage/LocalFileStorage.ts"
import * as MemoryFileStorage from "./storage/MemoryFileStorage.ts"

const taskId = "00000000-0000-4000-8000-000000000001"
const text = (s: string) => new TextEncoder().encode(s)
const collect = (stream: Stream.Stream<Uint8Array, StorageError>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => Buffer.concat([...chunks]))

/** An "archive" that is each entry's name and bytes one after another, and counts how often it ran. */
const countingEncoder = () => {
  let builds = 0
  const encode: ZipEncoder = (entries) =>
    Stream.suspend(() => {
      builds++
      return Stream.flatMap(Stream.fromIterable(entries), (entry) => Stream.concat(Stream.make(text(`${entry.name}:`)), entry.content))
    })
  return { encode, builds: () => builds }
}

const localStorage = Layer.unwrap(
  Effect.map(
    Effect.acquireRelease(
      Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "codebox-zips-"))),
      (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
    ),
    (dir) => LocalFileStorage.layer(dir)
  )
)

for (const [adapter, storage] of [
  ["local", localStorage],
  ["memory", MemoryFileStorage.layer]
] as const) {
  describe(`OutputZips over ${adapter} storage`, () => {
    it.effect("builds a task's zip once for concurrent requests and serves the kept one after", () => {
      const encoder = countingEncoder()
      return Effect.gen(function* () {
        const files = yield* FileStorage
        const zips = yield* OutputZips
        yield* files.write(taskId, "out", "a.txt", text("alpha"))
        yield* files.write(taskId, "out", "b.txt", text("beta"))

        const all = yield* Effect.forEach(
          Array.from({ length: 30 }, () => zips.zipOf(taskId, ["a.txt", "b.txt"])),
          (download) => Effect.flatMap(download, (d) => Effect.map(collect(d.content), (bytes) => ({ size: d.size, bytes }))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(encoder.builds(), 1)
        for (const { size, bytes } of all) {
          assert.strictEqual(bytes.toString(), "a.txt:alphab.txt:beta")
          assert.strictEqual(size, bytes.byteLength)
        }
        yield* zips.zipOf(taskId, ["a.txt", "b.txt"])
        assert.strictEqual(encoder.builds(), 1)

        // Removing the task's files removes its kept zip too.
        yield* files.remove(taskId)
        assert.isTrue(Option.isNone(yield* files.stat(taskId, "cache", outputsZipName)))
      }).pipe(Effect.provide(OutputZips.layer(encoder.encode).pipe(Layer.provideMerge(storage))))
    })

    it.effect("keeps nothing when the build fails, and builds again on the next request", () => {
      let fail = true
      const encode: ZipEncoder = (entries) =>
        fail ? Stream.concat(Stream.make(text("partial")), Stream.fail(new StorageError({ message: "disk gone" }))) : entries[0]!.content
      return Effect.gen(function* () {
        const files = yield* FileStorage
        const zips = yield* OutputZips
        yield* files.write(taskId, "out", "a.txt", text("alpha"))
        const failed = yield* Effect.flip(zips.zipOf(taskId, ["a.txt"]))
        assert.strictEqual(failed.message, "disk gone")
        assert.isTrue(Option.isNone(yield* files.stat(taskId, "cache", outputsZipName)))
        fail = false
        const download = yield* zips.zipOf(taskId, ["a.txt"])
        assert.strictEqual((yield* collect(download.content)).toString(), "alpha")
      }).pipe(Effect.provide(OutputZips.layer(encode).pipe(Layer.provideMerge(storage))))
    })

    it.effect("streams a file in chunks of at most 64 KiB, and states its size", () =>
      Effect.gen(function* () {
        const files = yield* FileStorage
        const size = 3 * streamChunkBytes + 5
        const data = new Uint8Array(size).map((_, i) => i % 251)
        yield* files.write(taskId, "out", "big.bin", data)
        const chunks = yield* Stream.runCollect(files.stream(taskId, "out", "big.bin"))
        assert.isTrue([...chunks].every((chunk) => chunk.byteLength <= streamChunkBytes))
        assert.deepStrictEqual(new Uint8Array(Buffer.concat([...chunks])), data)
        assert.deepStrictEqual(yield* files.stat(taskId, "out", "big.bin"), Option.some({ name: "big.bin", size }))
        assert.isTrue(Option.isNone(yield* files.stat(taskId, "out", "none.bin")))
      }).pipe(Effect.provide(storage))
    )
  })
}
