import { c } from "@codebox/lang-c"
import { python } from "@codebox/lang-python"

/**
 * The languages the cgroup-v2 VM is built for and tested with, and the Debian packages their
 * plugins declare (the guest's runtimes: the harness in packages/sandbox-native/vm names none).
 * Run as a script it prints the packages, for scripts/setup.d/60-cgroup2-vm.sh.
 */
export const vmPlugins = [python, c]
export const vmPackages = [...new Set(vmPlugins.flatMap((p) => p.runtime.debianPackages))].join(" ")

if (process.argv[1] === import.meta.filename) console.log(vmPackages)
