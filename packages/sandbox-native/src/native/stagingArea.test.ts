import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { mountStagingArea, unmountStagingArea } from "./staging.ts"

const parent = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-staging-test-"))
afterAll(() => fs.rmSync(parent, { recursive: true, force: true }))

/** A pid no process has any more: a child that has exited and been reaped. */
const deadPid = (): number => Number(spawnSync("/bin/sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim())

describe("the staging area", () => {
  it("has a random name without the owner's pid; a crashed owner's area is removed at the next start", async () => {
    // What a crashed process left: its area, and the side file naming it as the owner.
    // It is still mounted, with a step's own area mounted inside it and a file in that.
    const crashed = path.join(parent, "staging-0123456789abcdef")
    fs.mkdirSync(crashed)
    fs.writeFileSync(`${crashed}.owner`, String(deadPid()))
    const area = path.join(crashed, "area-0123456789abcdef")
    spawnSync("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "codebox-staging", crashed])
    fs.mkdirSync(area)
    spawnSync("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "codebox-staging", area])
    fs.writeFileSync(path.join(area, "out.txt"), "a job's output")
    expect(fs.readFileSync("/proc/self/mountinfo", "utf8")).toContain(area)
    // A live process's area stays.
    const alive = path.join(parent, "staging-fedcba9876543210")
    fs.mkdirSync(alive)
    fs.writeFileSync(`${alive}.owner`, String(process.pid))

    const dir = await mountStagingArea(parent, 1)
    try {
      expect(path.basename(dir)).toMatch(/^staging-[0-9a-f]{16}$/)
      expect(dir).not.toContain(String(process.pid))
      expect(fs.readFileSync(`${dir}.owner`, "utf8")).toBe(String(process.pid))
      expect(fs.existsSync(crashed)).toBe(false)
      expect(fs.readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(crashed)
      expect(fs.existsSync(`${crashed}.owner`)).toBe(false)
      expect(fs.existsSync(alive)).toBe(true)
    } finally {
      await unmountStagingArea(dir)
    }
    expect(fs.existsSync(`${dir}.owner`)).toBe(false)
  })
})
