/**
 * `@codebox/sandbox-native`: the Sandbox on the host itself, with bubblewrap, cgroups (v1 or v2)
 * and rlimits. Needs root (or a delegated cgroup) and bubblewrap; see the README.
 */
export * as NativeSandbox from "./NativeSandbox.ts"
export type { NativeSandboxOptions } from "./NativeSandbox.ts"
