// Run by NativeSandbox.test.ts in a server process that holds a session keyring (as one started
// from a login session does, which every child inherits): job 1 adds a key to the session keyring,
// job 2, the next one with the same uid, reads it. Prints each job's uid and what it printed.
// argv[2] "off" runs without the seccomp filter: the control that shows the leak is real.
import { Effect } from "effect"
import { standardLimits } from "@codebox/core"
import * as NativeSandbox from "../NativeSandbox.ts"

const keyring = [
  "import ctypes, os, sys",
  "libc = ctypes.CDLL(None, use_errno=True)",
  "libc.syscall.restype = ctypes.c_long",
  "L = ctypes.c_long",
  "if sys.argv[1] == 'add':",
  "    key = libc.syscall(L(248), b'user', b'codebox-hostile', b'secret-from-job-1', L(17), L(-3))",
  "    print(os.getuid(), 'added' if key >= 0 else os.strerror(ctypes.get_errno()))",
  "else:",
  "    key = libc.syscall(L(250), L(10), L(-3), b'user', b'codebox-hostile', L(0))",
  "    buf = ctypes.create_string_buffer(64)",
  "    n = libc.syscall(L(250), L(11), L(key), buf, L(63)) if key >= 0 else -1",
  "    print(os.getuid(), buf.value.decode() if n >= 0 else 'none')"
].join("\n")

const jobs = Effect.scoped(
  Effect.gen(function* () {
    const sandbox = yield* NativeSandbox.make(process.argv[2] === "off" ? { seccompFilter: null } : {})
    const lines: Array<string> = []
    for (const action of ["add", "read"]) {
      const outcome = yield* sandbox.run({
        argv: ["/usr/bin/python3", "-c", keyring, action],
        stdin: null,
        env: {},
        cwd: "/",
        mounts: [],
        limits: standardLimits,
        runtime: { image: "", dockerfile: "", nativePaths: [], env: {}, debianPackages: [] }
      })
      lines.push((outcome.stdout + outcome.stderr).trim())
    }
    return lines
  })
)

console.log((await Effect.runPromise(jobs)).join("\n"))
