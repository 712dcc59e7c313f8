import type { HostilePrograms } from "@codebox/core"

/** Raw system calls through ctypes (x86_64 numbers): what the seccomp filter must refuse. */
export const hostileSyscalls: Pick<HostilePrograms, "syscall" | "keyring" | "openFiles"> = {
  syscall: [
    `import ctypes`,
    `import errno`,
    `import sys`,
    ``,
    `libc = ctypes.CDLL(None, use_errno=True)`,
    `libc.syscall.restype = ctypes.c_long`,
    `L = ctypes.c_long`,
    `params = ctypes.create_string_buffer(120)`,
    `# bpf(BPF_MAP_CREATE): an array map of one 4-byte entry.`,
    `attr = (ctypes.c_uint32 * 30)(2, 4, 4, 1)`,
    `calls = {`,
    `    "io_uring_setup": (425, L(1), params),`,
    `    "userfaultfd": (323, L(0o2000000 | 1)),`,
    `    "bpf": (321, L(0), attr, L(120)),`,
    `    "ptrace": (101, L(0), L(0), L(0), L(0)),`,
    `    "unshare": (272, L(0x10000000)),`,
    `    "keyctl": (250, L(0), L(-4), L(0)),`,
    `}`,
    `number, *args = calls[sys.argv[1]]`,
    `result = libc.syscall(L(number), *args)`,
    `print("ok" if result >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno())))`,
    ``
  ].join("\n"),
  keyring: [
    `import ctypes`,
    `import errno`,
    `import sys`,
    ``,
    `libc = ctypes.CDLL(None, use_errno=True)`,
    `libc.syscall.restype = ctypes.c_long`,
    `L = ctypes.c_long`,
    `SESSION = L(-3)`,
    `if sys.argv[1] == "add":`,
    `    secret = sys.argv[2].encode()`,
    `    key = libc.syscall(L(248), b"user", b"codebox-hostile", secret, L(len(secret)), SESSION)`,
    `    print("added" if key >= 0 else errno.errorcode.get(ctypes.get_errno(), "error"))`,
    `else:`,
    `    key = libc.syscall(L(250), L(10), SESSION, b"user", b"codebox-hostile", L(0))`,
    `    buf = ctypes.create_string_buffer(256)`,
    `    n = libc.syscall(L(250), L(11), L(key), buf, L(255)) if key >= 0 else -1`,
    `    print(buf.value.decode() if n >= 0 else "none")`,
    ``
  ].join("\n"),
  // fstat on each number: listing /proc/self/fd would itself open one.
  openFiles: [
    `import os`,
    ``,
    `fds = []`,
    `for fd in range(3, 1024):`,
    `    try:`,
    `        os.fstat(fd)`,
    `        fds.append(str(fd))`,
    `    except OSError:`,
    `        pass`,
    `print(" ".join(fds))`,
    ``
  ].join("\n")
}
