import * as fs from "node:fs"
import type { Limits } from "@codebox/core"

/** A directory bound into the sandbox, already resolved to what the host really binds. */
export interface BoundDir {
  readonly source: string
  readonly target: string
  readonly writable: boolean
}

/** Everything one step's launcher chain is built from. */
export interface LaunchPlan {
  readonly uid: number
  readonly gid: number
  readonly limits: Limits
  /** The read-only view of the host: /usr, its links and a few /etc files (see `systemBinds`). */
  readonly system: ReadonlyArray<string>
  /** A runtime's host directories, bound read-only at the same path inside. */
  readonly nativePaths: ReadonlyArray<string>
  /** What to bind for a host path (its copy in the host view's overlays, see hostView.ts; or itself). */
  readonly sourceOf: (hostPath: string) => string
  /** bwrap's options making /dev: `--dev /dev`, or the host view's device tmpfs (hostView.ts). */
  readonly dev: ReadonlyArray<string>
  readonly mounts: ReadonlyArray<BoundDir>
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  readonly argv: ReadonlyArray<string>
  /** Whether bwrap loads the seccomp filter from fd 5 (off only to measure what it costs). */
  readonly seccomp: boolean
}

/** What the launcher is given for one step. */
export interface LaunchCommand {
  /**
   * What the launcher execs. Its bwrap stays pid 1 of the sandbox, so this is what a program reads
   * in /proc/1/cmdline: it names no host path (those are all in `bwrapOptions`).
   */
  readonly argv: Array<string>
  /** bwrap's options (binds, environment, ...), read by `bwrap --args 6`. */
  readonly bwrapOptions: Array<string>
}

/** Open files a program may hold; enough for compilers and runtimes, too few to exhaust the host. */
export const openFilesLimit = 256

export const defaultPath = "/usr/local/bin:/usr/bin:/bin"

/** The launcher's descriptors: bwrap's status (3), the argv (4), the seccomp filter (5), bwrap's options (6). */
export const LauncherFd = { status: 3, argv: 4, seccomp: 5, bwrapOptions: 6 } as const

/**
 * The launcher joins every cgroup of the job by writing its own pid, then waits for its argv on
 * fd 4 (NUL-separated, read into an array: no shell ever parses it) and execs it. It is started
 * ahead of the job: moving a process between cgroups waits for an RCU grace period (5-15 ms on an
 * idle host), which is thereby paid while the previous job runs, not by the next one. Because the
 * launcher is in the cgroups before any program of the job exists, nothing can fork outside them.
 * Before the exec it closes every descriptor but the standard ones and those it hands to bwrap
 * (its first argument lists them): whatever started the server may have left descriptors open
 * without close-on-exec (a pipe at fd 251 was seen), and a job must not inherit them. bwrap itself
 * closes 5 and 6 after reading them and keeps 3 out of the sandbox.
 * Exit 125 when a join or the read fails (reported as a sandbox error, not the program's failure).
 */
const launcherScript =
  `keep=" $1 "; shift; for f in "$@"; do echo $$ > "$f" || exit 125; done; ` +
  `mapfile -d "" -t -u 4 argv || exit 125; exec 4<&-; [ \${#argv[@]} -gt 0 ] || exit 125; ` +
  `for f in /proc/$$/fd/*; do n=\${f##*/}; case "$keep" in *" $n "*) ;; *) exec {n}>&- ;; esac; done; ` +
  `exec "\${argv[@]}"`

/** The command that starts a launcher for a job whose cgroups have these cgroup.procs files. */
export const launcherCommand = (procsFiles: ReadonlyArray<string>, seccomp: boolean): Array<string> => [
  "/bin/bash",
  "--noprofile",
  "--norc",
  "-c",
  launcherScript,
  "codebox-launch",
  [0, 1, 2, LauncherFd.status, ...(seccomp ? [LauncherFd.seccomp] : []), LauncherFd.bwrapOptions].join(" "),
  ...procsFiles
]

/** What the launcher is handed on fd 4: each argument NUL-terminated. */
export const encodeArgv = (argv: ReadonlyArray<string>): Buffer => Buffer.from(argv.map((a) => `${a}\0`).join(""), "utf8")

/** Host files shared read-only with every sandbox; absent ones are skipped (--ro-bind-try). */
export const etcFiles = [
  "/etc/alternatives",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/localtime",
  "/etc/mime.types",
  "/etc/fonts"
]

/**
 * The read-only system view: /usr, the top-level links or directories that point into it (merged
 * /usr or not), a few /etc files, and the passwd/group files naming the sandbox users. `sourceOf`
 * says what to bind for a host path (the host view's overlay of it, see hostView.ts).
 */
