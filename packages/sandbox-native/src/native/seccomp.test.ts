import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { hidePaths } from "./hidePaths.ts"
import { seccompFilterProblem, seccompSourceDir } from "./seccomp.ts"

describe("the seccomp filter's build", () => {
  it("build.sh --check: the committed Docker profile is the one denied.txt generates", { timeout: 300_000 }, () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-seccomp-"))
    try {
      // Fails (non-zero exit, so execFileSync throws) when docker-seccomp.json is stale.
      execFileSync(path.join(seccompSourceDir, "build.sh"), ["--check", out], { stdio: ["ignore", "ignore", "pipe"] })
      expect(seccompFilterProblem(path.join(out, "codebox.bpf"))).toBeNull()
      const profile = JSON.parse(fs.readFileSync(path.join(out, "docker-seccomp.json"), "utf8")) as { defaultAction: string }
      expect(profile.defaultAction).toBe("SCMP_ACT_ERRNO")
    } finally {
      fs.rmSync(out, { recursive: true, force: true })
    }
  })

  it("a missing or malformed filter is refused with the command that builds it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-seccomp-"))
    try {
      const missing = seccompFilterProblem(path.join(dir, "codebox.bpf"))
      expect(missing).toContain("is missing")
      expect(missing).toContain(`${path.join(seccompSourceDir, "build.sh")} ${dir}`)
      fs.writeFileSync(path.join(dir, "codebox.bpf"), "not a filter")
      expect(seccompFilterProblem(path.join(dir, "codebox.bpf"))).toContain("not a compiled seccomp filter")
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("hidePaths", () => {
  it("replaces absolute paths, keeps the rest of the message", () => {
    expect(hidePaths("ENOENT: no such file or directory, scandir '/tmp/codebox-jobs/abc/src'")).toBe(
      "ENOENT: no such file or directory, scandir '<path>'"
    )
    expect(hidePaths("bwrap: Can't find source path /run/codebox/x: No such file")).toBe(
      "bwrap: Can't find source path <path>: No such file"
    )
    expect(hidePaths("exit 1 and/or 2")).toBe("exit 1 and/or 2")
  })
})
