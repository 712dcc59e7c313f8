import * as fs from "node:fs"
import * as path from "node:path"
import { processAlive } from "@codebox/core"

export interface UidRange {
  readonly first: number
  readonly count: number
}

/**
 * Each running step gets a uid (and the same gid) of its own, so no two jobs share an identity even
 * across CodeBox processes on one host. A lease is a file `lockDir/<uid>` created exclusively and
 * holding the owner's pid; a lease whose owner died is taken over. Returns null when all are taken.
 */
export const tryLeaseUid = (lockDir: string, range: UidRange): number | null => {
  for (let uid = range.first; uid < range.first + range.count; uid++) {
    const file = path.join(lockDir, String(uid))
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx", mode: 0o600 })
      return uid
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
      const owner = Number(readLease(file) || "0")
      if (owner > 0 && !processAlive(owner)) fs.rmSync(file, { force: true })
    }
  }
  return null
}

/** The lease's pid; "" when it is being written or was released between our create and our read. */
const readLease = (file: string): string => {
  try {
    return fs.readFileSync(file, "utf8").trim()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return ""
    throw e
  }
}

export const releaseUid = (lockDir: string, uid: number): void => {
  fs.rmSync(path.join(lockDir, String(uid)), { force: true })
}

/** /etc/passwd and /etc/group for the sandbox: every uid of the range is the user "sandbox". */
export const writeIdentityFiles = (dir: string, range: UidRange): { passwd: string; group: string } => {
  const passwd = path.join(dir, "passwd")
  const group = path.join(dir, "group")
  const uids = Array.from({ length: range.count }, (_, i) => range.first + i)
  fs.writeFileSync(
    passwd,
    ["root:x:0:0:root:/root:/usr/sbin/nologin", ...uids.map((u) => `sandbox:x:${u}:${u}:sandbox:/tmp:/usr/sbin/nologin`), ""].join("\n"),
    { mode: 0o644 }
  )
  fs.writeFileSync(group, ["root:x:0:", ...uids.map((u) => `sandbox:x:${u}:`), ""].join("\n"), { mode: 0o644 })
  return { passwd, group }
}
