import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { c } from "@codebox/lang-c"
import { javascript } from "@codebox/lang-javascript"
import { php } from "@codebox/lang-php"
import { java } from "@codebox/lang-java"
import { lua } from "@codebox/lang-lua"
import { perl } from "@codebox/lang-perl"
import { bash } from "@codebox/lang-bash"
import { cpp } from "@codebox/lang-cpp"
import { python } from "@codebox/lang-python"
import { hostileSuite } from "@codebox/testkit"
import { afterAll, beforeAll } from "vitest"
import { makeUnisolatedSandbox } from "./unisolated/UnisolatedSandbox.ts"

/**
 * The hostile suite against a runner that does not isolate (./unisolated/UnisolatedSandbox.ts):
 * every isolation case must FAIL here, so none of them passes for a reason other than the sandbox
 * (issue 21: a C include case once passed without any sandbox). The job directories and the shared
 * /tmp are small tmpfs mounts, so the fill cases cannot fill the host's disk.
 */
const base = "/run/codebox-unisolated"
const sharedTmp = `${base}/tmp`
const workRoot = `${base}/work`
const mountTmpfs = (dir: string, size: string) => {
  fs.mkdirSync(dir, { recursive: true })
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=1777`, "codebox-unisolated", dir])
}
const unmount = (dir: string) => {
  try {
    execFileSync("umount", ["-l", dir])
  } catch {}
}

const runner = makeUnisolatedSandbox({ sharedTmp })

beforeAll(() => {
  for (const dir of [sharedTmp, workRoot]) unmount(dir)
  mountTmpfs(sharedTmp, "64m")
  mountTmpfs(workRoot, "512m")
})
afterAll(async () => {
  await runner.close()
  for (const dir of [sharedTmp, workRoot]) unmount(dir)
})

// Not typescript: its attacks are javascript's programs, shown to fail here under javascript.
hostileSuite("unisolated", runner.layer, {
  plugins: [python, c, javascript, php, cpp, bash, lua, perl, java],
  isolation: "absent",
  leftovers: () => runner.leftovers(),
  afterEach: () => runner.cleanup(),
  executor: { workRoot },
  timeoutMs: 60_000
})
