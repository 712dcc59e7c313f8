import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { removeTree } from "./removeTree.ts"

/** A chain of `depth` directories under a fresh directory, made with relative paths (as a program would). */
const deepTree = (depth: number) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-removetree-"))
  const start = process.cwd()
  try {
    process.chdir(root)
    for (let i = 0; i < depth; i++) {
      fs.mkdirSync("dd")
      process.chdir("dd")
      if (i % 500 === 0) fs.writeFileSync("file", "x")
      if (i % 700 === 0) fs.symlinkSync("/etc/passwd", "link")
    }
  } finally {
    process.chdir(start)
  }
  return root
}

describe("removeTree", () => {
  it("removes a tree deeper than PATH_MAX allows to name (3,000 levels), links unfollowed", { timeout: 120_000 }, async () => {
    const root = deepTree(3000)
    await removeTree(root)
    expect(fs.existsSync(root)).toBe(false)
    expect(fs.existsSync("/etc/passwd")).toBe(true)
  })

  it("removes a wide tree and a lone file's directory; a missing directory is fine", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-removetree-"))
    for (let i = 0; i < 200; i++) fs.mkdirSync(path.join(root, `d${i}`, "x"), { recursive: true })
    fs.writeFileSync(path.join(root, "d3", "x", "f"), "data")
    await removeTree(root)
    expect(fs.existsSync(root)).toBe(false)
    await removeTree(root)
  })
})
