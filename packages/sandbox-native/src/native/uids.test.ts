import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { releaseUid, tryLeaseUid } from "./uids.ts"

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "uids-"))
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const range = { first: 500, count: 2 }

describe("uid leases", () => {
  it("gives each step a uid of its own until the range is used up, and again once released", () => {
    expect([tryLeaseUid(dir, range), tryLeaseUid(dir, range), tryLeaseUid(dir, range)]).toEqual([500, 501, null])
    releaseUid(dir, 500)
    expect(tryLeaseUid(dir, range)).toBe(500)
  })

  it("frees a lease whose owner died, and leaves a live owner's alone", () => {
    // A pid far above pid_max is never a live process.
    fs.writeFileSync(path.join(dir, "500"), "99999999")
    fs.writeFileSync(path.join(dir, "501"), String(process.pid))
    expect(tryLeaseUid(dir, range)).toBeNull()
    expect(fs.existsSync(path.join(dir, "500"))).toBe(false)
    expect(tryLeaseUid(dir, range)).toBe(500)
  })

  it("skips a lease still being written (empty)", () => {
    fs.writeFileSync(path.join(dir, "500"), "")
    expect(tryLeaseUid(dir, range)).toBe(501)
    expect(fs.existsSync(path.join(dir, "500"))).toBe(true)
  })
})
