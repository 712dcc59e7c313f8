import type Docker from "dockerode"
import type { SandboxStep } from "@codebox/core"

const MiB = 1024 * 1024

/** Labels every sandbox container carries, so leftovers of a dead worker can be found and removed. */
export const Labels = {
  /** Present on every CodeBox sandbox container. */
  sandbox: "codebox.sandbox",
  /** Hostname of the worker that made it (a Compose worker's container id). */
  host: "codebox.host",
  /** Process id of that worker, to tell a live worker's containers from a dead one's. */
  pid: "codebox.pid",
  /** Epoch ms after which no live worker still needs the container (wall limit plus a grace). */
  deadline: "codebox.deadline"
} as const

/** How the sandbox shapes every container; everything else comes from the step. */
export interface ContainerSettings {
  /** `uid:gid` user code runs as; never 0. */
  readonly user: string
  /** CPUs the container may use (NanoCpus); the original service used 1. */
  readonly cpus: number
  /** Maps a path as this process sees it to the path the Docker daemon's host sees (bind sources). */
  readonly hostPathOf: (path: string) => string
  readonly owner: { readonly host: string; readonly pid: number }
  /** Extra ms a container may outlive its wall limit before a sweep treats it as a leftover. */
  readonly sweepGraceMs: number
  /**
   * A host file nobody may read (mode 0), bound over /etc/hostname and /etc/resolv.conf, which
   * Docker would otherwise fill in (resolv.conf with the host's DNS servers). Null: Docker's own.
   */
  readonly unreadableFile: string | null
  /**
   * A copy of Docker's init (tini) on the staging tmpfs, bound read-only at /sbin/docker-init and
   * run as the entrypoint, in place of `Init: true`: Docker binds its init from the host's disk,
   * so that bind shows the host's block device, filesystem and options in the container's
   * /proc/self/mountinfo. Null: Docker's own `Init: true`.
   */
  readonly initFile: string | null
  /**
   * The seccomp profile's JSON text (Docker takes it inline): the native sandbox's policy as a
   * full Docker profile (see packages/sandbox-native/seccomp/README.md). It replaces Docker's
   * default profile, which still allows io_uring, ptrace and AF_VSOCK on Docker 20.10.
   */
  readonly seccompProfile: string
}

/** Where Docker's `Init: true` puts its init; the copy on the staging tmpfs goes to the same place. */
const initTarget = "/sbin/docker-init"

/** Files Docker writes into every container that tell user code about the host. */
const hostFacts = ["/etc/hostname", "/etc/resolv.conf"]

/** The sandbox sets these itself; a plugin's env may not move them. */
const fixedEnv = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/tmp" }

/**
 * The hardened container for one step: the original service's `docker run` flags (no network,
 * read-only root, no capabilities, no new privileges, non-root user, memory with equal swap,
 * pids, one cpu, a noexec tmpfs /tmp) plus rlimits for file size, open files and cpu time.
 * An init (tini: `Init: true`, or its copy on the staging tmpfs, see `initFile`) is pid 1 so user code gets ordinary signal semantics (a pid-1
 * program would ignore SIGXCPU and SIGTERM) and every process dies when the program exits.
 */
