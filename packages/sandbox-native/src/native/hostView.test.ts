import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { devOptions, type HostView, mountPoints, overlayFstab, overlayTops, prepareHostView, sourceIn } from "./hostView.ts"

describe("host view: pure parts", () => {
  it("reads mount points from mountinfo, octal escapes decoded", () => {
    const text = [
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
      "45 27 254:0 /x /srv/with\\040space rw - ext4 /dev/vda rw",
      "not a mount line"
    ].join("\n")
    expect(mountPoints(text)).toEqual(["/", "/srv/with space"])
  })

  it("covers only real directories with nothing mounted below them (an overlay would hide it)", () => {
    const dirs = new Set(["/usr", "/etc", "/opt", "/lib"])
    const tops = overlayTops(["/usr", "/etc", "/opt", "/lib", "/bin"], ["/", "/etc/hosts", "/optional", "/opt"], (p) => dirs.has(p))
    // /etc has a bind below it (a container's /etc/hosts); /opt itself being a mount point is fine;
    // /bin is a link into /usr here.
    expect(tops).toEqual(["/usr", "/opt", "/lib"])
  })

  it("mounts each top as a read-only overlay whose lower layers are named relative to the view directory", () => {
    expect(overlayFstab(["/usr", "/etc"], "/run/codebox/staging-ab/overlays-3")).toBe(
      "overlay /run/codebox/staging-ab/overlays-3/usr overlay ro,lowerdir=usr:empty 0 0\n" +
        "overlay /run/codebox/staging-ab/overlays-3/etc overlay ro,lowerdir=etc:empty 0 0\n"
    )
  })

  it("maps a host path into the overlays when a top covers it, else not at all", () => {
    const tops = ["/usr", "/etc", "/opt"]
    expect(sourceIn(tops, "/s/o-1", "/usr")).toBe("/s/o-1/usr")
    expect(sourceIn(tops, "/s/o-1", "/etc/php")).toBe("/s/o-1/etc/php")
    expect(sourceIn(tops, "/s/o-1", "/opt/codebox/node_modules")).toBe("/s/o-1/opt/codebox/node_modules")
    expect(sourceIn(tops, "/s/o-1", "/usrlocal")).toBeNull()
    expect(sourceIn(tops, "/s/o-1", "/srv/runtime")).toBeNull()
  })

  it("makes /dev from a tmpfs, the six nodes of the device tmpfs and bwrap's links", () => {
    const options = devOptions("/s/dev")
    expect(options.slice(0, 2)).toEqual(["--tmpfs", "/dev"])
    expect(options).toContain("/s/dev/null")
    const binds = options.flatMap((o, i) => (o === "--dev-bind" ? [options[i + 2]] : []))
    expect(binds).toEqual(["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"])
    expect(options.join(" ")).toContain("--symlink /proc/self/fd /dev/fd")
    expect(options).not.toContain("--dev")
  })
})

const isRoot = process.getuid?.() === 0

/** A view on a staging tmpfs of the test's own, removed afterwards. */
const withView = async (refreshMs: number, use: (view: HostView, staging: string) => Promise<void>) => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "hostview-"))
  const staging = path.join(parent, "staging")
  fs.mkdirSync(staging)
  execFileSync("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=1m,mode=0711", "test-staging", staging])
  let view: HostView | null = null
  try {
    const prepared = await prepareHostView(staging, { refreshMs })
    if ("problem" in prepared) throw new Error(prepared.problem)
    view = prepared
    await use(view, staging)
  } finally {
    await view?.close()
    execFileSync("/usr/bin/umount", ["--lazy", staging])
    fs.rmSync(parent, { recursive: true, force: true })
  }
}

describe.skipIf(!isRoot)("host view on this host", () => {
  it("mounts overlays showing the host's files, renews them when old, and a renewed set sees a new file", async () => {
    // A file the test adds under /usr (always covered) after the first set is mounted.
    const probe = `${fs.existsSync("/usr/local") ? "/usr/local" : "/usr/share"}/codebox-hostview-test-${process.pid}`
    try {
      await withView(0, async (view, staging) => {
        expect(view.tops).toContain("/usr")
        const first = await view.current()
        const env = first.sourceOf("/usr/bin/env")
        expect(env.startsWith(`${staging}/`)).toBe(true)
        expect(fs.readFileSync(env)).toEqual(fs.readFileSync("/usr/bin/env"))
        // Links are resolved on the host first: bwrap would resolve them against the host's root.
        if (fs.existsSync("/etc/localtime"))
          expect(first.sourceOf("/etc/localtime")).toBe(first.sourceOf(fs.realpathSync("/etc/localtime")))
        expect(first.sourceOf("/srv/not-covered")).toBe("/srv/not-covered")
        const mountinfo = fs.readFileSync("/proc/self/mountinfo", "utf8")
        const line = mountinfo.split("\n").find((l) => l.split(" ")[4] === path.dirname(first.sourceOf("/usr/bin")))
        expect(line).toMatch(/ - overlay overlay ro,lowerdir=usr:empty/)
        expect(fs.existsSync(first.sourceOf(probe))).toBe(false)
        fs.writeFileSync(probe, "new")
        // refreshMs 0: this call starts a renewal; the set in use stays until the new one is mounted.
        expect((await view.current()).id).toBe(first.id)
        for (let i = 0; i < 200 && (await view.current()).id === first.id; i++) await new Promise((r) => setTimeout(r, 25))
        const renewed = await view.current()
        expect(renewed.id).toBeGreaterThan(first.id)
        expect(fs.readFileSync(renewed.sourceOf(probe), "utf8")).toBe("new")
        // Device nodes work from the device tmpfs (not nodev).
        const devNull = view.dev[view.dev.indexOf("/dev/null") - 1]!
        expect(fs.statSync(devNull).isCharacterDevice()).toBe(true)
        fs.writeFileSync(devNull, "discarded")
      })
    } finally {
      fs.rmSync(probe, { force: true })
    }
  })

  it.skipIf(!fs.existsSync("/var/lib/dpkg/status"))("after a dpkg run the next step waits for a new set", async () => {
    await withView(3_600_000, async (view) => {
      const first = await view.current()
      expect((await view.current()).id).toBe(first.id)
      // What dpkg does to its status file on every install, upgrade or removal.
      const status = "/var/lib/dpkg/status"
      const { atime, mtime } = fs.statSync(status)
      try {
        fs.utimesSync(status, atime, new Date(mtime.getTime() + 1000))
        expect((await view.current()).id).toBeGreaterThan(first.id)
      } finally {
        fs.utimesSync(status, atime, mtime)
      }
    })
  })
})
