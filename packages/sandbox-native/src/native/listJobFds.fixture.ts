// Run by NativeSandbox.test.ts as a server started with an inherited descriptor: prints the
// descriptors this process holds, then those a job's program holds (fstat on each number, so the
// listing opens nothing itself).
import * as fs from "node:fs"
import { Effect } from "effect"
import { standardLimits } from "@codebox/core"
import * as NativeSandbox from "../NativeSandbox.ts"

const listFds =
  "import os\nfds = []\nfor fd in range(1024):\n  try:\n    os.fstat(fd)\n    fds.append(fd)\n  except OSError:\n    pass\nprint(*fds)\n"

const job = Effect.scoped(
  Effect.gen(function* () {
    const sandbox = yield* NativeSandbox.make()
    return yield* sandbox.run({
      argv: ["/usr/bin/python3", "-c", listFds],
      stdin: null,
      env: {},
      cwd: "/",
      mounts: [],
      limits: standardLimits,
      runtime: { image: "", dockerfile: "", nativePaths: [], env: {}, debianPackages: [] }
    })
  })
)

console.log(fs.readdirSync("/proc/self/fd").join(" "))
const outcome = await Effect.runPromise(job)
process.stdout.write(outcome.stdout + outcome.stderr)
