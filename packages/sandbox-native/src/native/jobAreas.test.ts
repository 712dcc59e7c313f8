import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { areaSizeMb, makeJobAreaPool } from "./jobAreas.ts"

const parent = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-areas-test-"))
afterAll(() => fs.rmSync(parent, { recursive: true, force: true }))

const MiB = 1024 * 1024

describe("job staging areas", () => {
  it("are sized for the inputs plus each writable budget, with a MiB of slack", () => {
    expect(areaSizeMb(0, [])).toBe(1)
    expect(areaSizeMb(10, [64 * MiB])).toBe(66)
    expect(areaSizeMb(3 * MiB, [8 * MiB, 8 * MiB])).toBe(20)
  })

  it("bound what one step can write, say when it filled its area, and are reused once emptied", async () => {
    const pool = makeJobAreaPool(parent)
    try {
      const area = await pool.acquire(2)
      expect(await pool.filled(area)).toBe(false)
      fs.mkdirSync(path.join(area.dir, "out"))
      let written = 0
      expect(() => {
        for (;;) {
          fs.appendFileSync(path.join(area.dir, "out", `f-${written}`), Buffer.alloc(256 * 1024, 1))
          written += 256 * 1024
        }
      }).toThrow(/ENOSPC/)
      expect(written).toBeLessThanOrEqual(2 * MiB)
      expect(await pool.filled(area)).toBe(true)
      await pool.release(area)
      // Emptied and kept: the next step of that size pays no mount.
      const again = await pool.acquire(2)
      expect(again.dir).toBe(area.dir)
      expect(fs.readdirSync(again.dir)).toEqual([])
      expect(await pool.filled(again)).toBe(false)
      expect(pool.mounts()).toBe(1)
      // Another size is another mount.
      const other = await pool.acquire(3)
      expect(other.dir).not.toBe(area.dir)
      expect(pool.mounts()).toBe(2)
      await pool.release(other)
      await pool.release(again)
    } finally {
      await pool.close()
    }
    expect(fs.readdirSync(parent)).toEqual([])
  })
})
