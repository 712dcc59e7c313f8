import type { HostilePrograms } from "@codebox/core"
import { hostileSyscalls } from "./hostileSyscalls.ts"

/** Attacks on the sandbox written in Python, run by the hostile suite (see HostilePrograms). */
export const hostile: HostilePrograms = {
  forkBomb: `import os\n\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n`,
  threadBomb: [
    `import threading`,
    `import time`,
    ``,
    `while True:`,
    `    try:`,
    `        threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()`,
    `    except Exception:`,
    `        pass`,
    ``
  ].join("\n"),
  sleeper: `import time\n\ntime.sleep(3600)\n`,
  stdoutFlood: `import sys\n\nwhile True:\n    sys.stdout.write("x" * 4096)\n`,
  stderrFlood: `import sys\n\nwhile True:\n    sys.stderr.write("x" * 4096)\n`,
  fillDisk: fill(""),
  fillTmp: fill("/tmp/"),
  connect: [
    `import socket`,
    `import sys`,
    ``,
    `try:`,
    `    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()`,
    `    print("connected")`,
    `except OSError:`,
    `    print("blocked")`,
    ``
  ].join("\n"),
  readFile: [
    `import sys`,
    ``,
    `try:`,
    `    with open(sys.argv[1], "rb") as f:`,
    `        sys.stdout.write(f.read().decode("utf-8", "replace"))`,
    `except OSError:`,
    `    print("denied")`,
    ``
  ].join("\n"),
  printEnv: `import os\n\nfor name, value in os.environ.items():\n    print(f"{name}={value}")\n`,
  daemon: [
    `import os`,
    `import time`,
    ``,
    `pid = os.fork()`,
    `if pid == 0:`,
    `    os.setsid()`,
    `    if os.fork() == 0:`,
    `        time.sleep(3600)`,
    `    os._exit(0)`,
    `os.waitpid(pid, 0)`,
    `print("started")`,
    ``
  ].join("\n"),
  leaveFiles: [
    `import os`,
    ``,
    `found = os.path.exists("/tmp/codebox-marker") or os.path.exists("codebox-marker")`,
    `print("leftover" if found else "fresh")`,
    `for path in ("/tmp/codebox-marker", "codebox-marker"):`,
    `    with open(path, "w") as f:`,
    `        f.write("x")`,
    ``
  ].join("\n"),
  segfault: `import ctypes\n\nctypes.string_at(0)\n`,
  // The recursion limit is lifted so the interpreter's C stack really overflows.
  deepRecursion: `import sys\n\nsys.setrecursionlimit(10**9)\n\n\ndef f(n):\n    return f(n + 1) + 1\n\n\nf(0)\n`,
  printArgs: `import sys\n\nfor arg in sys.argv[1:]:\n    print(arg)\n`,
  binaryOutput: `import sys\n\nsys.stdout.buffer.write(bytes(range(256)))\nsys.stderr.buffer.write(b"A\\x00B\\n")\n`,
  deepTree: `import os\n\nfor _ in range(22000):\n    os.mkdir("d")\n    os.chdir("d")\nprint("deep")\n`,
  sparseFiles: [
    `for i in range(16):`,
    `    with open(f"sparse-{i}.bin", "wb") as f:`,
    `        f.truncate(256 * 1024 * 1024)`,
    `print("sparse")`,
    ``
  ].join("\n"),
  ...hostileSyscalls
}

function fill(dir: string): string {
  return [
    `n = 0`,
    `try:`,
    `    while True:`,
    `        with open(f"${dir}fill-{n}", "wb") as f:`,
    `            f.write(b"\\x01" * (1024 * 1024))`,
    `        n += 1`,
    `except OSError:`,
    `    print(f"full {n}")`,
    ``
  ].join("\n")
}