export const systemBinds = (passwdFile: string, groupFile: string, sourceOf: (hostPath: string) => string = (p) => p): Array<string> => {
  const args = ["--ro-bind", sourceOf("/usr"), "/usr"]
  for (const top of ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"]) {
    let stat: fs.Stats
    try {
      stat = fs.lstatSync(top)
    } catch {
      continue
    }
    if (stat.isSymbolicLink()) args.push("--symlink", fs.readlinkSync(top), top)
    else if (stat.isDirectory()) args.push("--ro-bind", sourceOf(top), top)
  }
  for (const file of etcFiles) args.push("--ro-bind-try", sourceOf(file), file)
  args.push("--ro-bind", passwdFile, "/etc/passwd", "--ro-bind", groupFile, "/etc/group")
  return args
}

const mb = (n: number) => n * 1024 * 1024

/** bwrap's own /dev: a tmpfs with the host's null, zero, full, random, urandom and tty bound in, and a devpts. */
export const hostDev = ["--dev", "/dev"]

/**
 * The launch of one step: prlimit (cpu, file size, open files, no core) ->
 * setpriv (drop to the job's uid/gid, no groups, no new privileges; root is gone BEFORE bwrap, so
 * the sandbox's uid maps to an unprivileged host uid) -> bwrap (new user, pid, net, ipc, uts,
 * mount and cgroup namespaces; a read-only root; private /tmp and /dev/shm sized by tmp_mb; no
 * capabilities; no nested user namespaces; cleared environment; the seccomp filter, applied
 * right before the program's exec, after bwrap's own mounts) -> the program. The program's argv
 * comes after `--` and is never seen by a shell.
 */
export const launcherArgv = (plan: LaunchPlan): LaunchCommand => {
  // RLIMIT_CPU is a per-process backstop; the job's total cpu time is watched through the cgroup.
  const cpuSeconds = Math.ceil(plan.limits.cpu_time_ms / 1000) + 1
  const tmpBytes = String(mb(plan.limits.tmp_mb))
  const env: Record<string, string> = {
    LANG: "C.UTF-8",
    ...plan.env,
    PATH: plan.env.PATH ?? defaultPath,
    HOME: plan.env.HOME ?? "/tmp"
  }
  const argv = [
    "/usr/bin/prlimit",
    `--cpu=${cpuSeconds}:${cpuSeconds + 1}`,
    `--fsize=${mb(plan.limits.file_size_mb)}`,
    `--nofile=${openFilesLimit}`,
    "--core=0",
    "/usr/bin/setpriv",
    `--reuid=${plan.uid}`,
    `--regid=${plan.gid}`,
    "--clear-groups",
    "--no-new-privs",
    "/usr/bin/bwrap",
    "--args",
    String(LauncherFd.bwrapOptions),
    // fd 3: bwrap names the child here once the sandbox is set up (the runner's proof it started).
    "--json-status-fd",
    String(LauncherFd.status),
    ...(plan.seccomp ? ["--seccomp", String(LauncherFd.seccomp)] : []),
    "--",
    ...plan.argv
  ]
  const bwrapOptions = [
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    "--die-with-parent",
    "--new-session",
    "--hostname",
    "sandbox",
    ...plan.system,
    "--proc",
    "/proc",
    ...plan.dev,
    "--size",
    tmpBytes,
    "--perms",
    "1777",
    "--tmpfs",
    "/tmp",
    "--size",
    tmpBytes,
    "--perms",
    "1777",
    "--tmpfs",
    "/dev/shm",
    ...plan.nativePaths.flatMap((p) => ["--ro-bind", plan.sourceOf(p), p]),
    ...plan.mounts.flatMap((m) => [m.writable ? "--bind" : "--ro-bind", m.source, m.target]),
    "--remount-ro",
    "/",
    "--chdir",
    plan.cwd,
    "--clearenv",
    ...Object.entries(env).flatMap(([k, v]) => ["--setenv", k, v]),
    "--cap-drop",
    "ALL"
  ]
  return { argv, bwrapOptions }
}

/** Checks a step before anything is created for it; the message says what is wrong. */
export const validatePlanInput = (input: {
  readonly argv: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  readonly targets: ReadonlyArray<string>
}): string | null => {
  if (input.argv.length === 0) return "the step has an empty argv"
  if (!input.argv[0]!.startsWith("/")) return `the step's program must be an absolute path, got "${input.argv[0]}"`
  for (const arg of input.argv) if (arg.includes("\0")) return "an argument contains a NUL byte"
  for (const [key, value] of Object.entries(input.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `invalid environment variable name "${key}"`
    if (value.includes("\0")) return `environment variable ${key} contains a NUL byte`
  }
  for (const target of [input.cwd, ...input.targets]) {
    if (!target.startsWith("/") || target.split("/").includes("..")) return `sandbox path "${target}" must be absolute without ".."`
  }
  return null
}
