import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { releaseUid, takeoverLockName, tryLeaseUid, tryLock } from "./uids.ts"

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "uids-"))
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const range = { first: 500, count: 2 }
/** A pid far above pid_max is never a live process. */
const deadPid = "99999999"

describe("uid leases", () => {
  it("gives each step a uid of its own until the range is used up, and again once released", async () => {
    expect([await tryLeaseUid(dir, range), await tryLeaseUid(dir, range), await tryLeaseUid(dir, range)]).toEqual([500, 501, null])
    releaseUid(dir, 500)
    expect(await tryLeaseUid(dir, range)).toBe(500)
    expect(fs.readFileSync(path.join(dir, "500"), "utf8")).toBe(String(process.pid))
  })

  it("takes over a lease whose owner died, and leaves a live owner's alone", async () => {
    fs.writeFileSync(path.join(dir, "500"), deadPid)
    fs.writeFileSync(path.join(dir, "501"), String(process.pid))
    expect(await tryLeaseUid(dir, range)).toBe(500)
    expect(fs.readFileSync(path.join(dir, "500"), "utf8")).toBe(String(process.pid))
    expect(await tryLeaseUid(dir, range)).toBeNull()
  })

  it("skips a lease without a pid until it is old enough to be a crash's", async () => {
    fs.writeFileSync(path.join(dir, "500"), "")
    expect(await tryLeaseUid(dir, range)).toBe(501)
    const old = new Date(Date.now() - 60_000)
    fs.utimesSync(path.join(dir, "500"), old, old)
    expect(await tryLeaseUid(dir, range)).toBe(500)
  })

  it("never removes a dead owner's lease while another process holds its takeover lock", async () => {
    fs.writeFileSync(path.join(dir, "500"), deadPid)
    const lock = await tryLock(takeoverLockName(dir, 500))
    expect(lock).not.toBeNull()
    try {
      // Another process is taking uid 500 over: this one must move on, not remove what it is writing.
      expect(await tryLeaseUid(dir, { first: 500, count: 1 })).toBeNull()
      expect(fs.readFileSync(path.join(dir, "500"), "utf8")).toBe(deadPid)
    } finally {
      lock?.close()
    }
    expect(await tryLeaseUid(dir, { first: 500, count: 1 })).toBe(500)
  })

  // The race window is microseconds, so this rarely catches a non-atomic takeover by itself; the
  // test above is the one that fails without the lock. This one runs the lock across processes.
  it("gives a dead owner's uid to exactly one of several processes racing for it", { timeout: 180_000 }, async () => {
    // With -e, process.argv[1] and [2] are the arguments after the script. Each racer says it is
    // ready, then waits for the start signal in 1 ms sleeps (a busy loop in every racer starved a
    // loaded 2-core machine past the test's timeout).
    const script = `
      const { tryLeaseUid } = await import(${JSON.stringify(path.join(import.meta.dirname, "uids.ts"))})
      const fs = await import("node:fs")
      const nap = new Int32Array(new SharedArrayBuffer(4))
      console.log("ready")
      // Never outlive the test: its racers would otherwise wait for a signal that never comes.
      const deadline = Date.now() + 150_000
      while (!fs.existsSync(process.argv[1])) {
        if (Date.now() > deadline) process.exit(1)
        Atomics.wait(nap, 0, 0, 1)
      }
      const uid = await tryLeaseUid(process.argv[2], { first: 500, count: 1 })
      console.log(String(uid))
      // Stay alive holding the lease, so a later racer sees a live owner, until stdin closes.
      process.stdin.resume()
      process.stdin.on("end", () => process.exit(0))
    `
    const line = (child: ReturnType<typeof spawn>, n: number) =>
      new Promise<string>((resolve) => {
        let out = ""
        child.stdout!.on("data", (d) => {
          out += d
          const lines = out.split("\n")
          if (lines.length > n) resolve(lines[n - 1]!.trim())
        })
      })
    for (let round = 0; round < 3; round++) {
      const roundDir = fs.mkdtempSync(path.join(dir, "round-"))
      fs.writeFileSync(path.join(roundDir, "500"), deadPid)
      const go = path.join(roundDir, "go")
      const racers = Array.from({ length: 5 }, () =>
        spawn(process.execPath, ["--input-type=module", "-e", script, go, roundDir], { stdio: ["pipe", "pipe", "inherit"] })
      )
      const results = racers.map((child) => line(child, 2))
      let uids: Array<string>
      try {
        await Promise.all(racers.map((child) => line(child, 1)))
        fs.writeFileSync(go, "")
        uids = await Promise.all(results)
      } finally {
        for (const child of racers) child.kill("SIGKILL")
      }
      expect(
        uids.filter((u) => u === "500"),
        `round ${round}: ${uids.join(",")}`
      ).toHaveLength(1)
    }
  })
})
