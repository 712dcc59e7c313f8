import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { processAlive } from "@codebox/core"

export interface UidRange {
  readonly first: number
  readonly count: number
}

/**
 * Each running step gets a uid (and the same gid) of its own, so no two jobs share an identity even
 * across CodeBox processes on one host. A lease is a file `lockDir/<uid>` holding the owner's pid,
 * made atomically (linked into place, so it never exists empty). A lease whose owner died is taken
 * over under a per-uid takeover lock (see `takeOver`). Resolves to null when every uid is taken.
 */
export const tryLeaseUid = async (lockDir: string, range: UidRange): Promise<number | null> => {
  for (let uid = range.first; uid < range.first + range.count; uid++) {
    const file = leaseFile(lockDir, uid)
    if (createLease(lockDir, file)) return uid
    if (isStale(file) && (await takeOver(lockDir, uid))) return uid
  }
  return null
}

export const releaseUid = (lockDir: string, uid: number): void => {
  fs.rmSync(leaseFile(lockDir, uid), { force: true })
}

/**
 * Takes over a dead owner's lease. Two processes that both saw the dead owner must not both remove
 * the file: the second would remove the first one's fresh lease and both would run as that uid. So
 * a stale lease is removed only while holding the uid's takeover lock, an abstract unix socket the
 * kernel releases if its holder dies; under it the lease is read again, and removed only if its
 * owner is still a dead process (a live owner's lease is never removed by anyone but its owner).
 */
const takeOver = async (lockDir: string, uid: number): Promise<boolean> => {
  const lock = await tryLock(takeoverLockName(lockDir, uid))
  if (lock === null) return false
  try {
    const file = leaseFile(lockDir, uid)
    if (fs.existsSync(file) && !isStale(file)) return false
    fs.rmSync(file, { force: true })
    return createLease(lockDir, file)
  } finally {
    lock.close()
  }
}

/** The name of the takeover lock of `uid` for this lock directory (abstract names are host-wide). */
export const takeoverLockName = (lockDir: string, uid: number): string =>
  `codebox-uid-takeover-${createHash("sha256").update(path.resolve(lockDir)).digest("hex").slice(0, 16)}-${uid}`

/** Binds the abstract socket `name`: the lock is held while it is bound; null when another holds it. */
export const tryLock = (name: string): Promise<net.Server | null> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once("error", (e: NodeJS.ErrnoException) => (e.code === "EADDRINUSE" ? resolve(null) : reject(e)))
    server.listen({ path: `\0${name}` }, () => resolve(server))
  })

const leaseFile = (lockDir: string, uid: number) => path.join(lockDir, String(uid))

/**
 * Creates the lease with our pid in it, or returns false when it exists. Written to a file of our
 * own first and linked into place: link fails if the lease exists, and a lease never exists empty.
 */
const createLease = (lockDir: string, file: string): boolean => {
  const draft = path.join(lockDir, `.draft-${process.pid}`)
  fs.writeFileSync(draft, String(process.pid), { mode: 0o600 })
  try {
    fs.linkSync(draft, file)
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false
    throw e
  } finally {
    fs.rmSync(draft, { force: true })
  }
}

/** Leases left without a pid this long are a crash's (earlier versions could leave one empty). */
const unreadableStaleMs = 10_000

/** Whether the lease was left by a dead owner. A lease released meanwhile is not stale (it is gone). */
const isStale = (file: string): boolean => {
  try {
    const pid = Number(fs.readFileSync(file, "utf8").trim())
    if (Number.isInteger(pid) && pid > 0) return !processAlive(pid)
    return Date.now() - fs.statSync(file).mtimeMs > unreadableStaleMs
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false
    throw e
  }
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
