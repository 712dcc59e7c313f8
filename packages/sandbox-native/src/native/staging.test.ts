import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { copyTree } from "./staging.ts"

const dirs: Array<string> = []
const scratch = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-copytree-"))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

describe("copyTree", () => {
  it("counts sparse files by apparent size: past the budget they are left out, not written", async () => {
    const from = scratch()
    const to = scratch()
    for (let i = 0; i < 4; i++) {
      fs.writeFileSync(path.join(from, `sparse-${i}.bin`), "")
      fs.truncateSync(path.join(from, `sparse-${i}.bin`), 256 * 1024 * 1024)
    }
    fs.writeFileSync(path.join(from, "small.txt"), "kept")
    const { leftOut } = await copyTree(from, to, null, { maxBytes: 1024 * 1024 })
    expect(leftOut).toBe(4)
    expect(fs.readdirSync(to)).toEqual(["small.txt"])
    expect(fs.readFileSync(path.join(to, "small.txt"), "utf8")).toBe("kept")
  })

  it("copies at most 16 levels of a deep tree, and never a link", async () => {
    const from = scratch()
    const to = scratch()
    let dir = from
    for (let i = 0; i < 40; i++) {
      dir = path.join(dir, "d")
      fs.mkdirSync(dir)
      fs.writeFileSync(path.join(dir, "f"), String(i))
    }
    fs.symlinkSync("/etc/passwd", path.join(from, "link"))
    await copyTree(from, to, null, { maxBytes: 1024 * 1024 })
    let depth = 0
    for (let d = path.join(to, "d"); fs.existsSync(d); d = path.join(d, "d")) depth++
    expect(depth).toBe(16)
    expect(fs.existsSync(path.join(to, "link"))).toBe(false)
  })
})
