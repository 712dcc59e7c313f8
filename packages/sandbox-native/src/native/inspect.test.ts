import { spawn } from "node:child_process"
import { describe, expect, it } from "vitest"
import { findLeftovers } from "./inspect.ts"

// A process of a sandbox uid outside every job cgroup is what an escape looks like; the check
// must see one, or the hostile suite's "nothing left" could never fail.
describe.skipIf(process.getuid?.() !== 0)("findLeftovers", () => {
  it("reports a process of a sandbox uid that is outside every job cgroup", async () => {
    const uid = 299_990
    const query = { firstUid: uid, uidCount: 1, cgroupRoot: "codebox" }
    expect(findLeftovers(query)).toEqual([])
    const stray = spawn("/usr/bin/setpriv", [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "/usr/bin/sleep", "60"], {
      stdio: "ignore"
    })
    try {
      let found: Array<string> = []
      for (let i = 0; i < 100 && found.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
        found = findLeftovers(query)
      }
      expect(found).toEqual([`process ${stray.pid} (sleep, uid ${uid}) is outside every job cgroup`])
    } finally {
      stray.kill("SIGKILL")
    }
  })
})
