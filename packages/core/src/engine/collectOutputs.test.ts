import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { execFileSync } from "node:child_process"
import { Effect, Stream } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { collectOutputs } from "./collectOutputs.ts"

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "collect-"))
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

/** What was saved, by name: the bytes as collectOutputs streamed them. */
let saved: Map<string, Uint8Array>
const collect = (maxFiles = 10, maxBytes = 1 << 20) => {
  saved = new Map()
  return collectOutputs(dir, { maxFiles, maxBytes }, (name, chunks) =>
    Effect.map(Stream.runCollect(chunks), (parts) => saved.set(name, Buffer.concat([...parts])))
  )
}

describe("collectOutputs", () => {
  it.effect("collects regular files with size, sha256 and content type", () =>
    Effect.gen(function* () {
      fs.writeFileSync(path.join(dir, "b.txt"), "hello")
      fs.writeFileSync(path.join(dir, "a.png"), Buffer.from([1, 2, 3]))
      const { files, skipped } = yield* collect()
      expect(files).toEqual([
        { name: "a.png", size: 3, sha256: "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81", content_type: "image/png" },
        {
          name: "b.txt",
          size: 5,
          sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
          content_type: "text/plain; charset=utf-8"
        }
      ])
      expect(skipped).toEqual([])
      expect(Buffer.from(saved.get("b.txt")!).toString()).toBe("hello")
      expect([...saved.get("a.png")!]).toEqual([1, 2, 3])
    })
  )

  it.effect("streams a large file in chunks and saves it whole; an empty file is saved empty", () =>
    Effect.gen(function* () {
      const big = Buffer.alloc(300_000, 7)
      fs.writeFileSync(path.join(dir, "big.bin"), big)
      fs.writeFileSync(path.join(dir, "empty.txt"), "")
      let chunks = 0
      const { files } = yield* collectOutputs(dir, { maxFiles: 10, maxBytes: 1 << 20 }, (_name, stream) =>
        Stream.runForEach(stream, () => Effect.sync(() => void chunks++))
      )
      expect(files.map((f) => [f.name, f.size])).toEqual([
        ["big.bin", 300_000],
        ["empty.txt", 0]
      ])
      expect(chunks).toBeGreaterThan(1)
      const whole = yield* collect()
      expect(whole.files[0]!.sha256).toBe("08f166476de183f7a1b2874d544d37912aaf8d19b92013e1aafe233ba231024a")
      expect(Buffer.compare(Buffer.from(saved.get("big.bin")!), big)).toBe(0)
      expect(saved.get("empty.txt")!.byteLength).toBe(0)
    })
  )

  it.effect("refuses links, directories and fifos, and never reads through a link", () =>
    Effect.gen(function* () {
      fs.symlinkSync("/etc/passwd", path.join(dir, "passwd.txt"))
      fs.symlinkSync("/etc", path.join(dir, "etc"))
      fs.mkdirSync(path.join(dir, "sub"))
      fs.writeFileSync(path.join(dir, "sub", "inner.txt"), "x")
      execFileSync("mkfifo", [path.join(dir, "pipe")])
      fs.linkSync(path.join(dir, "sub", "inner.txt"), path.join(dir, "hard.txt"))
      const { files, skipped } = yield* collect()
      expect(files.map((f) => f.name)).toEqual(["hard.txt"])
      expect(skipped).toEqual([
        { name: "etc", reason: "a link" },
        { name: "passwd.txt", reason: "a link" },
        { name: "pipe", reason: "not a regular file" },
        { name: "sub", reason: "a directory" }
      ])
    })
  )

  it.effect("caps the number of files and their total size", () =>
    Effect.gen(function* () {
      for (const n of [1, 2, 3, 4]) fs.writeFileSync(path.join(dir, `f${n}.txt`), "x".repeat(400))
      const byCount = yield* collect(2)
      expect(byCount.files.map((f) => f.name)).toEqual(["f1.txt", "f2.txt"])
      expect(byCount.skipped).toEqual([
        { name: "f3.txt", reason: "over the cap of 2 files" },
        { name: "f4.txt", reason: "over the cap of 2 files" }
      ])
      const bySize = yield* collect(10, 1000)
      expect(bySize.files.map((f) => f.name)).toEqual(["f1.txt", "f2.txt"])
      expect(bySize.skipped[0]).toEqual({ name: "f3.txt", reason: "over the cap of 1000 bytes in all" })
    })
  )

  it.effect("skips names that are not safe base names", () =>
    Effect.gen(function* () {
      fs.writeFileSync(path.join(dir, "we ird.txt"), "x")
      const { files, skipped } = yield* collect()
      expect(files).toEqual([])
      expect(skipped[0]).toEqual({ name: "we ird.txt", reason: expect.stringContaining("characters outside") })
    })
  )
})
