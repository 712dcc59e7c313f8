import * as fs from "node:fs"
import * as path from "node:path"

/** The policy, its generator and build script (packages/sandbox-native/seccomp). */
export const seccompSourceDir = path.resolve(import.meta.dirname, "../../seccomp")

/** The Docker profile generated from the same policy, kept in the repository (x86_64). */
export const dockerSeccompProfile = path.join(seccompSourceDir, "docker-seccomp.json")

/**
 * Why `file` cannot serve as the compiled filter, with the command that builds it; null when it
 * can. A filter is a whole number of 8-byte BPF instructions, at most 4096 of them.
 */
export const seccompFilterProblem = (file: string): string | null => {
  const build = `build it as root with: ${path.join(seccompSourceDir, "build.sh")} ${path.dirname(file)} (scripts/setup.sh runs it)`
  let size: number
  try {
    fs.accessSync(file, fs.constants.R_OK)
    size = fs.statSync(file).size
  } catch {
    return `the native sandbox's seccomp filter ${file} is missing; ${build}`
  }
  if (size === 0 || size % 8 !== 0 || size > 4096 * 8) return `${file} is not a compiled seccomp filter (${size} bytes); ${build}`
  return null
}
