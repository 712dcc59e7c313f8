/**
 * `@codebox/sandbox-native/seccomp`: where the system-call policy and its compiled forms are (see
 * seccomp/README.md). Shared with `@codebox/sandbox-docker`, whose containers get the same policy.
 */
export { dockerSeccompProfile, seccompFilterProblem, seccompSourceDir } from "./native/seccomp.ts"