export const containerSpec = (
  step: SandboxStep,
  settings: ContainerSettings,
  now: number,
  cgroupParent?: string
): Docker.ContainerCreateOptions => {
  const { limits } = step
  const memory = limits.memory_mb * MiB
  const cpuSeconds = Math.max(1, Math.ceil(limits.cpu_time_ms / 1000))
  const fileSize = limits.file_size_mb * MiB
  const env = { ...step.runtime.env, ...step.env, ...fixedEnv }
  return {
    Image: step.runtime.image,
    Cmd: [...step.argv],
    // Only the init as entrypoint: argv runs as given, never through an image's wrapper script or a shell.
    Entrypoint: settings.initFile === null ? [] : [initTarget, "--"],
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    WorkingDir: step.cwd,
    User: settings.user,
    Hostname: "sandbox",
    Tty: false,
    AttachStdin: step.stdin !== null,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: step.stdin !== null,
    // Closing our side of the attach closes the program's stdin (EOF), as a pipe would.
    StdinOnce: step.stdin !== null,
    NetworkDisabled: true,
    Labels: {
      [Labels.sandbox]: "1",
      [Labels.host]: settings.owner.host,
      [Labels.pid]: String(settings.owner.pid),
      [Labels.deadline]: String(now + limits.wall_time_ms + settings.sweepGraceMs)
    },
    HostConfig: {
      NetworkMode: "none",
      // The step's own cgroup parent, whose totals the worker reads (see containerCgroup.ts).
      ...(cgroupParent === undefined ? {} : { CgroupParent: cgroupParent }),
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges", `seccomp=${settings.seccompProfile}`],
      Init: settings.initFile === null,
      Memory: memory,
      MemorySwap: memory,
      MemorySwappiness: 0,
      OomKillDisable: false,
      // One more than the program's processes: the init is one of them.
      PidsLimit: limits.processes + 1,
      NanoCpus: Math.round(settings.cpus * 1e9),
      IpcMode: "private",
      Tmpfs: { "/tmp": `rw,nosuid,nodev,noexec,size=${limits.tmp_mb}m,mode=1777` },
      Ulimits: [
        // Soft limit first: SIGXCPU tells a cpu-time kill apart from the wall timer's SIGKILL.
        { Name: "cpu", Soft: cpuSeconds, Hard: cpuSeconds + 1 },
        { Name: "fsize", Soft: fileSize, Hard: fileSize },
        { Name: "nofile", Soft: 1024, Hard: 1024 },
        { Name: "core", Soft: 0, Hard: 0 }
      ],
      Mounts: [
        ...step.mounts.map((mount) => ({
          Type: "bind" as const,
          Source: settings.hostPathOf(mount.hostPath),
          Target: mount.sandboxPath,
          ReadOnly: !mount.writable,
          BindOptions: { Propagation: "rprivate" as const }
        })),
        ...(settings.unreadableFile === null ? [] : hostFacts).map((target) => ({
          Type: "bind" as const,
          Source: settings.unreadableFile!,
          Target: target,
          ReadOnly: true
        })),
        ...(settings.initFile === null ? [] : [{ Type: "bind" as const, Source: settings.initFile, Target: initTarget, ReadOnly: true }])
      ],
      // Beside Docker's default masks: /sys tells about the host's kernel and hardware, and user
      // code needs none of it.
      MaskedPaths: [...defaultMaskedPaths, "/sys"],
      LogConfig: { Type: "none", Config: {} },
      AutoRemove: false
    }
  }
}

/** Docker's own masked paths; setting MaskedPaths replaces them, so they are repeated here. */
const defaultMaskedPaths = [
  "/proc/asound",
  "/proc/acpi",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap"
]

/** `uid:gid` -> numbers, refusing root: user code never runs as uid 0. */
export const parseUser = (user: string): { readonly uid: number; readonly gid: number } => {
  const match = /^(\d+):(\d+)$/.exec(user)
  if (match === null) throw new Error(`the sandbox user must be numeric uid:gid, got "${user}"`)
  const uid = Number(match[1])
  const gid = Number(match[2])
  if (uid === 0 || gid === 0) throw new Error("the sandbox user must not be root (uid or gid 0)")
  return { uid, gid }
}

/**
 * A bind source as the Docker daemon's host sees it. When the worker itself runs in a container,
 * its job directory must be a host directory mounted into it; `from` is where the worker sees it,
 * `to` where the host has it. Mounting it at the same path on both sides needs no mapping.
 */
export const pathMapper =
  (map: { readonly from: string; readonly to: string } | undefined) =>
  (path: string): string => {
    if (map === undefined) return path
    const from = map.from.replace(/\/+$/, "")
    if (path === from) return map.to
    if (path.startsWith(`${from}/`)) return `${map.to.replace(/\/+$/, "")}${path.slice(from.length)}`
    return path
  }
